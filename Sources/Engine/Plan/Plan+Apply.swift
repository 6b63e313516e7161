import Protocol

extension Plan {
    /// The one way a compiled plan's load settings are changed before it runs: the run's
    /// overrides — the same in-process (`loadctl run --users … --host …`), on the daemon and on a
    /// fleet worker — and, on a worker, its `share` of the fleet's run.
    ///
    /// Overrides: a user count without a spawn rate starts everyone within a second unless the
    /// scenario set a rate; `rate` runs the open model, `users` the closed one.
    ///
    /// Share: a staged run keeps the fleet's levels, as the master compiled them (the warm-up level
    /// too), and the slice picks this worker's part, so the workers' users add up to the fleet's
    /// exactly; otherwise the share's users or rate replace the plan's. The warm-up and duration
    /// become what is left of them. The share's numbers were checked on decode (`FieldRanges`).
    public mutating func apply(_ overrides: RunOverrides, share: FleetShare? = nil) {
        if let users = overrides.users {
            self.users = users
            usersGiven = true   // a warm-up before stages then runs at this count
            if overrides.spawnRate == nil && spawnRate < 1 { spawnRate = Double(max(1, users)) }
        }
        if let spawnRate = overrides.spawnRate { self.spawnRate = spawnRate }
        if let duration = overrides.duration { self.duration = DurationParser.parse(duration) }
        if let host = overrides.host { self.host = host.hasSuffix("/") ? String(host.dropLast()) : host }
        if let rate = overrides.rate {
            arrivalRate = rate
            stages = []
        } else if overrides.users != nil && isOpenModel {
            arrivalRate = nil   // --users turns an open-model scenario into a closed one
            stages = []
        }
        if let share { apply(share) }
    }

    private mutating func apply(_ share: FleetShare) {
        if share.staged {
            if let maxInFlight = share.maxInFlight { self.maxInFlight = maxInFlight }
        } else if let rate = share.rate {
            arrivalRate = rate
            stages = []
            if let maxInFlight = share.maxInFlight { self.maxInFlight = maxInFlight }
        } else {
            arrivalRate = nil
            stages = []
            users = share.users
            spawnRate = share.spawnRate
        }
        self.share = Share(
            stagesElapsed: .milliseconds(share.stagesElapsedMs),
            stageSlice: share.staged ? share.stageSlice : .whole,
            dataPartition: DataPartition(slot: share.dataSlot, of: share.dataSlots))
        warmup = share.warmupMs.flatMap { $0 > 0 ? .milliseconds($0) : nil }
        duration = share.remainingMs.map { .milliseconds($0) }
    }
}
