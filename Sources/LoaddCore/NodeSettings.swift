import Protocol

/// What the run manager needs to know about the node; replaced as a whole on reload.
struct NodeSettings: Sendable {
    var node: NodeID
    var role: NodeRole
    var threads: Int
    var capacity: UserCapacity
    /// `data_dir:`: the only folder `--remote-files` may read data files from.
    var dataDir: String
    /// Which stored runs to remove (`keep_runs:`, `keep_days:`).
    var retention: RunRetention
    /// `resume_within:`: 0 closes a run at shutdown instead of saving it for the next daemon.
    var resumeWithin: Duration = RunResumption.defaultWithin
}
