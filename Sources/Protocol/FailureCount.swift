/// How many requests of one endpoint failed for one reason ("HTTP 500", "timeout", …).
public struct FailureCount: Codable, Sendable, Equatable {
    public var method: String
    public var name: String
    public var reason: String
    public var count: UInt64
    /// Unix seconds (whole, floored) of the second this failure was first and last seen in; Locust's
    /// `First Seen` / `Last Seen`. Absent in summaries written before loadd kept them.
    public var firstSeen: Int?
    public var lastSeen: Int?

    public init(
        method: String, name: String, reason: String, count: UInt64, firstSeen: Int? = nil,
        lastSeen: Int? = nil
    ) {
        self.method = method
        self.name = name
        self.reason = reason
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case method, name, reason, count, firstSeen = "first_seen", lastSeen = "last_seen"
    }
}
