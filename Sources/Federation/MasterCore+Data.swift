import Engine
import Protocol

extension MasterCore {
    /// Refuses a fleet run in `data: { mode: unique }` that could hand one row to two users at once:
    /// more users fleet-wide than rows, or (users split by capacity) a worker with more users than
    /// its interleaved slice of the rows (`DataPartition`: worker *i* of *n*, in node-name order as
    /// `FleetRun` deals the slots, takes rows i, i+n, …). Each worker's engine checks its own share
    /// again when it starts (a re-split mid-run included).
    func checkUniqueData(_ plan: Plan, workers: [WorkerCapacity]) throws(FederationError) {
        guard let data = plan.data, data.mode == .unique else { return }
        let rows = data.rows.count
        let peak = Int(clamping: RunBudget(plan: plan, threads: 1, nodeBytes: 0).users)
        let what = plan.isOpenModel ? "max_in_flight" : "users"
        if peak > rows {
            throw FederationError(
                "data mode unique gives each user its own row: \(what) \(peak) over the fleet need "
                    + "\(peak) rows, the data file has \(rows); use fewer users, more rows, or mode: cycle")
        }
        guard !plan.isOpenModel, plan.stages.isEmpty, !workers.isEmpty,
            let split = try? CapacitySplit.split(users: plan.users, spawnRate: plan.spawnRate, among: workers)
        else { return }
        let ordered = workers.map(\.node).sorted { $0.rawValue < $1.rawValue }
        for (slot, node) in ordered.enumerated() {
            let users = split[node]?.users ?? 0
            let slice = DataPartition(slot: slot, of: ordered.count).rows(of: rows)
            if users > slice {
                throw FederationError(
                    "data mode unique gives each user its own row: worker \(node.rawValue) would run "
                        + "\(users) users but its slice of the data has \(slice) of the \(rows) rows "
                        + "(rows are dealt in turn to \(ordered.count) workers); use fewer users, "
                        + "more rows, or mode: cycle")
            }
        }
    }
}
