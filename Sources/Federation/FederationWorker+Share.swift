import Engine
import Logging
import Protocol

extension FederationWorker {
    /// One message from the master, in order.
    func received(_ message: FederationMessage, on link: Link) async {
        // A link this side is closing is done with: a message already buffered changes nothing.
        guard var current = session, current.link === link, link.localCloseReason == nil else { return }
        current.deadMan.heard(at: now)
        guard current.master != nil else {
            let step = current.handshake.receive(message)
            session = current
            return handshakeStep(step, on: link)
        }
        session = current
        switch message {
        case .heartbeat:
            break
        case .statsAck(let ack):
            acknowledged(ack)
        case .assign(let assignment):
            await startShare(assignment)
        case .setUsers(let change):
            guard var share, share.assignment.run == change.run, !share.stopping else { return }
            share.engine.setUsers(change.users, spawnRate: change.spawnRate)
            share.assignment.share.users = change.users
            share.assignment.share.spawnRate = change.spawnRate
            self.share = share
            runLogger(share).info(
                "share changed", metadata: ["users": "\(change.users)", "spawn_rate": "\(change.spawnRate)"])
            emit(.shareUsersChanged(run: change.run, users: change.users))
        case .setRate(let change):
            guard let share, share.assignment.run == change.run, !share.stopping else { return }
            share.engine.setRate(change.rate)
            self.share?.assignment.share.rate = change.rate
            runLogger(share).info("share changed", metadata: ["rate": "\(change.rate)"])
        case .setSlice(let change):
            guard let share, share.assignment.run == change.run, !share.stopping else { return }
            share.engine.setStageSlice(change.slice)
            self.share?.assignment.share.stageSlice = change.slice
            runLogger(share).info("share changed", metadata: ["slice": "\(change.slice.from)…\(change.slice.to)"])
        case .reset(let request):
            guard let share, share.assignment.run == request.run else { return }
            share.engine.resetStats()
            runLogger(share).info("statistics reset by the master")
        case .stop(let request):
            guard let share, share.assignment.run == request.run else { return }
            await endShare(share, failure: nil, report: true)
        default:
            logger.warning("closing the connection: the master sent \(message.kind.stringValue) after the handshake")
            link.close(reason: "unexpected \(message.kind.stringValue) from the master")
        }
    }

    private func handshakeStep(_ step: WorkerHandshake.Step, on link: Link) {
        switch step {
        case .reply(let message):
            // The reply is our proof: the master has just proved the token, so its `welcome` and
            // the `assign` right behind it may be large.
            link.frameLimit.authenticated()
            link.send(message)
        case .welcomed(let welcome):
            session?.master = welcome.master
            session?.deadMan = DeadMansSwitch(timeout: welcome.heartbeatTimeout, armedAt: now)
            backoff.reset()
            logger.info(
                "joined the fleet",
                metadata: [
                    "master": "\(welcome.master)", "heartbeat_timeout": "\(welcome.heartbeatTimeout)",
                ])
            emit(.connected(master: welcome.master, address: link.address))
            unacknowledged.bounds = .init(
                heartbeatTimeout: max(configuration.heartbeatTimeout, welcome.heartbeatTimeout))
            resendUnacknowledged(on: link)
        case .refused(let reason):
            // An error, not a warning: this worker will never join until someone fixes the config.
            logger.error("the master refused this worker: \(reason)")
            emit(.refused(reason: reason))
            link.close(reason: "refused by the master: \(reason)")
        case .violation(let reason):
            logger.error("closing the connection to the master: \(reason)")
            link.close(reason: reason)
        }
    }

    // MARK: Shares

    private func startShare(_ assignment: Assignment) async {
        if let share { await endShare(share, failure: nil, report: true) }
        forgetUnacknowledged(otherThan: assignment.run)
        var runLogger = logger
        runLogger[metadataKey: "loadd_run_id"] = "\(assignment.run)"
        let plan: Plan
        do {
            plan = try Self.plan(for: assignment)
        } catch {
            let reason = assignment.secrets.redact(
                "scenario does not compile on worker \(configuration.node): \(error)")
            runLogger.error("cannot run the assigned share", metadata: ["reason": "\(reason)"])
            session?.link.send(
                .workerState(
                    WorkerReport(
                        run: assignment.run, activity: .idle, users: 0, rps: 0,
                        abortReason: reason)))
            return
        }
        let engine: Engine
        do {
            engine = try Engine(
                plan: plan,
                options: EngineOptions(
                    threads: configuration.threads, run: assignment.run,
                    keepsIntervals: true))
        } catch {
            let reason = assignment.secrets.merging(plan.secrets)
                .redact("share does not fit on worker \(configuration.node): \(error)")
            runLogger.error("cannot run the assigned share", metadata: ["reason": "\(reason)"])
            session?.link.send(
                .workerState(
                    WorkerReport(
                        run: assignment.run, activity: .idle, users: 0, rps: 0,
                        abortReason: reason)))
            return
        }
        engine.start()
        share = Share(assignment: assignment, engine: engine)
        runLogger.info(
            "share started",
            metadata: [
                "users": "\(assignment.share.users)", "spawn_rate": "\(assignment.share.spawnRate)",
                "host": "\(plan.host)",
                "start_second": "\(assignment.share.startSecond)", "threads": "\(engine.threadCount)",
            ])
        emit(.shareStarted(run: assignment.run, scenario: assignment.scenario, plan: plan, engine: engine))
        session?.link.send(
            .workerState(WorkerReport(run: assignment.run, activity: .running, users: assignment.share.users, rps: 0)))
        watch(engine, assignment: assignment.assignment)
    }

    /// The scenario as this worker runs it: compiled from the assignment's text, data files and
    /// vars, with the run's overrides and this worker's share applied in one step.
    static func plan(for assignment: Assignment) throws -> Plan {
        let file = assignment.file.isEmpty ? "scenario.yaml" : assignment.file
        // Data files come with the assignment only: a worker opens no path a scenario names.
        var plan = try ScenarioLoader.load(
            yaml: assignment.scenario, file: file,
            files: ScenarioFiles(.bundle(assignment.files ?? [:], remoteDirectory: nil)),
            environment: assignment.vars ?? [:])
        plan.apply(assignment.overrides, share: assignment.share)
        return plan
    }

    /// The engine ended on its own (duration reached, target unreachable).
    func shareFinishedByItself(_ number: UInt64) async {
        guard let share, share.assignment.assignment == number, !share.stopping else { return }
        await endShare(share, failure: nil, report: true)
    }

    /// Stops the engine, waits for its last intervals and, if `report`, sends them and `idle` (with
    /// the engine's abort reason, if it ended itself for one). `failure` marks this node's own copy
    /// of the run failed for that reason (the master was lost: its results are incomplete).
    func endShare(_ ending: Share, failure: String?, report: Bool) async {
        guard var current = share, current.assignment.assignment == ending.assignment.assignment, !current.stopping
        else {
            return
        }
        current.stopping = true
        share = current
        current.engine.stop(failure: failure)
        session?.link.send(
            .workerState(
                WorkerReport(
                    run: current.assignment.run, activity: .stopping,
                    users: current.assignment.share.users, rps: 0)))
        let summary = await current.engine.finished()
        // Re-read after the await: reports sent meanwhile advanced the sequence.
        if let latest = share, latest.assignment.assignment == current.assignment.assignment { current = latest }
        // Kept even when not reported now: a lost link's last seconds are resent after a rejoin.
        sendStats(&current)
        endStats(current)
        share = nil
        if report {
            session?.link.send(
                .workerState(
                    WorkerReport(
                        run: current.assignment.run, activity: .idle, users: 0, rps: 0,
                        abortReason: summary.abortReason)))
        }
        runLogger(current).info(
            "share ended",
            metadata: [
                "requests": "\(summary.total.requests)", "failures": "\(summary.total.failures)",
                "reason": "\(summary.abortReason ?? "stopped")",
            ])
        emit(.shareEnded(run: current.assignment.run, summary: summary))
    }

    func runLogger(_ share: Share) -> Logger {
        var runLogger = logger
        runLogger[metadataKey: "loadd_run_id"] = "\(share.assignment.run)"
        return runLogger
    }

    // MARK: Ticker

    /// Dead-man's switch and heartbeats every tick, stats and state every second.
    func tickLoop(_ link: Link) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.tickInterval)
            await tick(link)
        }
    }

    private func tick(_ link: Link) async {
        guard var current = session, current.link === link else { return }
        let now = self.now
        if current.deadMan.hasTripped(at: now) {
            let reason = "no frame from the master for \(current.deadMan.timeout)"
            logger.error("dead-man's switch: stopping the load", metadata: ["reason": "\(reason)"])
            link.close(reason: reason)
            if let share { await endShare(share, failure: reason, report: false) }
            return
        }
        guard current.master != nil else { return }
        if now - current.lastReport >= Self.reportInterval {
            current.lastReport = now
            if var share, !share.stopping {
                sendStats(&share)
                self.share = share
                let summary = share.engine.snapshot()
                link.send(
                    .workerState(
                        WorkerReport(
                            run: share.assignment.run, activity: .running,
                            users: summary.users, rps: summary.total.currentRps)))
                // Any frame proves this worker alive: while reports flow, a heartbeat would only be
                // one more frame for the master to wake up for, per worker per beat.
                current.lastHeartbeat = now
            }
        }
        if now - current.lastHeartbeat >= current.deadMan.timeout / 3 {
            current.lastHeartbeat = now
            link.send(.heartbeat)
        }
        session = current
    }
}
