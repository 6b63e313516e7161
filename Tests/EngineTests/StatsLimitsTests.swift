import Protocol
import Testing

@testable import Engine

/// What an endpoint's statistics cost in memory, and merges that saturate instead of trapping.
@Suite struct EndpointMemoryTests {
    /// One engine thread's busy second: every endpoint sees `perEndpoint` requests; endpoint `e`
    /// answers in its own 2 … 100 ms, up to 50 % slower at random, and one request in ten takes up
    /// to ten times as long (a tail).
    private func busyWindow(endpoints: Int, perEndpoint: Int, random: inout FastRandom) -> WindowStats {
        let window = WindowStats(endpoints: endpoints)
        for endpoint in 0..<endpoints {
            let base = UInt64(2_000 + (endpoint * 7_919) % 98_000)
            for _ in 0..<perEndpoint {
                let tail =
                    UInt64.random(in: 0..<10, using: &random) == 0 ? UInt64.random(in: 2...10, using: &random) : 1
                let latency = base * tail + UInt64.random(in: 0...base / 2, using: &random)
                let done = 10_000_000 + latency
                window.record(
                    endpoint: endpoint, intended: 10_000_000, sent: 10_000_000 + latency / 10, done: done,
                    bytes: 100, failure: nil)
                window.phases.record(
                    endpoint: endpoint, dns: 0, connect: 0, tls: 0, ttfb: latency / 2,
                    transfer: latency / 2, bytesSent: 100, bytesReceived: 300)
            }
        }
        return window
    }

    @Test(.timeLimit(.minutes(1)))
    func tenThousandEndpointsFitInTheirBudget() {
        let endpoints = 10_000
        var random = FastRandom()
        let window = busyWindow(endpoints: endpoints, perEndpoint: 20, random: &random)
        let windowBytes = (0..<endpoints).reduce(0) {
            $0 + window.latency[$1].heapBytes + window.serviceTime[$1].heapBytes + window.phases.heapBytes(endpoint: $1)
        }
        // About three windows per thread are in circulation (filling, handed over, spare).
        #expect(
            3 * windowBytes / endpoints <= Int(RunBudget.bytesPerEndpointPerThread), "\(windowBytes / endpoints) bytes")

        // Run totals after 10 such seconds (for 200 of them: the cost is per endpoint,
        // and a debug build is slow): the spread fills most pages it touches.
        let sampled = 200
        let keys = (0..<sampled).map { EndpointKey(method: "GET", name: "/e\($0)") }
        var aggregator = RunAggregator(endpoints: keys, expectedReporters: 1, startUnixSeconds: 0)
        for second in 0..<10 {
            let filled = busyWindow(endpoints: sampled, perEndpoint: 20, random: &random)
            filled.second = second
            aggregator.absorb(filled.interval(endpoints: keys))
        }
        aggregator.closeAll()
        let totalBytes = aggregator.totals.reduce(0) {
            $0 + $1.latency.heapBytes + $1.serviceTime.heapBytes + $1.phases.heapBytes
        }
        #expect(totalBytes / sampled <= Int(RunBudget.bytesPerEndpoint), "\(totalBytes / sampled) bytes")
        #expect(aggregator.requestCount == UInt64(10 * 20 * sampled))

        // So the budget of 10,000 endpoints on 2 threads is about 1.6 GB (1.3 GB before the timing
        // phases' counts), where dense hour-long histograms took about 2 MB each (20 GB).
        let all = (0..<endpoints).map { EndpointKey(method: "GET", name: "/e\($0)") }
        var plan = Plan(
            name: "t", host: "http://127.0.0.1:1", users: 10, spawnRate: 1, duration: nil, wait: .none,
            requests: [], tasks: [], onStart: [], vars: [], data: nil, endpoints: all, thresholds: [])
        plan.usersGiven = true
        #expect(RunBudget(plan: plan, threads: 2, nodeBytes: 8 << 30).endpointBytes < 1_700_000_000)
    }

    @Test func aColdEndpointGivesItsPagesBackAndAHotOneKeepsThem() {
        let window = WindowStats(endpoints: 2)
        window.record(endpoint: 0, intended: 0, sent: 0, done: 5_000, bytes: 0, failure: nil)
        window.record(endpoint: 1, intended: 0, sent: 0, done: 5_000, bytes: 0, failure: nil)
        window.clear()
        #expect(window.latency[0].heapBytes > 0)   // used in the window just cleared: kept
        window.record(endpoint: 0, intended: 0, sent: 0, done: 5_000, bytes: 0, failure: nil)
        window.clear()
        #expect(window.latency[0].heapBytes > 0)
        #expect(window.latency[1].heapBytes == 0)   // a whole window unused: released
    }

    @Test func aValuePastTheRangeIsClampedAndCountedNotLost() {
        var histogram = LatencyHistogram()
        histogram.record(5_000)
        histogram.record(UInt64.max)
        #expect(histogram.totalCount == 2)
        #expect(histogram.overRange == 1)
        #expect(histogram.max == LatencyHistogram.highestTrackable)
    }
}

@Suite struct SaturatingMergeTests {
    @Test func countsNearTwoToTheSixtyFourSaturateInsteadOfTrapping() {
        let key = EndpointKey(method: "GET", name: "/a")
        let hostile = SparseHistogram(values: [1_000, UInt64.max], counts: [UInt64.max, UInt64.max])
        let row = EndpointInterval(
            key: key, requests: .max, failures: .max, bytes: .max, latency: hostile,
            serviceTime: hostile, failureReasons: [ReasonTally(reason: .status(500), count: .max)])
        var aggregator = RunAggregator(endpoints: [key], expectedReporters: 2, startUnixSeconds: 0)
        for second in 0..<2 {
            for _ in 0..<2 {
                aggregator.absorb(
                    IntervalStats(
                        second: second, users: .max, dropped: .max, cpuMicros: .max,
                        wallMicros: .max, threads: 1, endpoints: [row]))
            }
        }
        aggregator.absorb(
            IntervalStats(
                second: 0, users: 1, dropped: .max, cpuMicros: 0, wallMicros: 1, threads: 1,
                endpoints: [row]))   // late, into a closed second
        aggregator.closeAll()
        #expect(aggregator.requestCount == .max)
        #expect(aggregator.dropped == .max)
        #expect(aggregator.history.count == 2)
        #expect(aggregator.history[0].requests == .max)
        #expect(aggregator.failureCounts().first?.count == .max)
        let (rows, total) = aggregator.rows(seconds: 2)
        #expect(rows.first?.requests == .max && total.requests == .max)
        #expect(total.maxMs == Double(LatencyHistogram.highestTrackable) / 1000)
        #expect(total.medianMs > 0)
    }
}
