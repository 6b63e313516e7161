/// One second of a run, all endpoints together: the row of Locust's stats_history CSV.
public struct HistorySample: Codable, Sendable, Equatable {
    /// Seconds since the run started.
    public var second: Int
    /// Unix time of that second, for Locust's `Timestamp` column.
    public var timestamp: Int
    public var users: Int
    public var requests: UInt64
    public var failures: UInt64
    public var medianMs: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    public var avgMs: Double
    /// Share of one core the engine threads used in that second, 0…1 (mean over threads).
    public var generatorCpu: Double
    /// Open model: iterations that could not start on time in that second.
    public var dropped: UInt64?
    /// The run from its measured start to the end of this second, as Locust's history rows carry it.
    public var soFar: RunSoFar?
    /// Connections opened in that second (reused ones not counted): a target restart shows as a burst.
    public var newConnections: UInt64?
    /// True when the run measured only part of this second (its last, cut short by the end): its counts
    /// are not a full second's, so Locust's history file leaves it out rather than plot a collapse.
    public var partial: Bool?

    public init(
        second: Int, timestamp: Int, users: Int, requests: UInt64, failures: UInt64, medianMs: Double,
        p95Ms: Double, p99Ms: Double, maxMs: Double, avgMs: Double, generatorCpu: Double
    ) {
        self.second = second
        self.timestamp = timestamp
        self.users = users
        self.requests = requests
        self.failures = failures
        self.medianMs = medianMs
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.maxMs = maxMs
        self.avgMs = avgMs
        self.generatorCpu = generatorCpu
    }

    enum CodingKeys: String, CodingKey {
        case second, timestamp, users, requests, failures
        case medianMs = "median_ms", p95Ms = "p95_ms", p99Ms = "p99_ms", maxMs = "max_ms", avgMs = "avg_ms"
        case generatorCpu = "generator_cpu", dropped, soFar = "so_far", partial, newConnections = "new_connections"
    }
}
