import Protocol
import Testing

@testable import Engine

/// "Now" (the last closed seconds) and the Prometheus buckets, from the aggregator.
@Suite struct RecentWindowTests {
    static let a = EndpointKey(method: "GET", name: "/a")
    static let b = EndpointKey(method: "GET", name: "/b")

    /// `requests` of `key`, each taking `micros`, `failures` of them HTTP 500.
    static func row(
        _ key: EndpointKey, requests: UInt64, failures: UInt64 = 0, micros: UInt64 = 2_000
    ) -> EndpointInterval {
        var histogram = LatencyHistogram()
        histogram.record(micros, count: requests)
        let sparse = SparseHistogram(histogram)
        return EndpointInterval(
            key: key, requests: requests, failures: failures, bytes: 0, latency: sparse,
            serviceTime: sparse,
            failureReasons: failures > 0 ? [ReasonTally(reason: .status(500), count: failures)] : [])
    }

    static func second(_ index: Int, _ rows: [EndpointInterval]) -> IntervalStats {
        IntervalStats(second: index, users: 10, dropped: 0, cpuMicros: 0, wallMicros: 1, threads: 1, endpoints: rows)
    }

    @Test func eachEndpointsCurrentRateIsItsOwnOverTheLastSeconds() {
        var aggregator = RunAggregator(endpoints: [Self.a, Self.b], expectedReporters: 1, startUnixSeconds: 1_000)
        // For 20 s only /a, then 5 s of /b alone: /b is all of "now" though a small share of the run.
        for s in 0..<20 { aggregator.absorb(Self.second(s, [Self.row(Self.a, requests: 100)])) }
        for s in 20..<25 {
            aggregator.absorb(Self.second(s, [Self.row(Self.b, requests: 40, failures: 4, micros: 50_000)]))
        }
        let (rows, total) = aggregator.rows(seconds: 25)
        #expect(rows.first { $0.key == Self.a }?.currentRps == 0)
        #expect(rows.first { $0.key == Self.b }?.currentRps == 40)
        #expect(rows.first { $0.key == Self.b }?.currentFailuresPerS == 4)
        #expect(total.currentRps == 40)
        let window = aggregator.recentSeconds.window()
        #expect(window?.seconds == RecentWindow.span)
        // The window's median is /b's 50 ms, not the run's 2 ms.
        #expect((window?.medianMs ?? 0) > 49 && (window?.medianMs ?? 0) < 51)
    }

    @Test func aResetEmptiesTheWindowAndIsRecorded() throws {
        var aggregator = RunAggregator(endpoints: [Self.a], expectedReporters: 1, startUnixSeconds: 1_000)
        for s in 0..<3 { aggregator.absorb(Self.second(s, [Self.row(Self.a, requests: 10)])) }
        aggregator.reset(atSecond: 4)
        #expect(aggregator.recentSeconds.window() == nil)
        #expect(aggregator.resetSeconds == [4])
    }

    @Test func bucketsAreCumulativeAtTheFixedBounds() throws {
        var aggregator = RunAggregator(endpoints: [Self.a], expectedReporters: 1, startUnixSeconds: 0)
        aggregator.absorb(
            Self.second(
                0,
                [
                    Self.row(Self.a, requests: 3, micros: 800),
                    Self.row(Self.a, requests: 2, micros: 40_000),
                    Self.row(Self.a, requests: 1, micros: 90_000_000),
                ]))
        let buckets = try #require(aggregator.endpointBuckets().first)
        let bounds = LatencyBuckets.boundsMicros
        #expect(buckets.latency.count == 6)
        #expect(buckets.latency.cumulative[bounds.firstIndex(of: 1_000)!] == 3)
        #expect(buckets.latency.cumulative[bounds.firstIndex(of: 25_000)!] == 3)
        #expect(buckets.latency.cumulative[bounds.firstIndex(of: 50_000)!] == 5)
        // 90 s is past the last bound: only +Inf (the count) holds it.
        #expect(buckets.latency.cumulative.last == 5)
        #expect(zip(buckets.latency.cumulative, buckets.latency.cumulative.dropFirst()).allSatisfy { $0 <= $1 })
        let sum = buckets.latency.sumMicros
        #expect(abs(sum - (3 * 800 + 2 * 40_000 + 90_000_000)) / sum < 0.01)
    }

    @Test func aFailureReasonKeepsItsFirstAndLastSecond() throws {
        var aggregator = RunAggregator(endpoints: [Self.a], expectedReporters: 1, startUnixSeconds: 1_000)
        aggregator.absorb(Self.second(0, [Self.row(Self.a, requests: 10)]))
        aggregator.absorb(Self.second(3, [Self.row(Self.a, requests: 10, failures: 1)]))
        aggregator.absorb(Self.second(7, [Self.row(Self.a, requests: 10, failures: 2)]))
        let failure = try #require(aggregator.failureCounts().first)
        #expect(failure.count == 3)
        #expect(failure.firstSeen == 1_003 && failure.lastSeen == 1_007)
    }
}
