/// One daemon restart a run survived. The daemon (a single node, or a fleet's master) last saved
/// the run at `restartedAt`, and a new daemon took it up again at `resumedAt`: nothing generated
/// load in between, so the history has no row for the seconds `gapFrom..<gapTo` (a gap, not
/// seconds of zero requests), and `gapS` is left out of the summary's `duration_s`.
public struct RunResume: Codable, Sendable, Equatable {
    /// Unix seconds of the last saved state (what a restart keeps) and of the run going on.
    public var restartedAt: Int
    public var resumedAt: Int
    /// The run seconds with no load at all, `gapFrom` included, `gapTo` not; empty when the
    /// restart took less than a second (the two seconds around it are partial).
    public var gapFrom: Int
    public var gapTo: Int
    /// Seconds without load, fractions included: what the measured duration leaves out.
    public var gapS: Double
    /// A fleet's master: workers connected when the run went on (more rejoin later, see the
    /// fleet events); `nil` on a single node.
    public var workersBack: Int?

    public init(restartedAt: Int, resumedAt: Int, gapFrom: Int, gapTo: Int, gapS: Double, workersBack: Int? = nil) {
        self.restartedAt = restartedAt
        self.resumedAt = resumedAt
        self.gapFrom = gapFrom
        self.gapTo = gapTo
        self.gapS = gapS
        self.workersBack = workersBack
    }

    enum CodingKeys: String, CodingKey {
        case restartedAt = "restarted_at", resumedAt = "resumed_at", gapFrom = "gap_from", gapTo = "gap_to"
        case gapS = "gap_s", workersBack = "workers_back"
    }

    /// Whether run second `second` fell in this gap.
    public func covers(_ second: Int) -> Bool { second >= gapFrom && second < gapTo }
}

extension RunSummary {
    /// Seconds of restart gaps (`RunResume`): the measured span's wall-clock length is
    /// `duration_s` plus this.
    public var gapS: Double { resumes?.reduce(0) { $0 + $1.gapS } ?? 0 }
}
