/// How hard the load generator itself worked: a saturated generator under-reports the target.
public struct GeneratorLoad: Codable, Sendable, Equatable {
    /// Highest per-second CPU share of the engine threads, 0…1.
    public var peakCpu: Double
    /// Seconds in which the engine threads sat above 90 % of their cores.
    public var saturatedSeconds: Int
    /// True when the figures may describe the generator rather than the target.
    public var possiblyGeneratorBound: Bool
    public var threads: Int
    /// Why the generator's own lateness may distort the figures (lag p99 above its bound), if it may.
    public var scheduleLagLimited: String?

    public init(peakCpu: Double, saturatedSeconds: Int, possiblyGeneratorBound: Bool, threads: Int) {
        self.peakCpu = peakCpu
        self.saturatedSeconds = saturatedSeconds
        self.possiblyGeneratorBound = possiblyGeneratorBound
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey {
        case peakCpu = "peak_cpu", saturatedSeconds = "saturated_seconds"
        case possiblyGeneratorBound = "possibly_generator_bound", threads
        case scheduleLagLimited = "schedule_lag_limited"
    }
}
