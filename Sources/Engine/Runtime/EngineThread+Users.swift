import Protocol

/// How many users an engine thread runs: the closed model's users spawned and retired to follow
/// its schedule, the open model's arrivals started on time (or dropped, counted), and each new
/// user's vars and data row.
extension EngineThread {
    func adjustUsers(_ now: UInt64) {
        guard case .closed(let schedule) = model else { return }
        let wanted = Ramp.share(of: schedule.total(at: now), thread: index, threads: threadCount)
        // At most a pass's worth of new users (each is a libcurl handle to make), so a huge jump
        // in users still leaves the loop turning: control read, requests completed.
        let most = min(wanted, active + EngineThread.maxSpawnsPerPass)
        while active < most { spawnUser(now) }
        while active > wanted { retireUser() }
        spawnsPending = active < wanted
    }

    /// Open model: starts every iteration due by `now`, each from its scheduled time so a late
    /// start shows in its latency; with no user free and none allowed to be added, it is dropped.
    func startDueArrivals(_ now: UInt64) {
        guard case .open(_, let maxInFlight) = model else { return }
        // This thread's share of the cap, rounded up, without the overflow `(a + b - 1) / b` has.
        let cap = max(1, maxInFlight)
        let share = cap / threadCount + (cap % threadCount == 0 ? 0 : 1)
        var started = 0
        saturated = false
        while nextArrival <= Double(now) {
            let due = UInt64(saturating: nextArrival)
            // Past a billion a second every rate is "more than this node can start":
            // the cap keeps the arithmetic below finite and the schedule moving.
            let perThread = min(model.rate(at: due), EngineThread.maxRate) / Double(threadCount)
            guard perThread > 0 else {
                nextArrival = Double(now) + 10_000   // idle at rate 0 (or NaN): look again soon
                return
            }
            let interval = 1_000_000 / perThread
            if started == EngineThread.maxArrivalsPerPass {
                // Behind by more than a pass can start: the rest due by now are dropped, counted.
                let behind = ((Double(now) - nextArrival) / interval).rounded(.down) + 1
                window.dropped = window.dropped.saturatingAdd(UInt64(saturating: behind))
                nextArrival = Double(now) + interval
                return
            }
            started += 1
            nextArrival += interval
            if let slot = freeSlots.popLast() {
                let user = users[slot]
                active += 1
                user.state = .idle
                beginTask(user, intended: due)
            } else if users.count < share && users.count * threadCount + index < uniqueUserLimit {
                let slot = users.count
                let multi = slot / EngineThread.usersPerMulti
                if multi == multis.count { multis.append(EngineThread.makeMulti()) }
                let user = VirtualUser(slot: slot, multi: multi, proxy: proxy)
                transport.apply(to: user, multi: multis[multi])
                users.append(user)
                resetValues(of: user)
                active += 1
                startScript(user, intended: due)
            } else {
                // No user free and none may be added: this arrival and every other one due by now
                // are dropped at once (one by one, a huge rate would cost a loop turn each).
                let more = nextArrival <= Double(now) ? ((Double(now) - nextArrival) / interval).rounded(.down) + 1 : 0
                window.dropped = window.dropped.saturatingAdd(1).saturatingAdd(UInt64(saturating: more))
                nextArrival += more * interval
                if nextArrival <= Double(now) { nextArrival = Double(now) + interval }
                saturated = true
                return
            }
        }
    }

    /// Open model: the iteration is over; the user waits for the next arrival.
    func finishIteration(_ user: VirtualUser) {
        active -= 1
        user.state = .idle
        freeSlots.append(user.slot)
    }

    private func spawnUser(_ now: UInt64) {
        let slot = active
        active += 1
        if slot < users.count {
            let user = users[slot]
            if user.retiring {
                user.retiring = false   // still in flight: simply keeps going
                return
            }
            resetValues(of: user)
            user.state = .idle
            ready.append(slot)
            return
        }
        let multi = slot / EngineThread.usersPerMulti
        if multi == multis.count { multis.append(EngineThread.makeMulti()) }
        let user = VirtualUser(slot: slot, multi: multi, proxy: proxy)
        transport.apply(to: user, multi: multis[multi])
        users.append(user)
        timers.reserve(users.count)
        resetValues(of: user)
        ready.append(slot)
    }

    private func retireUser() {
        active -= 1
        let user = users[active]
        switch user.state {
        case .inFlight: user.retiring = true
        case .idle, .waiting: user.state = .retired
        case .retired: break
        }
    }

    /// Renders the user's vars and picks its data row: once per spawn, never per request.
    private func resetValues(of user: VirtualUser) {
        let row = DataRowPick.row(
            plan.data?.mode ?? .cycle, partition: plan.share?.dataPartition ?? .whole, spawned: spawned,
            slot: user.slot, thread: index, threads: threadCount, rows: dataRows.count,
            random: &random)
        spawned += 1
        user.values.data = dataRows.isEmpty ? [] : dataRows[row % dataRows.count]
        user.resetSession(cookies: plan.session.cookies)
        // A new life starts without values from responses: kept buffers, emptied.
        if user.values.extracted.count != plan.labels.extractSlots {
            user.values.extracted = Array(repeating: [], count: plan.labels.extractSlots)
        }
        for slot in user.values.extracted.indices { user.values.extracted[slot].removeAll(keepingCapacity: true) }
        user.retryOnStart = false
        user.values.vars.removeAll(keepingCapacity: true)
        let scratch = user.urlBuffer
        for variable in plan.vars {
            scratch.removeAll()
            TemplateRenderer.render(variable.value, into: scratch, user: user.values, random: &random)
            user.values.vars.append(Array(UnsafeBufferPointer(start: scratch.base, count: scratch.count)))
        }
        user.lastURL = nil
    }
}
