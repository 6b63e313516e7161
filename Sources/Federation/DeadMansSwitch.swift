/// A worker's guard against orphaned load: once nothing has come from the master for `timeout`,
/// the load must stop, whatever the reason (master dead, network cut, master wedged). Pure: the
/// worker calls `heard` on every frame and asks `hasTripped` on its ticker.
public struct DeadMansSwitch: Sendable, Equatable {
    public let timeout: Duration
    public private(set) var lastHeard: Duration

    public init(timeout: Duration, armedAt now: Duration) {
        self.timeout = timeout
        lastHeard = now
    }

    public mutating func heard(at now: Duration) {
        lastHeard = max(lastHeard, now)
    }

    public func hasTripped(at now: Duration) -> Bool {
        now - lastHeard >= timeout
    }

    /// How long until it trips if nothing comes; zero once tripped.
    public func remaining(at now: Duration) -> Duration {
        max(.zero, timeout - (now - lastHeard))
    }
}
