import Foundation
import NIOCore
import Protocol

/// What a master's connection reads: a message, or a worker's `stats` with its histograms packed
/// (`PackedStatsReport`).
enum MasterFrame: Sendable {
    case message(FederationMessage)
    case stats(PackedStatsReport)
}

/// A master's frame reader: `FrameDecoder`'s frames and checks, but a binary `stats` frame comes out
/// packed (`BinaryFrame.readPacked`). A stats frame that does not read that way — malformed, a
/// number out of range — is read again as `FrameDecoder` reads it, so its error is the one
/// `FrameDecoder` gives (naming the field), and the connection closes for it at once, as before.
struct MasterFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = MasterFrame

    let limit: FrameLimit
    private let decoder = WireJSON.decoder()

    init(limit: FrameLimit) {
        self.limit = limit
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard var payload = try FrameDecoder.payload(from: &buffer, limit: limit) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(try Self.frame(from: &payload, using: decoder)))
        return .continue
    }

    /// One payload as the master takes it: a binary stats frame packed, anything else (a bad stats
    /// frame too) as `FrameDecoder.message` reads it, or its error.
    static func frame(from payload: inout ByteBuffer, using decoder: JSONDecoder) throws(FrameError) -> MasterFrame {
        if let packed = BinaryFrame.readPacked(payload) { return .stats(packed) }
        return .message(try FrameDecoder.message(from: &payload, using: decoder))
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        // A partial frame at EOF is dropped, as `FrameDecoder` drops it.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
