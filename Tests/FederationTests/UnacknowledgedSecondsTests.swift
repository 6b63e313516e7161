import Foundation
import NIOCore
import Protocol
import Testing

@testable import Federation

private let run1 = RunID(rawValue: "run-1")

/// A report of `seconds` intervals and the frame the worker would keep for it.
private func report(
    _ sequence: UInt64, assignment: UInt64 = 1, run: RunID = run1, seconds: Int = 1,
    requests: UInt64 = 5
) throws -> (StatsReport, ByteBuffer) {
    let report = StatsReport(
        node: NodeID(rawValue: "w"), run: run, assignment: assignment, sequence: sequence,
        intervals: (0..<seconds).map { interval(second: Int(sequence) * 10 + $0, requests: requests) })
    var frame = ByteBuffer()
    try FrameEncoder.frame(.stats(report), into: &frame, maxFrameBytes: FederationProtocol.maxFrameBytes)
    return (report, frame)
}

/// The messages a resend would put on the wire, decoded back.
private func resent(_ buffer: UnacknowledgedSeconds) throws -> [FederationMessage] {
    try buffer.frames { end in
        var frame = ByteBuffer()
        try? FrameEncoder.frame(.statsEnd(end), into: &frame, maxFrameBytes: 4096)
        return frame
    }.map { frame in
        var payload = frame
        payload.moveReaderIndex(forwardBy: 4)
        return try FrameDecoder.message(from: &payload, using: WireJSON.decoder())
    }
}

private func sequences(_ messages: [FederationMessage]) -> [String] {
    messages.map {
        switch $0 {
        case .stats(let report): "\(report.assignment).\(report.sequence)"
        case .statsEnd(let end): "\(end.assignment).end\(end.sequence)"
        default: "?"
        }
    }
}

@Suite struct UnacknowledgedSecondsTests {
    @Test func boundsAreTheHeartbeatTimeoutsWorthPlusGraceWithinTheirRange() {
        #expect(UnacknowledgedSeconds.Bounds(heartbeatTimeout: .seconds(3)).maxReports == 13)
        #expect(UnacknowledgedSeconds.Bounds(heartbeatTimeout: .milliseconds(2500)).maxReports == 13)
        #expect(UnacknowledgedSeconds.Bounds(heartbeatTimeout: .milliseconds(100)).maxReports == 11)
        #expect(UnacknowledgedSeconds.Bounds(heartbeatTimeout: .seconds(3600)).maxReports == 3_610)
        #expect(
            UnacknowledgedSeconds.Bounds(heartbeatTimeout: .seconds(30)).maxBytes == FederationProtocol.maxFrameBytes)
    }

    @Test func resendsEverythingUnacknowledgedInTheOrderItWasSent() throws {
        var buffer = UnacknowledgedSeconds(bounds: .init(maxReports: 10))
        for sequence: UInt64 in 1...3 { let (r, f) = try report(sequence); buffer.append(r, frame: f) }
        _ = buffer.end(run: run1, assignment: 1, last: 3)
        for sequence: UInt64 in 1...2 { let (r, f) = try report(sequence, assignment: 2); buffer.append(r, frame: f) }
        #expect(try sequences(resent(buffer)) == ["1.1", "1.2", "1.3", "1.end4", "2.1", "2.2"])
    }

    @Test func anAckForgetsTheFrameItNamesAndEverythingBeforeIt() throws {
        var buffer = UnacknowledgedSeconds(bounds: .init(maxReports: 10))
        var bytes = 0
        for sequence: UInt64 in 1...4 {
            let (r, f) = try report(sequence)
            buffer.append(r, frame: f)
            bytes += f.readableBytes
        }
        let (_, third) = try report(3)
        #expect(buffer.acknowledge(StatsAck(run: run1, assignment: 1, sequence: 2)) == 2)
        #expect(try sequences(resent(buffer)) == ["1.3", "1.4"])
        // Another run's, another assignment's or an already trimmed frame: nothing changes.
        #expect(buffer.acknowledge(StatsAck(run: RunID(rawValue: "other"), assignment: 1, sequence: 4)) == 0)
        #expect(buffer.acknowledge(StatsAck(run: run1, assignment: 9, sequence: 4)) == 0)
        #expect(buffer.acknowledge(StatsAck(run: run1, assignment: 1, sequence: 1)) == 0)
        #expect(buffer.count == 2)
        #expect(buffer.bytes == 2 * third.readableBytes)
        _ = buffer.end(run: run1, assignment: 1, last: 4)
        #expect(buffer.acknowledge(StatsAck(run: run1, assignment: 1, sequence: 5)) == 3)
        #expect(buffer.isEmpty && buffer.bytes == 0)
    }

    @Test func whenFullTheOldestReportIsDroppedAndCountedOnItsStatsEnd() throws {
        var buffer = UnacknowledgedSeconds(bounds: .init(maxReports: 3))
        for sequence: UInt64 in 1...5 { let (r, f) = try report(sequence, seconds: 2); buffer.append(r, frame: f) }
        #expect(buffer.droppedReports == 2)
        let end = buffer.end(run: run1, assignment: 1, last: 5)
        #expect(end.droppedReports == 2 && end.droppedSeconds == 4)
        // Dropped after its `stats_end` was queued: the queued one says so.
        for sequence: UInt64 in 1...2 { let (r, f) = try report(sequence, assignment: 2); buffer.append(r, frame: f) }
        let messages = try resent(buffer)
        #expect(sequences(messages) == ["1.5", "1.end6", "2.1", "2.2"])
        let ends = messages.compactMap { if case .statsEnd(let end) = $0 { end } else { nil } }
        #expect(ends.map(\.droppedReports) == [4])
        #expect(ends.map(\.droppedSeconds) == [8])
        #expect(buffer.droppedReports == 4)
    }

    @Test func theByteBoundDropsTheOldestToo() throws {
        let (_, sample) = try report(1, requests: 9)
        var buffer = UnacknowledgedSeconds(bounds: .init(maxReports: 100, maxBytes: sample.readableBytes * 2))
        for sequence: UInt64 in 1...3 { let (r, f) = try report(sequence, requests: 9); buffer.append(r, frame: f) }
        #expect(buffer.droppedReports == 1)
        #expect(buffer.bytes <= sample.readableBytes * 2)
        #expect(try sequences(resent(buffer)) == ["1.2", "1.3"])
    }

    @Test func anAssignmentOfAnotherRunForgetsTheFramesOfTheOthers() throws {
        var buffer = UnacknowledgedSeconds(bounds: .init(maxReports: 10))
        let (old, oldFrame) = try report(1, run: RunID(rawValue: "old"))
        buffer.append(old, frame: oldFrame)
        let (new, newFrame) = try report(1)
        buffer.append(new, frame: newFrame)
        #expect(buffer.forget(runsOtherThan: run1) == 1)
        #expect(try sequences(resent(buffer)) == ["1.1"])
        #expect(buffer.bytes == newFrame.readableBytes)
    }

    @Test func ackAndEndFramesRoundTripAndNameAFieldOutOfRange() throws {
        for message: FederationMessage in [
            .statsAck(StatsAck(run: run1, assignment: 3, sequence: 17)),
            .statsEnd(
                StatsEnd(
                    run: run1, assignment: 3, sequence: 18, droppedReports: 2,
                    droppedSeconds: 4)),
        ] {
            var frame = ByteBuffer()
            try FrameEncoder.frame(message, into: &frame, maxFrameBytes: 4096)
            frame.moveReaderIndex(forwardBy: 4)
            #expect(try FrameDecoder.message(from: &frame, using: WireJSON.decoder()) == message)
        }
        let huge = FederationMessage.statsEnd(StatsEnd(run: run1, assignment: 3, sequence: 1 << 60))
        #expect(throws: FieldRangeError(field: "stats_end.sequence", problem: "must be 0…\(1 << 53), got \(1 << 60)")) {
            try huge.checkRanges()
        }
    }
}

@Suite struct StatsAckFrameTests {
    @Test func theMastersHandWrittenAckDecodesAsTheAckItNames() throws {
        for run in ["run-1", #"a "quoted" \ run/é"#] {
            let ack = StatsAck(run: RunID(rawValue: run), assignment: 1 << 53, sequence: 42)
            let runJSON = String(decoding: try WireJSON.sharedEncoder.encode(ack.run), as: UTF8.self)
            var frame = MasterCore.ackFrame(ack, runJSON: runJSON)
            #expect(frame.readInteger(as: UInt32.self).map(Int.init) == frame.readableBytes)
            #expect(try FrameDecoder.message(from: &frame, using: WireJSON.decoder()) == .statsAck(ack))
        }
    }
}
