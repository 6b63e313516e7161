import Foundation
import NIOCore
import Protocol
import Testing

@testable import Federation

/// The master encodes a heartbeat once and queues the same bytes on every worker's link.
@Suite struct HeartbeatFrameTests {
    @Test func theSharedHeartbeatFrameReadsBackAsAHeartbeatEveryTime() throws {
        for _ in 0..<2 {
            var frame = FrameEncoder.heartbeat
            let read = frame.readInteger(as: UInt32.self)
            let length = try #require(read)
            #expect(Int(length) == frame.readableBytes)
            let message = try FrameDecoder.message(from: &frame, using: WireJSON.decoder())
            #expect(message == .heartbeat)
        }
    }

    @Test func theSharedEncoderWritesWhatAFreshWireEncoderWrites() throws {
        let message = FederationMessage.refused(Refusal(reason: "a/b: inf"))
        #expect(try WireJSON.sharedEncoder.encode(message) == WireJSON.encoder().encode(message))
    }
}
