/// When a second of a run counts as slow or failing for the summary's slow periods: the scenario's
/// `report: { slow_p99: 1s, slow_failures: 1% }`. A hang (nothing completed while a request was
/// outstanding) needs no bound.
public struct SlowBounds: Sendable, Equatable {
    /// A second whose p99 (from intended start) is above this is slow. `report.slow_p99`.
    public var p99: Duration = .seconds(1)
    /// A second whose failed share of completed requests is above this (0…1) is failing.
    /// `report.slow_failures`; 0 makes any failure count.
    public var failureShare: Double = 0.01

    public init(p99: Duration = .seconds(1), failureShare: Double = 0.01) {
        self.p99 = p99
        self.failureShare = failureShare
    }

    /// `p99` in milliseconds, as the history's figures are.
    public var p99Ms: Double {
        let (seconds, attoseconds) = p99.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
