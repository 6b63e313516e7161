/// All endpoints together from the measured start of a run to the end of one second: what Locust's
/// `stats_history.csv` writes on each row beside that second's rates (its percentile columns are the
/// run's so far, not the second's). Latencies in milliseconds from each request's intended start.
public struct RunSoFar: Codable, Sendable, Equatable {
    public var requests: UInt64
    public var failures: UInt64
    /// 50, 66, 75, 80, 90, 95, 98, 99, 99.9 and 99.99 %, then the maximum: Locust's eleven columns.
    public var percentilesMs: [Double]
    public var minMs: Double
    public var avgMs: Double
    public var avgBytes: Double

    public init(
        requests: UInt64, failures: UInt64, percentilesMs: [Double], minMs: Double, avgMs: Double,
        avgBytes: Double
    ) {
        self.requests = requests
        self.failures = failures
        self.percentilesMs = percentilesMs
        self.minMs = minMs
        self.avgMs = avgMs
        self.avgBytes = avgBytes
    }

    /// The median, from `percentilesMs`.
    public var medianMs: Double { percentilesMs.first ?? 0 }
    /// The maximum, from `percentilesMs`.
    public var maxMs: Double { percentilesMs.last ?? 0 }

    enum CodingKeys: String, CodingKey {
        case requests, failures, percentilesMs = "percentiles_ms", minMs = "min_ms", avgMs = "avg_ms"
        case avgBytes = "avg_bytes"
    }
}
