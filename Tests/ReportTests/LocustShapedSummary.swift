import Protocol

/// A summary shaped like the run in `Tests/Fixtures/locust-2.47/` (a page and a missing page that
/// fails), with every figure a real run fills: failures' first and last seconds, history rows with the
/// run so far, a first row before any request, and a partial last second.
enum LocustShaped {
    static func summary() -> RunSummary {
        var home = Fixture.endpoint("GET", "/index.html", requests: 132, failures: 0, median: 4)
        home.avgBytes = 6
        var missing = Fixture.endpoint("GET", "/missing", requests: 38, failures: 38, median: 4)
        missing.avgBytes = 335
        let total = Fixture.endpoint("", "Aggregated", requests: 170, failures: 38, median: 4)
        func sample(_ second: Int, requests: UInt64, failures: UInt64, soFar: RunSoFar) -> HistorySample {
            var sample = HistorySample(
                second: second, timestamp: 1_795_978_123 + second, users: 2, requests: requests, failures: failures,
                medianMs: 4, p95Ms: 30, p99Ms: 41, maxMs: 53, avgMs: 7.1, generatorCpu: 0.01)
            sample.soFar = soFar
            return sample
        }
        let none = RunSoFar(
            requests: 0, failures: 0, percentilesMs: Array(repeating: 0, count: 11), minMs: 0,
            avgMs: 0, avgBytes: 0)
        let some = RunSoFar(
            requests: 68, failures: 16, percentilesMs: [4, 5, 6, 7, 13, 36, 41, 41, 41, 41, 41],
            minMs: 1.427, avgMs: 6.915, avgBytes: 83.41)
        let all = RunSoFar(
            requests: 170, failures: 38, percentilesMs: [4, 6, 7, 9, 13, 28, 41, 44, 53, 53, 53],
            minMs: 1.427, avgMs: 7.141, avgBytes: 79.54)
        var partial = sample(3, requests: 2, failures: 0, soFar: all)
        partial.partial = true
        return RunSummary(
            run: RunID(rawValue: "r-locust"), scenario: "visitor", host: "http://127.0.0.1:18777",
            startedAt: 1_795_978_122, durationS: 3.2, users: 2, endpoints: [missing, home], total: total,
            failuresByReason: [
                FailureCount(
                    method: "GET", name: "/missing", reason: "HTTP 404", count: 38,
                    firstSeen: 1_795_978_122, lastSeen: 1_795_978_127)
            ],
            history: [
                sample(0, requests: 0, failures: 0, soFar: none), sample(1, requests: 68, failures: 16, soFar: some),
                sample(2, requests: 100, failures: 22, soFar: all), partial,
            ],
            thresholds: [],
            generator: GeneratorLoad(
                peakCpu: 0.01, saturatedSeconds: 0, possiblyGeneratorBound: false,
                threads: 1),
            abortReason: nil, passed: false)
    }
}
