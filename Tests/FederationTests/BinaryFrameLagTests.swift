import NIOCore
import Protocol
import Testing

@testable import Federation

/// The schedule-lag histogram a worker measures travels in the binary stats frame and is range-checked.
@Suite struct BinaryFrameLagTests {
    @Test func aRowsScheduleLagRoundTripsAndARowWithoutItStaysWithout() throws {
        var report = BinaryFrameTests.report
        report.intervals[0].endpoints[0].lag = SparseHistogram(values: [3, 40, 9_000], counts: [4900, 95, 5])
        let payload = try BinaryFrameTests.payload(.stats(report))
        let decoded = try BinaryFrameTests.decode(Array(payload.readableBytesView))
        #expect(decoded == .stats(report))
        guard case .stats(let back) = decoded else { return }
        #expect(back.intervals[0].endpoints[1].lag == nil)
    }

    @Test func aLagValuePastTheLatencyRangeIsRefusedByName() throws {
        var report = BinaryFrameTests.report
        report.intervals[0].endpoints[0].lag = SparseHistogram(
            values: [FieldRanges.latencyMicros.upperBound + 1], counts: [1])
        let payload = try BinaryFrameTests.payload(.stats(report))
        let problem = BinaryFrameTests.problem(Array(payload.readableBytesView))
        #expect(problem?.contains("lag value") == true, "\(String(describing: problem))")
    }
}

@Suite struct BinaryFrameConnectionsTests {
    @Test func anIntervalsNewConnectionsRoundTrip() throws {
        var report = BinaryFrameTests.report
        report.intervals[0].newConnections = 42
        let payload = try BinaryFrameTests.payload(.stats(report))
        #expect(try BinaryFrameTests.decode(Array(payload.readableBytesView)) == .stats(report))
    }
}
