import Protocol

/// Acknowledgements held back until a save holds what they acknowledge. A worker forgets the stats
/// a `stats_ack` names; had the master acknowledged reports merged after its last save and then
/// died (kill -9, a crash), the resumed run — which has only the saved books — would have lost
/// them for good. So once a run is saved for resuming, an ack goes out only after a save that
/// includes the reports it names is written. Before a run's first save nothing is held: a master
/// that dies then leaves no record to resume from, and nothing would merge the reports anyway.
struct AckSaveGate {
    /// The run whose saves gate the acks: set by its first save.
    private(set) var run: RunID?
    /// Acks of reports inside the save being written.
    private var captured: [NodeID: StatsAck] = [:]
    /// Acks of reports inside a save already written: due on the next beat.
    private var released: [NodeID: StatsAck] = [:]

    /// A save of `run` is being taken, with every report noted so far (`pending`) in it.
    mutating func capture(_ pending: inout [NodeID: StatsAck], of run: RunID) {
        if self.run != run {
            // Another run's held acks: nothing will save them any more.
            Self.merge(&released, newer: captured)
            captured.removeAll()
            self.run = run
        }
        Self.merge(&captured, newer: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// The save taken last is written: its acks may go.
    mutating func saved() {
        Self.merge(&released, newer: captured)
        captured.removeAll()
    }

    /// The acks due on this beat. Held ones wait for their save while `current` is the gated run
    /// and still going; for another run, or once it has finished (no save will follow, its results
    /// are written), everything noted goes.
    mutating func due(_ pending: inout [NodeID: StatsAck], current: RunID?, finished: Bool) -> [NodeID: StatsAck] {
        var due = released
        released.removeAll()
        if run == nil || run != current || finished {
            Self.merge(&due, newer: captured)
            captured.removeAll()
            Self.merge(&due, newer: pending)
            pending.removeAll(keepingCapacity: true)
        }
        return due
    }

    /// Acks are cumulative per worker: the newer one covers the older.
    private static func merge(_ acks: inout [NodeID: StatsAck], newer: [NodeID: StatsAck]) {
        acks.merge(newer) { _, newer in newer }
    }
}
