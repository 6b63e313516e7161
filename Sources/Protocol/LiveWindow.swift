/// The last few closed seconds of a run, all endpoints together: what "now" means in
/// `loadctl status --watch` and on the dashboard, where the run's averages hide a change of load
/// (after 30 → 60 users the whole-run rate still showed the old level for minutes).
public struct RecentWindow: Codable, Sendable, Equatable {
    /// The window's length: `RecentWindow.span`, or fewer at the start of a run or after a reset.
    public var seconds: Int
    public var requestsPerS: Double
    public var failuresPerS: Double
    /// Latency from the intended start over the window's requests (exact: merged histograms).
    public var medianMs: Double
    public var p95Ms: Double
    public var p99Ms: Double

    /// Closed seconds a window covers.
    public static let span = 5

    public init(
        seconds: Int, requestsPerS: Double, failuresPerS: Double, medianMs: Double, p95Ms: Double,
        p99Ms: Double
    ) {
        self.seconds = seconds
        self.requestsPerS = requestsPerS
        self.failuresPerS = failuresPerS
        self.medianMs = medianMs
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
    }

    enum CodingKeys: String, CodingKey {
        case seconds, requestsPerS = "requests_per_s", failuresPerS = "failures_per_s"
        case medianMs = "median_ms", p95Ms = "p95_ms", p99Ms = "p99_ms"
    }
}

/// A latency histogram cut at fixed bounds, as a Prometheus histogram carries it: `cumulative[i]`
/// requests took at most `LatencyBuckets.boundsMicros[i]`; `count` is every request (`+Inf`).
public struct LatencyBuckets: Codable, Sendable, Equatable {
    /// 1 ms … 60 s, the usual web-latency spread; fixed so that series from different runs and
    /// nodes can be summed in PromQL.
    public static let boundsMicros: [UInt64] = [
        1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 30_000_000, 60_000_000,
    ]

    public var cumulative: [UInt64]
    public var count: UInt64
    /// Sum of the recorded values in microseconds, each taken at its HDR bucket's middle.
    public var sumMicros: Double

    public init(
        cumulative: [UInt64] = Array(repeating: 0, count: LatencyBuckets.boundsMicros.count), count: UInt64 = 0,
        sumMicros: Double = 0
    ) {
        self.cumulative = cumulative
        self.count = count
        self.sumMicros = sumMicros
    }
}

/// One endpoint's latency from the intended start and its service time, as `LatencyBuckets`.
public struct EndpointBuckets: Codable, Sendable, Equatable {
    public var key: EndpointKey
    public var latency: LatencyBuckets
    public var serviceTime: LatencyBuckets

    public init(key: EndpointKey, latency: LatencyBuckets, serviceTime: LatencyBuckets) {
        self.key = key
        self.latency = latency
        self.serviceTime = serviceTime
    }
}
