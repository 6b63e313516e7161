/// Master → worker: the master is done with the worker's stats up to this frame — it merged it, or
/// had it already, or its run has finished — so the worker may forget that frame and every one it
/// sent before it. Cumulative and exact: a worker sends its frames in order on one connection, and
/// after a reconnect resends every frame not yet acknowledged before any new one, so the master has
/// read every earlier frame before this one. Sent in place of a heartbeat, at most one per beat.
public struct StatsAck: Codable, Sendable, Equatable {
    public var run: RunID
    public var assignment: UInt64
    /// The frame's `sequence`: a `stats` report's, or a `stats_end`'s.
    public var sequence: UInt64

    public init(run: RunID, assignment: UInt64, sequence: UInt64) {
        self.run = run
        self.assignment = assignment
        self.sequence = sequence
    }
}

/// Worker → master, after an assignment's last `stats`: its reports end here. A worker whose link
/// dropped sends it after rejoining, behind the reports it resends; a worker that restarted never
/// does, so a master that sees a newer assignment's stats first knows the old one's last seconds
/// are lost.
public struct StatsEnd: Codable, Sendable, Equatable {
    public var run: RunID
    public var assignment: UInt64
    /// One past the assignment's last report: the frame's place in the worker's queue.
    public var sequence: UInt64
    /// Reports of the assignment the worker dropped unsent or unacknowledged (its bound was full),
    /// and the engine-thread seconds they held.
    public var droppedReports: UInt64
    public var droppedSeconds: UInt64

    public init(
        run: RunID, assignment: UInt64, sequence: UInt64, droppedReports: UInt64 = 0, droppedSeconds: UInt64 = 0
    ) {
        self.run = run
        self.assignment = assignment
        self.sequence = sequence
        self.droppedReports = droppedReports
        self.droppedSeconds = droppedSeconds
    }

    enum CodingKeys: String, CodingKey {
        case run, assignment, sequence
        case droppedReports = "dropped_reports", droppedSeconds = "dropped_seconds"
    }
}
