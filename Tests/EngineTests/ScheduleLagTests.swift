import Protocol
import Testing

@testable import Engine

/// The generator's schedule lag: recorded per request beside latency and service time, merged like
/// them, reported per endpoint, and flagging a run whose lag p99 passes its bound.
@Suite struct ScheduleLagTests {
    private let key = EndpointKey(method: "GET", name: "/a")

    @Test func lagIsFromIntendedStartToTheHandOverToLibcurl() throws {
        let window = WindowStats(endpoints: 1)
        window.record(endpoint: 0, intended: 0, sent: 40_000, done: 50_000, bytes: 0, failure: nil)
        let row = try #require(window.interval(endpoints: [key]).endpoints.first)
        let lag = try #require(row.lag)
        #expect(lag.values.count == 1 && LatencyHistogram.highestEquivalent(40_000) == lag.values[0])
    }

    private func interval(second: Int, latencyMicros: UInt64, lagMicros: UInt64) -> IntervalStats {
        var latency = LatencyHistogram()
        latency.record(latencyMicros, count: 100)
        var lag = LatencyHistogram()
        lag.record(lagMicros, count: 100)
        var row = EndpointInterval(
            key: key, requests: 100, failures: 0, bytes: 0, latency: SparseHistogram(latency),
            serviceTime: SparseHistogram(latency), failureReasons: [])
        row.lag = SparseHistogram(lag)
        return IntervalStats(
            second: second, users: 1, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000, threads: 1,
            endpoints: [row])
    }

    private func summary(lagMicros: UInt64, latencyMicros: UInt64) throws -> RunSummary {
        let plan = try ScenarioLoader.load(
            yaml: "name: s\nhost: http://127.0.0.1:1\ntasks: [ { request: GET /a } ]\n",
            file: "s.yaml", baseDirectory: ".")
        var aggregator = RunAggregator(endpoints: [key], expectedReporters: 1, startUnixSeconds: 0)
        aggregator.absorb(interval(second: 0, latencyMicros: latencyMicros, lagMicros: lagMicros))
        return aggregator.summary(
            plan: plan, run: nil, startedAt: 0, measuredSeconds: 1, users: 1, threads: 1,
            abortReason: nil)
    }

    @Test func aLagP99AboveFiveMillisecondsOrATenthOfTheMedianFlagsTheRun() throws {
        let late = try summary(lagMicros: 8_000, latencyMicros: 20_000)
        #expect(late.total.lag.map { $0.p99Ms > 7.9 && $0.p99Ms < 8.1 } == true)
        #expect(late.endpoints.first?.lag != nil)
        #expect(late.generator.scheduleLagLimited?.contains("above 5.0 ms") == true, "\(late.generator)")
        // 8 ms of lag on a 200 ms median is within a tenth of it: the target dominates.
        #expect(try summary(lagMicros: 8_000, latencyMicros: 200_000).generator.scheduleLagLimited == nil)
        #expect(try summary(lagMicros: 100, latencyMicros: 1_000).generator.scheduleLagLimited == nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func aRunWithThinkTimeReportsItsLagAndLatencyBeyondServiceTimeStaysWithinIt() async throws {
        let summary = try await runAgainstTarget(
            """
            name: lag
            host: http://placeholder
            users: 4
            spawn_rate: 100
            duration: 2s
            wait: { constant: 5ms }
            tasks: [ { request: GET /Test/V1 } ]
            """, threads: 1)
        let lag = try #require(summary.total.lag)
        let about = "latency median \(summary.total.medianMs), service \(summary.total.serviceMedianMs), lag \(lag)"
        #expect(summary.total.requests > 0)
        #expect(lag.medianMs <= lag.p99Ms && lag.p99Ms <= lag.maxMs)
        // Latency is from the intended start, service time from the send: what lies between is the lag
        // (one histogram bucket, 0.1 %, of slack for the merge).
        #expect(summary.total.medianMs - summary.total.serviceMedianMs <= lag.p99Ms * 1.001 + 0.001, "\(about)")
        // Per request, latency minus service time is the lag, so their median difference is the lag p50.
        // With the generator's core to itself it is under 0.1 ms (bench/timers.sh: 0.06–0.09 ms, most of it
        // this VM's own wake-up floor); this test shares two cores with the rest of the suite and with
        // builds, where a debug build measured 0.08–0.09 ms, so it holds
        // the lag p50 to 0.25 ms: still half of what the millisecond poll timeout alone gave (it rounds
        // each 5 ms wait up to the next whole millisecond: 0.41 ms at the median in the same test).
        #expect(lag.medianMs <= 0.25, "\(about)")
    }
}
