import Engine
import Foundation
import Logging
import Protocol
import SystemdSupport

/// Owns the node's one run at a time: starts it, relays control requests to its engine, keeps its
/// folder in the run store current every second, and records the verdict when the engine finishes.
/// Every method re-checks `state` after each `await`, because other requests run in between.
/// Its state and the running run's changes are here; `RunManager+Starting` starts a run and the
/// other `RunManager+…` files hold its files and verdict, fleet role, resumption and retention.
actor RunManager {
    /// A run whose engine is still going.
    struct ActiveRun {
        var info: RunInfo
        /// A local engine, the fleet (master) or a share the master steers (worker).
        let engine: any RunDriver
        let logger: Logger
        /// When the summary and CSVs, and `report.html`, were last written (see `RedrawSchedule`).
        var resultsWrittenAt: ContinuousClock.Instant?
        var reportWrittenAt: ContinuousClock.Instant?
        /// What its resume record repeats every second (`RunManager+Resume`); `nil` on a worker or
        /// with `resume_within: 0`.
        var resumeRecord: ResumeRecord?
    }

    enum State {
        /// No engine: ready for a run.
        case idle
        /// A start request's scenario is compiling off the actor; `cancelled` once a stop came.
        case compiling(file: String, token: UUID, cancelled: Bool)
        case running(ActiveRun)
        /// A stop was asked for; the engine is winding down and will report its summary.
        case stopping(ActiveRun)
        /// The daemon is shutting down and its last run is written: no new runs.
        case closed
    }

    private(set) var state: State = .idle
    /// Set by `shutdown()`: refuse new runs even while the last one is still stopping.
    private(set) var closing = false
    /// The run that finished last, so `status` still shows its verdict.
    var lastFinishedRun: (info: RunInfo, summary: RunSummary)?
    /// That run's final latency buckets, so `GET /metrics` keeps its histograms until the next run.
    var lastFinishedBuckets: (run: RunID, buckets: [EndpointBuckets])?
    /// A status burst (a dashboard, `--watch` in many terminals) shares one snapshot per interval
    /// instead of taking the engine's stats lock for each request.
    private var cachedSnapshot: (taken: ContinuousClock.Instant, summary: RunSummary)?
    private static let snapshotMaxAge: Duration = .milliseconds(200)

    private(set) var settings: NodeSettings
    /// The node's part in a fleet; set once at start-up.
    private(set) var fleet = FleetNode.standalone
    let store: RunStore
    let notifier: SystemdNotifier
    private(set) var logger: Logger
    /// Store writes that fail every second would flood the log: report a run's first failure only.
    private var storeFailureLogged = false
    /// Each run as it begins, for `run()` (the manager's service) to tick and watch.
    nonisolated let begunRuns: AsyncStream<BegunRun>
    private let begunRunSink: AsyncStream<BegunRun>.Continuation

    init(settings: NodeSettings, store: RunStore, notifier: SystemdNotifier, logger: Logger) {
        self.settings = settings
        self.store = store
        self.notifier = notifier
        self.logger = logger
        (begunRuns, begunRunSink) = AsyncStream.makeStream(of: BegunRun.self)
    }

    func attach(_ fleet: FleetNode) {
        self.fleet = fleet
    }

    /// Applies reloaded settings; they take effect from the next run (threads) or request (the rest).
    func reconfigure(_ new: NodeSettings, logger: Logger) {
        settings = new
        self.logger = logger
    }

    // MARK: Running

    /// Makes `engine`'s run the active one: its files written every second, its verdict recorded
    /// when it finishes.
    func begin(
        _ info: RunInfo, plan: Plan, engine: any RunDriver, resumeRecord: ResumeRecord? = nil,
        resumed: (marks: [RunMark], startUnixSeconds: Int)? = nil
    ) -> RunInfo {
        let id = info.id
        var runLogger = logger
        runLogger[metadataKey: "loadd_run_id"] = "\(id)"
        // Marks live beside the driver and join every summary it hands out (`MarkingDriver`).
        let engine =
            resumed.map { MarkingDriver(engine, startUnixTime: Double($0.startUnixSeconds)) } ?? MarkingDriver(engine)
        if let resumed { engine.restore(resumed.marks) }
        var run = ActiveRun(info: info, engine: engine, logger: runLogger)
        run.resumeRecord = resumeRecord
        // Its ticker and finish watcher run under the manager's service (`RunManager+Service`).
        begunRunSink.yield(BegunRun(id: id, engine: engine))
        state = .running(run)
        cachedSnapshot = nil
        storeFailureLogged = false
        writeResults(engine.snapshot(), of: run)
        runLogger.info(
            "run started",
            metadata: [
                "scenario": "\(plan.name)", "host": "\(plan.host)", "users": "\(plan.users)",
                "spawn_rate": "\(plan.spawnRate)", "duration": "\(plan.duration.map { "\($0)" } ?? "until stopped")",
                "threads": "\(settings.threads)",
            ])
        notifier.status(statusLine(run, engine.snapshot()))
        return info
    }

    /// Moves the current run to `request.users`. - Throws: `.conflict` without a running
    /// run, `.unprocessable` over capacity.
    func setUsers(_ request: SetUsersRequest) throws -> RunInfo {
        var run = try runningRun(for: "change users")
        guard !run.engine.plan.isOpenModel else {
            throw ControlError(
                .conflict, "this run uses the open model (rate:); change its arrival rate instead",
                details: ["loadctl rate N, or POST /v1/runs/current/rate {\"rate\": N}"])
        }
        // The same ranges as a scenario's `users:`/`spawn_rate:`, except that a running test may go to 0 users.
        guard ScenarioLimits.stageUsers.contains(request.users) else {
            throw ControlError(.invalid, "users: must be 0…\(ScenarioLimits.users.upperBound), got \(request.users)")
        }
        if let spawnRate = request.spawnRate, !ScenarioLimits.spawnRate.contains(spawnRate) {
            throw ControlError(
                .invalid,
                "spawn_rate: must be \(ScenarioLimits.spawnRate.lowerBound)…"
                    + "\(Int(ScenarioLimits.spawnRate.upperBound)) per second, got \(spawnRate)")
        }
        if fleet.master == nil, let refusal = settings.capacity.refusal(users: request.users) {
            throw ControlError(.unprocessable, refusal)
        }
        try run.engine.setUsers(request.users, spawnRate: request.spawnRate)
        run.info.users = request.users
        run.resumeRecord?.users = request.users
        state = .running(run)
        cachedSnapshot = nil
        writeInfo(run)
        run.logger.info("users changed", metadata: ["users": "\(request.users)"])
        return run.info
    }

    /// Sets the open-model run's arrival rate. - Throws: `.conflict` without a running open-model run.
    func setRate(_ request: SetRateRequest) throws -> RunInfo {
        var run = try runningRun(for: "change the rate")
        guard run.engine.plan.isOpenModel else {
            throw ControlError(
                .conflict, "this run uses the closed model (users:); change its users instead",
                details: ["loadctl users N, or POST /v1/runs/current/users {\"users\": N}"])
        }
        // A running open-model test may pause at 0; otherwise the scenario's `rate:` range.
        guard request.rate == 0 || ScenarioLimits.rate.contains(request.rate) else {
            throw ControlError(
                .invalid,
                "rate: must be 0 or \(ScenarioLimits.rate.lowerBound)…"
                    + "\(Int(ScenarioLimits.rate.upperBound)) per second, got \(request.rate)")
        }
        try run.engine.setRate(request.rate)
        run.resumeRecord?.rate = request.rate
        state = .running(run)
        cachedSnapshot = nil
        run.logger.info("rate changed", metadata: ["rate": "\(request.rate)"])
        return run.info
    }

    /// Zeroes the current run's statistics; users keep going. - Throws: `.conflict` without a running run.
    func resetStats() throws -> RunInfo {
        let run = try runningRun(for: "reset statistics")
        try run.engine.resetStats()
        cachedSnapshot = nil
        run.logger.info("statistics reset")
        return run.info
    }

    /// Asks the current run to stop; its verdict follows when the engine has wound down. Stopping a
    /// run that is already stopping answers the same. - Throws: `.conflict` when no run is going.
    func stop() throws -> RunInfo {
        switch state {
        case .stopping(let run):
            return run.info
        case .compiling(let file, let token, _):
            state = .compiling(file: file, token: token, cancelled: true)
            throw ControlError(
                .conflict, "no run is going yet: the scenario \(file) was compiling; its run will not start")
        case .running(var run):
            try run.engine.stop()
            run.info.state = .stopping
            state = .stopping(run)
            writeInfo(run)
            run.logger.info("run stopping", metadata: ["reason": "stop requested"])
            return run.info
        case .idle, .closed:
            throw ControlError(.conflict, "no run is going")
        }
    }

    /// Stops the current run, if any, waits for its final summary and writes it; new runs are refused
    /// from now on. For SIGTERM.
    func shutdown() async {
        closing = true
        switch state {
        case .idle, .closed, .compiling:
            // A compiling start sees the state change and refuses to launch.
            state = .closed
            return
        case .running(let run) where canSaveForResume(run):
            await suspendForResume(run)
        case .running(var run), .stopping(var run):
            // A worker's share refuses: its engine stops with the federation worker, before this.
            try? run.engine.stop()
            if run.info.state == .running {
                run.info.state = .stopping
                writeInfo(run)
            }
            state = .stopping(run)
            run.logger.notice("run stopping", metadata: ["reason": "loadd is shutting down"])
            let summary = await run.engine.finished()
            // The finish watcher may have recorded it already while this waited; finish is idempotent.
            finish(run.info.id, summary: summary)
        }
    }

    // MARK: State helpers

    /// The run whose engine is going, running or stopping.
    var activeRun: ActiveRun? {
        switch state {
        case .running(let run), .stopping(let run): run
        case .idle, .closed, .compiling: nil
        }
    }

    /// Stores a changed copy of the active run under the state its info says.
    func replaceActive(_ run: ActiveRun) {
        state = run.info.state == .running ? .running(run) : .stopping(run)
    }

    /// The daemon is going away and its run is saved for the next one (`suspendForResume`).
    func markClosed() {
        state = .closed
        cachedSnapshot = nil
    }

    /// A start request's scenario is compiling (`start`): `status` names it, a second start is
    /// refused and a stop cancels the launch.
    func markCompiling(file: String, token: UUID) {
        state = .compiling(file: file, token: token, cancelled: false)
    }

    func markIdle() {
        state = closing ? .closed : .idle
        cachedSnapshot = nil
    }

    var cachedRecentSnapshot: RunSummary? {
        guard let cachedSnapshot, cachedSnapshot.taken.duration(to: .now) < Self.snapshotMaxAge else { return nil }
        return cachedSnapshot.summary
    }

    func cache(_ summary: RunSummary) {
        cachedSnapshot = (.now, summary)
    }

    func reportStoreFailure(_ error: any Error, _ run: ActiveRun) {
        guard !storeFailureLogged else { return }
        storeFailureLogged = true
        run.logger.error("cannot write the run store; the run goes on", metadata: ["error": "\(error)"])
    }

    // MARK: Helpers

    private func runningRun(for action: String) throws -> ActiveRun {
        switch state {
        case .running(let run): return run
        case .stopping(let run): throw ControlError(.conflict, "cannot \(action): run \(run.info.id) is stopping")
        case .compiling(let file, _, _): throw ControlError(.conflict, "cannot \(action): \(file) is still compiling")
        case .idle, .closed: throw ControlError(.conflict, "cannot \(action): no run is going")
        }
    }
}
