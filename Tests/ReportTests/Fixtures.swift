import Protocol

/// A small but complete run: two endpoints (one with an awkward name), failures, history, thresholds.
enum Fixture {
    static func endpoint(
        _ method: String, _ name: String, requests: UInt64, failures: UInt64,
        median: Double
    ) -> EndpointSummary {
        var entry = EndpointSummary(method: method, name: name)
        entry.requests = requests
        entry.failures = failures
        entry.medianMs = median
        entry.p66Ms = median * 1.2; entry.p75Ms = median * 1.4; entry.p80Ms = median * 1.5
        entry.p90Ms = median * 2; entry.p95Ms = median * 3; entry.p98Ms = median * 4; entry.p99Ms = median * 5
        entry.p999Ms = median * 8; entry.p9999Ms = median * 9
        entry.avgMs = median * 1.1; entry.minMs = median / 4; entry.maxMs = median * 10
        entry.serviceMedianMs = median * 0.9; entry.serviceP95Ms = median * 2.5; entry.serviceP99Ms = median * 4
        entry.avgBytes = 512
        entry.rps = Double(requests) / 60
        entry.failuresPerS = Double(failures) / 60
        return entry
    }

    static let awkwardName = "/search?q=a,b \"quoted\""

    static func summary(passed: Bool = false, generatorBound: Bool = true, abortReason: String? = nil) -> RunSummary {
        let home = endpoint("GET", "/", requests: 2400, failures: 12, median: 1.234)
        let post = endpoint("POST", "/post/[id]", requests: 600, failures: 0, median: 45.6)
        let search = endpoint("GET", awkwardName, requests: 0, failures: 0, median: 0)
        var total = endpoint("", "Total", requests: 3000, failures: 12, median: 2.0)
        total.maxMs = 456
        return RunSummary(
            run: RunID(rawValue: "r-42"), scenario: "shop", host: "http://127.0.0.1:8080", startedAt: 1_700_000_000,
            durationS: 60, users: 200,
            endpoints: [post, search, home],   // deliberately unsorted
            total: total,
            failuresByReason: [
                FailureCount(method: "GET", name: "/", reason: "HTTP 500", count: 10),
                FailureCount(method: "GET", name: "/", reason: "timeout, after 5 s", count: 2),
            ],
            history: [
                HistorySample(
                    second: 1, timestamp: 1_700_000_001, users: 100, requests: 40, failures: 0,
                    medianMs: 2, p95Ms: 6, p99Ms: 9, maxMs: 12, avgMs: 3, generatorCpu: 0.5),
                HistorySample(
                    second: 0, timestamp: 1_700_000_000, users: 50, requests: 10, failures: 1,
                    medianMs: 1, p95Ms: 4, p99Ms: 8, maxMs: 20, avgMs: 2, generatorCpu: 0.4),
                HistorySample(
                    second: 2, timestamp: 1_700_000_002, users: 200, requests: 0, failures: 0,
                    medianMs: 0, p95Ms: 0, p99Ms: 0, maxMs: 0, avgMs: 0, generatorCpu: 0.3),
            ],
            thresholds: [
                ThresholdResult(expression: "p95 < 150ms", endpoint: nil, actual: 6, passed: true),
                ThresholdResult(
                    expression: "failure_rate < 0.001", endpoint: EndpointKey(method: "GET", name: "/"),
                    actual: 0.005, passed: false),
            ],
            generator: GeneratorLoad(
                peakCpu: 0.97, saturatedSeconds: 14, possiblyGeneratorBound: generatorBound,
                threads: 4),
            abortReason: abortReason, passed: passed)
    }
}
