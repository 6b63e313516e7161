import Protocol
import Testing

@testable import Engine

/// The aggregator's figures for Locust's files: the run so far on each history row, failures' first
/// and last seconds, a cut-short last second marked.
@Suite struct RunSoFarTests {
    private let key = EndpointKey(method: "GET", name: "/a")

    private func interval(
        second: Int, latencyMicros: UInt64, requests: UInt64, failed: UInt64 = 0,
        wallMicros: UInt64 = 1_000_000
    ) -> IntervalStats {
        var histogram = LatencyHistogram()
        histogram.record(latencyMicros, count: requests)
        let row = EndpointInterval(
            key: key, requests: requests, failures: failed, bytes: requests * 100, latency: SparseHistogram(histogram),
            serviceTime: SparseHistogram(histogram),
            failureReasons: failed == 0 ? [] : [ReasonTally(reason: .status(500), count: failed)])
        return IntervalStats(
            second: second, users: 1, dropped: 0, cpuMicros: 0, wallMicros: wallMicros, threads: 1,
            endpoints: [row])
    }

    @Test func eachHistoryRowCarriesTheRunSoFarNotJustItsSecond() throws {
        var aggregator = RunAggregator(endpoints: [key], expectedReporters: 1, startUnixSeconds: 1_000)
        aggregator.absorb(interval(second: 0, latencyMicros: 1_000, requests: 10))
        aggregator.absorb(interval(second: 1, latencyMicros: 9_000, requests: 30, failed: 3))
        let first = try #require(aggregator.history[0].soFar)
        let second = try #require(aggregator.history[1].soFar)
        #expect(first.requests == 10 && first.maxMs < 1.01)
        #expect(second.requests == 40 && second.failures == 3)
        #expect(second.minMs < 1.01 && second.maxMs > 8.9)   // the run's min and max, not the second's
        #expect(second.medianMs > 8.9 && second.percentilesMs.count == 11)
        #expect(second.avgMs > 6.9 && second.avgMs < 7.1)   // (10 × 1 + 30 × 9) / 40
        #expect(second.avgBytes == 100)
        #expect(aggregator.history[1].p99Ms > 8.9 && aggregator.history[1].medianMs > 8.9)
    }

    @Test func failuresKnowTheUnixSecondsTheyWereFirstAndLastSeenIn() throws {
        var aggregator = RunAggregator(endpoints: [key], expectedReporters: 1, startUnixSeconds: 1_000)
        aggregator.absorb(interval(second: 0, latencyMicros: 1_000, requests: 5))
        aggregator.absorb(interval(second: 2, latencyMicros: 1_000, requests: 5, failed: 1))
        aggregator.absorb(interval(second: 5, latencyMicros: 1_000, requests: 5, failed: 2))
        let failure = try #require(aggregator.failureCounts().first)
        #expect(failure.count == 3 && failure.firstSeen == 1_002 && failure.lastSeen == 1_005)
        aggregator.reset(atSecond: 6)
        aggregator.absorb(interval(second: 7, latencyMicros: 1_000, requests: 5, failed: 1))
        #expect(aggregator.failureCounts().first?.firstSeen == 1_007)
    }

    @Test func onlyACutShortNewestSecondIsMarkedPartial() {
        var aggregator = RunAggregator(endpoints: [key], expectedReporters: 1, startUnixSeconds: 0)
        aggregator.absorb(interval(second: 0, latencyMicros: 1_000, requests: 5))
        aggregator.absorb(interval(second: 1, latencyMicros: 1_000, requests: 5))
        #expect(aggregator.soFar.markingPartialTail(aggregator.history).allSatisfy { $0.partial == nil })
        aggregator.absorb(interval(second: 2, latencyMicros: 1_000, requests: 1, wallMicros: 300_000))
        let marked = aggregator.soFar.markingPartialTail(aggregator.history)
        #expect(marked.map { $0.partial ?? false } == [false, false, true])
    }
}
