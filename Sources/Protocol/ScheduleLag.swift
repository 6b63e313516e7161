/// How late the generator itself was: from each request's intended start (its schedule: think time,
/// pacing, the open model's arrival) to the moment the engine handed it to libcurl. Latency is measured
/// from the intended start, so this lateness is inside it; kept apart here so a reader can tell the
/// generator's share from the target's. Milliseconds.
public struct ScheduleLag: Codable, Sendable, Equatable {
    public var medianMs: Double
    public var p99Ms: Double
    public var maxMs: Double

    public init(medianMs: Double, p99Ms: Double, maxMs: Double) {
        self.medianMs = medianMs
        self.p99Ms = p99Ms
        self.maxMs = maxMs
    }

    /// The lag p99 past which the run is flagged generator-limited: 5 ms, or a tenth of the latency
    /// median when that is larger.
    public static func bound(latencyMedianMs: Double) -> Double {
        max(5, latencyMedianMs / 10)
    }

    enum CodingKeys: String, CodingKey {
        case medianMs = "median_ms", p99Ms = "p99_ms", maxMs = "max_ms"
    }
}
