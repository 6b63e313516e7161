/// Exponential reconnect backoff: 0.5 s, 1 s, 2 s, … capped at 10 s, back to the start after a
/// successful handshake.
public struct Backoff: Sendable, Equatable {
    public let initial: Duration
    public let maximum: Duration
    public private(set) var next: Duration

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = maximum
        next = initial
    }

    /// The delay before the next attempt; each call doubles the one after.
    public mutating func delay() -> Duration {
        defer { next = min(maximum, next * 2) }
        return next
    }

    public mutating func reset() { next = initial }
}
