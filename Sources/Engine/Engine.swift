import Glibc
import Protocol
import Synchronization

/// Runs one `Plan`: engine threads generate the load, a controller thread merges their windows
/// every 100 ms, keeps warm-up stats apart, enforces the duration, checks aborting thresholds and
/// notices an unreachable target. The public face of the engine for `loadctl run` and the daemon;
/// what they ask of a running engine is in `Engine+Control.swift`.
public final class Engine: Sendable {
    public typealias Phase = RunLedger.Phase

    struct State {
        /// Phase, warm-up, measured span, statistics and waiters (see `RunLedger`).
        var ledger: RunLedger
        var model: LoadModel
        var stopRequested = false
        var lastAbortCheck: UInt64 = 0
        /// Intervals kept for `takeIntervals()` when this engine reports to a fleet master.
        var outbox: [IntervalStats] = []
    }

    public let plan: Plan
    public let options: EngineOptions
    private let threads: [EngineThread]
    private let exchanges: [ShardExchange]
    let controls: [ShardControl]
    private let exited = Atomic<Int>(0)
    private let runStart: UInt64
    private let startUnixSeconds: Int
    /// Seconds of the run that are warm-up: intervals before it are kept apart.
    private let warmupSeconds: Int
    let state: Mutex<State>

    /// How long a run may see nothing but connection failures before it is called unreachable.
    static let unreachableAfterSeconds = 3
    /// The most engine threads one engine runs, whatever `EngineOptions.threads` says.
    public static let maxThreads = 1024

    /// What this run may hold: `setUsers` never goes past its `maxUsers`.
    public let budget: RunBudget

    /// Engine threads generating the load.
    public var threadCount: Int { threads.count }

    /// Prepares a run of `plan`; nothing runs until `start()`.
    /// - Throws: `RunBudgetError` when the plan would need more memory than this node allows
    ///   (`RunBudget`), before any thread or buffer of the run exists.
    public init(plan: Plan, options: EngineOptions = EngineOptions(), nodeMemory: UInt64? = nil) throws(RunBudgetError)
    {
        let count = min(max(1, options.threads), Engine.maxThreads)
        budget = RunBudget(plan: plan, threads: count, nodeBytes: nodeMemory ?? RunBudget.nodeMemory())
        try budget.check(openModel: plan.isOpenModel)
        try Engine.checkUniqueData(plan, peakUsers: budget.users)
        self.plan = plan
        self.options = options
        let now = MonotonicClock.micros()
        // A resumed run keeps its clock: second numbers, stages and the end time go on from its start.
        let start = options.resume.map { now &- min(now, $0.elapsedMicros()) } ?? now
        runStart = start
        startUnixSeconds = options.resume?.startUnixSeconds ?? Int(MonotonicClock.unixMicros() / 1_000_000)
        let warmup = RunLedger.warmupSeconds(plan.warmup)
        warmupSeconds = warmup
        var model = Engine.initialModel(plan, start: start, warmupMicros: UInt64(warmup) * 1_000_000)
        if let resume = options.resume { model = resume.model(plan, initial: model, now: now) }
        let exchanges = (0..<count).map { _ in ShardExchange(endpoints: plan.endpoints.count) }
        threads = (0..<count).map {
            EngineThread(
                index: $0, threadCount: count, plan: plan, exchange: exchanges[$0], model: model, runStart: start)
        }
        self.exchanges = exchanges
        controls = threads.map(\.control)
        var ledger = RunLedger(
            plan: plan, run: options.run, expectedReporters: count, startUnixSeconds: startUnixSeconds)
        if let resume = options.resume {
            ledger.resume(from: resume.checkpoint, resumedAt: .microseconds(Int64(clamping: now - start)))
        }
        state = Mutex(State(ledger: ledger, model: model))
    }

    /// The load shape from the plan: a warm-up at the first level, then the stages or a plain ramp.
    static func initialModel(_ plan: Plan, start: UInt64, warmupMicros: UInt64) -> LoadModel {
        let level = plan.warmupLevel
        let warm = warmupMicros > 0 ? [Stages.Segment(micros: warmupMicros, target: level)] : []
        let staged = plan.stages.map { Stages.Segment(micros: $0.duration.microseconds, target: $0.target) }
        // A fleet worker joining a staged run late enters the shape where the fleet is: the stages
        // began that long ago (only ever after the warm-up, which the joiner then skips).
        let stagesStart = start &- min(start, (plan.share?.stagesElapsed ?? .zero).microseconds)
        let slice = plan.share?.stageSlice ?? .whole
        if let rate = plan.arrivalRate {
            let schedule: RateSchedule =
                staged.isEmpty
                ? .constant(rate)
                : .stages(
                    Stages(
                        startMicros: stagesStart, initial: warmupMicros > 0 ? level : 0, segments: warm + staged,
                        slice: slice))
            return .open(schedule, maxInFlight: plan.maxInFlight)
        }
        if staged.isEmpty {
            return .closed(.ramp(Ramp(from: 0, to: plan.users, rate: plan.spawnRate, startMicros: start)))
        }
        return .closed(
            .stages(Stages(startMicros: stagesStart, initial: 0, segments: warm + staged, slice: slice)))
    }

    /// Starts the engine threads and the controller. Call once.
    public func start() {
        for thread in threads {
            OSThread.spawn { [self] in
                thread.run()
                self.exited.add(1, ordering: .releasing)
            }
        }
        OSThread.spawn { [self] in controlLoop() }
    }

    // MARK: Controller

    private func controlLoop() {
        var stopPosted = false
        let runLength = plan.measuredDuration.map { (UInt64(warmupSeconds) * 1_000_000).saturatingAdd($0.microseconds) }
        while true {
            let now = MonotonicClock.micros()
            let finished: (RunSummary, [CheckedContinuation<RunSummary, Never>])? = state.withLock { state in
                collect(into: &state)
                if !stopPosted {
                    if let runLength, now - runStart >= runLength { state.stopRequested = true }
                    if let reason = unreachableReason(state, now: now) ?? abortingThreshold(&state, now: now) {
                        state.ledger.fail(reason)
                        state.stopRequested = true
                    }
                    if state.stopRequested { state.ledger.stop(at: elapsed(now)) }
                }
                guard state.ledger.phase == .stopping, stopPosted, exited.load(ordering: .acquiring) == threads.count
                else {
                    return nil
                }
                collect(into: &state)
                state.ledger.finish()
                return (summary(of: state), state.ledger.takeWaiters())
            }
            if let (summary, waiters) = finished {
                for waiter in waiters { waiter.resume(returning: summary) }
                return
            }
            if !stopPosted && phase == .stopping {
                for control in controls { control.postStop() }
                stopPosted = true
            }
            var pause = timespec(tv_sec: 0, tv_nsec: stopPosted ? 5_000_000 : 100_000_000)
            nanosleep(&pause, nil)
        }
    }

    func collect(into state: inout State) {
        for exchange in exchanges {
            let windows = exchange.takeFilled()
            guard !windows.isEmpty else { continue }
            for window in windows {
                let interval = window.interval(endpoints: plan.endpoints, labels: plan.labels)
                state.ledger.absorb(interval)
                if options.keepsIntervals { state.outbox.append(interval) }
                window.clear()
            }
            exchange.recycle(windows)
        }
    }

    /// A run whose first seconds saw only connection failures is pointless: say so and stop.
    private func unreachableReason(_ state: State, now: UInt64) -> String? {
        guard now - runStart >= UInt64(Self.unreachableAfterSeconds) * 1_000_000 else { return nil }
        let early = state.ledger.measured.history.count + state.ledger.warmup.history.count
        let aggregator = state.ledger.measured.requestCount > 0 ? state.ledger.measured : state.ledger.warmup
        guard early <= Self.unreachableAfterSeconds + 1,
            aggregator.onlyFailed(withReasonsIn: FailureReason.unreachable),
            let first = aggregator.failureCounts(FailureText(plan: plan)).first
        else { return nil }
        return "target unreachable: \(first.reason) (\(plan.host))"
    }

    /// Checks `abort_on_fail` thresholds once a second, each after its grace period.
    private func abortingThreshold(_ state: inout State, now: UInt64) -> String? {
        let aborting = plan.thresholds.filter(\.abortOnFail)
        let measureStart = runStart.saturatingAdd(UInt64(state.ledger.measureStartSecond) * 1_000_000)
        guard !aborting.isEmpty, now >= measureStart, now - state.lastAbortCheck >= 1_000_000 else { return nil }
        state.lastAbortCheck = now
        let measured = now - measureStart
        let due = aborting.filter { measured >= $0.grace.microseconds }
        guard !due.isEmpty, state.ledger.requestCount > 0 else { return nil }
        let summary = summary(of: state)
        for threshold in due {
            let result = threshold.evaluate(on: summary)
            if !result.passed {
                let scope = threshold.endpoint.map { " on \($0)" } ?? ""
                return "threshold '\(threshold.expression)'\(scope) failed (actual \(formatActual(result.actual))) "
                    + "after \(measured / 1_000_000) s: run aborted"
            }
        }
        return nil
    }

    private func formatActual(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        // Whole numbers without ".0"; past 2^53 (or NaN/∞) Double's own text, never a trapping Int().
        return rounded == rounded.rounded() && abs(rounded) < 9e15 ? "\(Int(rounded))" : "\(rounded)"
    }

    func summary(of state: State) -> RunSummary {
        let elapsed = state.ledger.spanEnd(at: elapsed(MonotonicClock.micros()))
        let end = runStart.saturatingAdd(elapsed.microseconds)
        return state.ledger.summary(
            at: elapsed, users: users(state, at: end), threads: threads.count,
            openModel: plan.isOpenModel ? (state.model.rate(at: end), plan.maxInFlight) : nil)
    }

    /// Time since the run started, as its ledger counts it.
    func elapsed(_ now: UInt64) -> Duration {
        .microseconds(Int64(clamping: now - min(now, runStart)))
    }

    /// Users running (closed model) or iterations in flight (open model, from the last second).
    private func users(_ state: State, at now: UInt64) -> Int {
        switch state.model {
        case .closed(let schedule): return schedule.total(at: now)
        case .open: return state.ledger.measured.history.last?.users ?? 0
        }
    }
}
