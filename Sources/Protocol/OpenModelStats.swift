/// The open model's own figures: what was asked, and what could not be started.
public struct OpenModelStats: Codable, Sendable, Equatable {
    /// Iterations per second asked for (now, or at the end of the run).
    public var targetRate: Double
    public var maxInFlight: Int
    /// Iterations that found no free slot (`max_in_flight` reached) and were not started.
    public var dropped: UInt64

    public init(targetRate: Double, maxInFlight: Int, dropped: UInt64) {
        self.targetRate = targetRate
        self.maxInFlight = maxInFlight
        self.dropped = dropped
    }

    enum CodingKeys: String, CodingKey {
        case targetRate = "target_rate", maxInFlight = "max_in_flight", dropped
    }
}
