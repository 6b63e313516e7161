/// Latency and counts of one endpoint (or of all of them, as `total`) over a span of a run.
/// Times are milliseconds. `*_ms` latencies are measured from each request's intended start
/// (what a user waits, no coordinated omission); `service_*` from when it was actually sent.
public struct EndpointSummary: Codable, Sendable, Equatable {
    public var method: String
    public var name: String
    public var requests: UInt64
    public var failures: UInt64
    public var medianMs: Double
    public var p66Ms: Double
    public var p75Ms: Double
    public var p80Ms: Double
    public var p90Ms: Double
    public var p95Ms: Double
    public var p98Ms: Double
    public var p99Ms: Double
    public var p999Ms: Double
    public var p9999Ms: Double
    public var avgMs: Double
    public var minMs: Double
    public var maxMs: Double
    public var serviceMedianMs: Double
    public var serviceP95Ms: Double
    public var serviceP99Ms: Double
    public var avgBytes: Double
    /// Requests per second over the whole measured span.
    public var rps: Double
    /// Failures per second over the whole measured span.
    public var failuresPerS: Double
    /// Requests per second over the last few seconds (Locust's "Current RPS").
    public var currentRps: Double
    /// Failures per second over the same seconds; absent in summaries stored before it existed.
    public var currentFailuresPerS: Double?
    /// The generator's schedule lag (intended start → handed to libcurl); absent when not measured.
    public var lag: ScheduleLag?
    /// Where the time went: DNS, connect, TLS, time to first byte, transfer; absent when not measured.
    public var phases: PhaseSummary?

    public init(method: String, name: String) {
        self.method = method
        self.name = name
        requests = 0; failures = 0
        medianMs = 0; p66Ms = 0; p75Ms = 0; p80Ms = 0; p90Ms = 0; p95Ms = 0; p98Ms = 0; p99Ms = 0
        p999Ms = 0; p9999Ms = 0; avgMs = 0; minMs = 0; maxMs = 0
        serviceMedianMs = 0; serviceP95Ms = 0; serviceP99Ms = 0
        avgBytes = 0; rps = 0; failuresPerS = 0; currentRps = 0
    }

    public var key: EndpointKey { EndpointKey(method: method, name: name) }
    public var failureRate: Double { requests == 0 ? 0 : Double(failures) / Double(requests) }

    enum CodingKeys: String, CodingKey {
        case method, name, requests, failures
        case medianMs = "median_ms", p66Ms = "p66_ms", p75Ms = "p75_ms", p80Ms = "p80_ms", p90Ms = "p90_ms"
        case p95Ms = "p95_ms", p98Ms = "p98_ms", p99Ms = "p99_ms", p999Ms = "p999_ms", p9999Ms = "p9999_ms"
        case avgMs = "avg_ms", minMs = "min_ms", maxMs = "max_ms"
        case serviceMedianMs = "service_median_ms", serviceP95Ms = "service_p95_ms", serviceP99Ms = "service_p99_ms"
        case avgBytes = "avg_bytes", rps, failuresPerS = "failures_per_s", currentRps = "current_rps", lag
        case currentFailuresPerS = "current_failures_per_s", phases
    }
}
