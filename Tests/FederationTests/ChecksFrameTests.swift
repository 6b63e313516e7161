import Foundation
import NIOCore
import Protocol
import Testing

@testable import Federation

/// The checks table and skipped steps cross the wire in a worker's stats frame unchanged, and are
/// range-checked like every other field.
@Suite struct ChecksFrameTests {
    static func report(checks: [CheckTally]?, skipped: UInt64?) -> StatsReport {
        var interval = IntervalStats(
            second: 2, users: 3, dropped: 0, cpuMicros: 10, wallMicros: 1_000_000, threads: 1,
            endpoints: [])
        interval.checks = checks
        interval.skipped = skipped
        return StatsReport(
            node: NodeID(rawValue: "w1"), run: RunID(rawValue: "r1"), assignment: 1, sequence: 4,
            intervals: [interval])
    }

    @Test func checksAndSkippedStepsRoundTripInTheBinaryFrame() throws {
        let sent = Self.report(
            checks: [
                CheckTally(method: "GET", name: "/api/me", check: #"$.status == "ok""#, passes: 120, fails: 3),
                CheckTally(
                    method: "GET", name: "/api/me", check: "max_ms 200", passes: 0, fails: FieldRanges.count.upperBound),
            ], skipped: 9)
        var frame = ByteBuffer()
        try FrameEncoder().encode(data: .stats(sent), out: &frame)
        _ = frame.readInteger(as: UInt32.self)
        #expect(BinaryFrame.isBinary(frame))
        let read = try FrameDecoder.message(from: &frame, using: JSONDecoder())
        #expect(read == .stats(sent))
        let none = Self.report(checks: nil, skipped: nil)
        var empty = ByteBuffer()
        try FrameEncoder().encode(data: .stats(none), out: &empty)
        _ = empty.readInteger(as: UInt32.self)
        #expect(try FrameDecoder.message(from: &empty, using: JSONDecoder()) == .stats(none))
    }

    @Test func aCheckCountPastItsRangeIsRefusedByName() throws {
        let hostile = Self.report(
            checks: [CheckTally(method: "GET", name: "/", check: "status 200", passes: UInt64.max, fails: 0)],
            skipped: nil)
        var frame = ByteBuffer()
        try FrameEncoder().encode(data: .stats(hostile), out: &frame)
        _ = frame.readInteger(as: UInt32.self)
        #expect(throws: (any Error).self) { try FrameDecoder.message(from: &frame, using: JSONDecoder()) }
        do {
            var again = ByteBuffer()
            try FrameEncoder().encode(data: .stats(hostile), out: &again)
            _ = again.readInteger(as: UInt32.self)
            _ = try FrameDecoder.message(from: &again, using: JSONDecoder())
        } catch {
            #expect("\(error)".contains("checks.passes"), "\(error)")
        }
    }
}
