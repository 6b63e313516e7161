/// The answer of `DELETE /v1/runs/{id}` and `POST /v1/runs/prune`: the runs removed, oldest first,
/// and for a prune the policy applied (`keep_runs 200, keep_days 30`).
public struct RemovedRuns: Codable, Sendable, Equatable {
    public var removed: [RunID]
    public var policy: String?

    public init(removed: [RunID], policy: String? = nil) {
        self.removed = removed
        self.policy = policy
    }
}
