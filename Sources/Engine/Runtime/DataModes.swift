/// Which data row a (re)started user takes, by `data: { mode: … }`. Once per user start, never per request.
enum DataRowPick {
    /// The row (before wrapping by the caller) for a user starting in `slot` of engine thread `thread`.
    /// - cycle: the thread's `spawned`-th start takes the next row of the node's slice, wrapping;
    ///   a restarted user takes a new row.
    /// - unique: the user's place on the node (`slot × threads + thread`, dense because every thread
    ///   runs its share of the node's users in slots 0…) picks its row of the slice, so no two users
    ///   running at once share one; the engine refused the run at start if the slice is too short, and
    ///   in the open model a thread adds no user whose place is past the slice (the arrival is then
    ///   dropped and counted, as at `max_in_flight`).
    /// - random: any row of the file, drawn from the thread's generator.
    static func row(
        _ mode: DataMode, partition: DataPartition, spawned: Int, slot: Int, thread: Int, threads: Int,
        rows: Int, random: inout FastRandom
    ) -> Int {
        switch mode {
        case .cycle:
            return partition.row(forUser: spawned * threads + thread)
        case .unique:
            return partition.row(forUser: slot * threads + thread)
        case .random:
            return rows > 0 ? Int.random(in: 0..<rows, using: &random) : 0
        }
    }
}

extension Engine {
    /// Refuses a `unique` data run that could have more users at once on this node than its slice
    /// of the rows holds. `peakUsers` is the run's peak on this node (`RunBudget.users`: users, stage
    /// targets, or `max_in_flight` in the open model, whose threads add no user past the slice's rows).
    static func checkUniqueData(_ plan: Plan, peakUsers: UInt64) throws(RunBudgetError) {
        guard plan.uniqueUserCap != nil else { return }
        let peak = Int(clamping: peakUsers)
        let what = plan.isOpenModel ? "max_in_flight: \(peak) iterations in flight" : "\(peak) users"
        if let problem = plan.uniqueDataProblem(users: peak, what: what) {
            throw RunBudgetError(field: "data.mode", neededBytes: 0, allowedBytes: 0, description: problem)
        }
    }
}
