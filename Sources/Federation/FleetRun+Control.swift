import Engine
import Protocol

extension FleetRun {
    /// A worker joined while the run goes: it gets its share at once, the others shrink, the
    /// total stays (a staged run: every worker's part of the stages shrinks). Ignored once the
    /// run is stopping.
    public mutating func join(_ capacity: WorkerCapacity, threads: Int, now: Duration) -> [Outgoing] {
        guard phase == .running, shares[capacity.node] == nil else { return [] }
        noteLosses(now: now)
        benched[capacity.node] = nil
        let split = bestSplit(among: shares.values.map(\.capacity) + [capacity])
        var out = followsStages ? rescale(split) : resize(split, now: now)
        if let part = split[capacity.node] {
            out.append(assign(capacity, threads: threads, part, now: now))
        }
        record("worker \(capacity.node) joined; \(noun) re-split: \(describeShares())", now: now)
        noteRejoin(capacity.node, now: now)
        return out
    }

    /// A worker left (connection closed or heartbeats missed): its load goes to the others.
    public mutating func lose(_ node: NodeID, reason: String, now: Duration) -> [Outgoing] {
        guard shares.removeValue(forKey: node) != nil else { return [] }
        ledger.expectedReporters = threads
        noteLosses(now: now)
        guard phase == .running else {
            record("worker \(node) lost (\(reason)) while stopping", now: now)
            return []
        }
        guard !shares.isEmpty else {
            record("worker \(node) lost (\(reason)); no workers left: its load waits for one to join", now: now)
            return []
        }
        let out = moveLoad(now: now)
        record("worker \(node) lost (\(reason)); \(noun) re-split: \(describeShares())", now: now)
        return out
    }

    /// `loadctl users N` on the master (closed model). - Throws: `SplitError` when the fleet cannot
    /// hold `users` or the run is not a closed-model one.
    public mutating func setUsers(_ users: Int, spawnRate: Double?, now: Duration) throws(SplitError) -> [Outgoing] {
        guard phase == .running else { throw SplitError(description: "run \(id) is \(phase.rawValue)") }
        guard rate == nil else {
            throw SplitError(description: "this run uses the open model (rate:); change its arrival rate instead")
        }
        let newRate = spawnRate ?? self.spawnRate
        _ = try CapacitySplit.split(users: users, spawnRate: newRate, among: shares.values.map(\.capacity))
        noteLosses(now: now)
        self.users = users
        self.spawnRate = newRate
        // As on one node, a user count replaces the stages; later re-splits move users.
        followsStages = false
        let out = resize(try split(among: shares.values.map(\.capacity)), now: now)
        record("users changed to \(users) at \(Self.format(newRate))/s: \(describeShares())", now: now)
        return out
    }

    /// `loadctl rate N` on the master (open model). - Throws: `SplitError` for a closed-model run.
    public mutating func setRate(_ rate: Double, now: Duration) throws(SplitError) -> [Outgoing] {
        guard phase == .running else { throw SplitError(description: "run \(id) is \(phase.rawValue)") }
        guard self.rate != nil else {
            throw SplitError(description: "this run uses the closed model (users:); change its users instead")
        }
        noteLosses(now: now)
        self.rate = rate
        followsStages = false
        let out = resize(try split(among: shares.values.map(\.capacity)), now: now)
        record("rate changed to \(Self.format(rate))/s: \(describeShares())", now: now)
        return out
    }

    /// Zeroes the merged statistics from the next second on and tells the workers to do the same.
    public mutating func reset(now: Duration) -> [Outgoing] {
        guard phase == .running else { return [] }
        let at = ledger.reset(at: now - started)
        record("statistics reset from second \(at)", now: now)
        return shares.keys.sorted { $0.rawValue < $1.rawValue }.map {
            Outgoing(node: $0, message: .reset(ResetRequest(run: id, atSecond: at)))
        }
    }

    /// Stops every share; with `failure`, `reason` becomes the run's abort reason (it fails).
    public mutating func stop(now: Duration, reason: String = "stop requested", failure: Bool = false) -> [Outgoing] {
        guard phase == .running else { return [] }
        noteLosses(now: now)
        ledger.stop(at: now - started)
        if failure { ledger.fail(reason) }
        record("stopping: \(reason)", now: now)
        return shares.keys.sorted { $0.rawValue < $1.rawValue }.map {
            Outgoing(node: $0, message: .stop(StopRequest(run: id)))
        }
    }

    /// A worker's state report. A share that ended by itself with a reason (an unreachable target)
    /// ends the whole run that way, as it would on one node.
    public mutating func workerReported(_ report: WorkerReport, from node: NodeID, now: Duration) -> [Outgoing] {
        if report.run == id, shares[node] != nil { shares[node]?.reportedUsers = report.users }
        guard report.run == id, report.activity == .idle, var share = shares[node], !share.ended else { return [] }
        share.ended = true
        shares[node] = share
        guard phase == .running else { return tick(now: now) }
        if let unredacted = report.abortReason {
            let reason = request.secrets.redact(unredacted)
            record("worker \(node) ended its share: \(reason)", now: now)
            return stop(now: now, reason: reason, failure: true)
        }
        return []
    }

    // MARK: Helpers

    var noun: String { followsStages ? "stages" : rate == nil ? "users" : "rate" }

    /// The run's load over `workers`: users by largest remainder (closed) or the rate (open).
    func split(among workers: [WorkerCapacity]) throws(SplitError) -> [NodeID: Part] {
        let slices = CapacitySplit.slices(among: workers)
        if let rate {
            return try CapacitySplit.split(rate: rate, maxInFlight: maxInFlight, among: workers).reduce(into: [:]) {
                $0[$1.key] = Part(
                    users: 0, spawnRate: spawnRate, rate: $1.value.rate, maxInFlight: $1.value.maxInFlight,
                    slice: slices[$1.key]!)
            }
        }
        let users = try CapacitySplit.split(users: self.users, spawnRate: spawnRate, among: workers)
        return users.reduce(into: [:]) {
            $0[$1.key] = Part(
                users: $1.value.users, spawnRate: $1.value.spawnRate, rate: nil, maxInFlight: nil,
                slice: slices[$1.key]!)
        }
    }

    /// Moves the load over the shares left after a loss: new parts to those whose part changed.
    mutating func moveLoad(now: Duration) -> [Outgoing] {
        let split = bestSplit(among: shares.values.map(\.capacity))
        return followsStages ? rescale(split) : resize(split, now: now)
    }

    /// The split of the asked load over `workers`, or, when they cannot hold all the users, every
    /// worker at its limit: a lost worker must not stop the run, only shrink it (the event says so).
    private func bestSplit(among workers: [WorkerCapacity]) -> [NodeID: Part] {
        if let split = try? split(among: workers) { return split }
        var capped = self
        capped.users = min(users, workers.reduce(0) { $0.saturatingAdd($1.share > 0 ? min($1.limit, users) : 0) })
        return (try? capped.split(among: workers)) ?? [:]
    }

    /// `setUsers` or `setRate` for every share whose part changed.
    private mutating func resize(_ split: [NodeID: Part], now: Duration) -> [Outgoing] {
        var out: [Outgoing] = []
        for node in shares.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let new = split[node], var share = shares[node], new != share.part else { continue }
            share.part = new
            share.partSince = now
            share.usersBefore = min(share.reportedUsers ?? 0, FieldRanges.users.upperBound)
            share.shortSince = nil
            share.shortfall = nil
            shares[node] = share
            let message: FederationMessage =
                if let rate = new.rate {
                    .setRate(RateChange(run: id, rate: rate))
                } else {
                    .setUsers(UsersChange(run: id, users: new.users, spawnRate: new.spawnRate))
                }
            out.append(Outgoing(node: node, message: message))
        }
        return out
    }

    /// `setSlice` for every share whose part of a staged run changed.
    private mutating func rescale(_ split: [NodeID: Part]) -> [Outgoing] {
        var out: [Outgoing] = []
        for node in shares.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let new = split[node], var share = shares[node], new.slice != share.part.slice else { continue }
            share.part = new
            shares[node] = share
            out.append(Outgoing(node: node, message: .setSlice(SliceChange(run: id, slice: new.slice))))
        }
        return out
    }

    /// Records a new share and builds its `assign`, with what is left of the warm-up and duration.
    mutating func assign(_ capacity: WorkerCapacity, threads: Int, _ part: Part, now: Duration) -> Outgoing {
        let number = nextAssignment
        nextAssignment += 1
        assignedTo[number] = capacity.node
        let taken = Set(shares.values.map(\.dataSlot))
        let slot = (0...).first { !taken.contains($0) }!
        shares[capacity.node] = Share(
            capacity: capacity, threads: threads, assignment: number, part: part, dataSlot: slot,
            partSince: now)
        ledger.expectedReporters = self.threads
        let elapsed = Int((now - started) / .milliseconds(1))
        let warmup = warmupSeconds > 0 ? max(0, warmupSeconds * 1000 - elapsed) : nil
        let remaining = runLength.map { max(0, Int($0 / .milliseconds(1)) - elapsed - (warmup ?? 0)) }
        let intoStages = followsStages ? max(0, elapsed - warmupSeconds * 1000) : 0
        let share = FleetShare(
            users: part.users, spawnRate: part.spawnRate, rate: part.rate, maxInFlight: part.maxInFlight,
            staged: followsStages, stageSlice: part.slice, stagesElapsedMs: intoStages, warmupMs: warmup,
            remainingMs: remaining, startSecond: second(at: now), dataSlot: slot % dataSlots, dataSlots: dataSlots)
        var assignment = Assignment(
            run: id, assignment: number, scenario: request.scenario, file: request.file,
            overrides: request.overrides, share: share,
            files: request.files.isEmpty ? nil : request.files)
        assignment.vars = request.vars.isEmpty ? nil : request.vars
        assignment.secretVars = request.secretVars.isEmpty ? nil : request.secretVars
        return Outgoing(node: capacity.node, message: .assign(assignment))
    }

    func describeShares() -> String {
        shares.isEmpty
            ? "none"
            : shares.keys.sorted { $0.rawValue < $1.rawValue }.map { node in
                let part = shares[node]!.part
                if followsStages { return "\(node) \(Int((part.slice.fraction * 100).rounded()))%" }
                return "\(node) " + (part.rate.map { "\(Self.format($0))/s" } ?? "\(part.users)")
            }.joined(separator: ", ")
    }
}
