import Glibc
import Protocol
import Synchronization

/// Runs one `Plan`: engine threads generate the load, a controller thread merges their windows
/// every 100 ms, keeps warm-up stats apart, enforces the duration, checks aborting thresholds and
/// notices an unreachable target. The public face of the engine for `loadctl run` and the daemon.
public final class Engine: Sendable {
    public enum Phase: String, Sendable {
        case running, stopping, finished
    }

    private struct State {
        var aggregator: RunAggregator
        /// Intervals from before the measured span (`warmup:`).
        var warmupAggregator: RunAggregator
        var model: LoadModel
        var phase: Phase = .running
        var stopRequested = false
        /// Set when the run ended because it failed, not because it was asked to stop.
        var abortReason: String?
        /// Where the measured span starts: after the warm-up, or at the last reset.
        var measureStart: UInt64
        var endedAt: UInt64?
        var lastAbortCheck: UInt64 = 0
        var waiters: [CheckedContinuation<RunSummary, Never>] = []
        /// Intervals kept for `takeIntervals()` when this engine reports to a fleet master.
        var outbox: [IntervalStats] = []
    }

    public let plan: Plan
    public let options: EngineOptions
    private let threads: [EngineThread]
    private let exchanges: [ShardExchange]
    private let controls: [ShardControl]
    private let exited = Atomic<Int>(0)
    private let runStart: UInt64
    private let startUnixSeconds: Int
    /// Seconds of the run that are warm-up: intervals before it are kept apart.
    private let warmupSeconds: Int
    /// Per endpoint, the body check a `bodyCheck` failure refers to, for its description.
    private let failureChecks: [Check?]
    private let state: Mutex<State>

    /// How long a run may see nothing but connection failures before it is called unreachable.
    static let unreachableAfterSeconds = 3
    /// The most engine threads one engine runs, whatever `EngineOptions.threads` says.
    public static let maxThreads = 1024

    /// What this run may hold: `setUsers` never goes past its `maxUsers`.
    public let budget: RunBudget

    /// Prepares a run of `plan`; nothing runs until `start()`.
    /// - Throws: `RunBudgetError` when the plan would need more memory than this node allows
    ///   (`RunBudget`), before any thread or buffer of the run exists.
    public init(plan: Plan, options: EngineOptions = EngineOptions(), nodeMemory: UInt64? = nil) throws(RunBudgetError) {
        let count = min(max(1, options.threads), Engine.maxThreads)
        budget = RunBudget(plan: plan, threads: count, nodeBytes: nodeMemory ?? RunBudget.nodeMemory())
        try budget.check(openModel: plan.isOpenModel)
        try Engine.checkUniqueData(plan, peakUsers: budget.users)
        self.plan = plan
        self.options = options
        let start = MonotonicClock.micros()
        runStart = start
        startUnixSeconds = Int(MonotonicClock.unixMicros() / 1_000_000)
        let warmupMicros = plan.warmup?.microseconds ?? 0
        let warmup = Int(min(warmupMicros.saturatingAdd(999_999) / 1_000_000, UInt64(Int32.max)))
        warmupSeconds = warmup
        let model = Engine.initialModel(plan, start: start, warmupMicros: UInt64(warmup) * 1_000_000)
        let exchanges = (0..<count).map { _ in ShardExchange(endpoints: plan.endpoints.count) }
        threads = (0..<count).map {
            EngineThread(index: $0, threadCount: count, plan: plan, exchange: exchanges[$0], model: model, runStart: start)
        }
        self.exchanges = exchanges
        failureChecks = plan.endpoints.indices.map { endpoint in
            plan.requests.first { $0.endpoint == endpoint && $0.check.bodyContains != nil }?.check
        }
        controls = threads.map(\.control)
        let unix = startUnixSeconds
        state = Mutex(State(
            aggregator: RunAggregator(endpoints: plan.endpoints, expectedReporters: count, startUnixSeconds: unix),
            warmupAggregator: RunAggregator(endpoints: plan.endpoints, expectedReporters: count, startUnixSeconds: unix),
            model: model, measureStart: start.saturatingAdd(UInt64(warmup) * 1_000_000)))
    }

    /// The load shape from the plan: a warm-up at the first level, then the stages or a plain ramp.
    static func initialModel(_ plan: Plan, start: UInt64, warmupMicros: UInt64) -> LoadModel {
        let level = plan.warmupLevel
        let warm = warmupMicros > 0 ? [Stages.Segment(micros: warmupMicros, target: level)] : []
        let staged = plan.stages.map { Stages.Segment(micros: $0.duration.microseconds, target: $0.target) }
        // A fleet worker joining a staged run late enters the shape where the fleet is: the stages
        // began that long ago (only ever after the warm-up, which the joiner then skips).
        let stagesStart = start &- min(start, plan.stagesElapsed.microseconds)
        if let rate = plan.arrivalRate {
            let schedule: RateSchedule = staged.isEmpty
                ? .constant(rate)
                : .stages(Stages(startMicros: stagesStart, initial: warmupMicros > 0 ? level : 0, segments: warm + staged,
                                 slice: plan.stageSlice))
            return .open(schedule, maxInFlight: plan.maxInFlight)
        }
        if staged.isEmpty {
            return .closed(.ramp(Ramp(from: 0, to: plan.users, rate: plan.spawnRate, startMicros: start)))
        }
        return .closed(.stages(Stages(startMicros: stagesStart, initial: 0, segments: warm + staged, slice: plan.stageSlice)))
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

    /// Closed model: moves the user count to `users` at `spawnRate` users per second (default:
    /// the plan's), leaving any stages. Does nothing in the open model (see `setRate`). Users past
    /// what this node's memory allows (`budget.maxUsers`), or past the rows of a `unique` data
    /// file's slice, are not started.
    public func setUsers(_ users: Int, spawnRate: Double? = nil) {
        let model: LoadModel? = state.withLock { state in
            guard case .closed(let schedule) = state.model else { return nil }
            let now = MonotonicClock.micros()
            // `data: { mode: unique }` holds at most one user per row of this node's slice.
            let most = min(budget.maxUsers, plan.uniqueUserCap ?? .max)
            state.model = .closed(.ramp(Ramp(from: schedule.total(at: now), to: min(max(0, users), most),
                                             rate: spawnRate ?? plan.spawnRate, startMicros: now)))
            return state.model
        }
        if let model { for control in controls { control.post(model: model) } }
    }

    /// Open model: starts iterations at `rate` per second from now on, leaving any stages.
    /// Does nothing in the closed model (see `setUsers`).
    public func setRate(_ rate: Double) {
        let model: LoadModel? = state.withLock { state in
            guard case .open(_, let maxInFlight) = state.model else { return nil }
            state.model = .open(.constant(rate.clamped(0, .infinity)), maxInFlight: maxInFlight)
            return state.model
        }
        if let model { for control in controls { control.post(model: model) } }
    }

    /// Runs `slice` of the stages from now on: a fleet worker's part of a staged run after a worker
    /// joined or left. Does nothing when the load follows no stages (none, or `setUsers`/`setRate`
    /// replaced them).
    public func setStageSlice(_ slice: LoadSlice) {
        let model: LoadModel? = state.withLock { state in
            guard let scaled = state.model.slicingStages(slice) else { return nil }
            state.model = scaled
            return scaled
        }
        if let model { for control in controls { control.post(model: model) } }
    }

    /// Zeroes the statistics from the next second on; users keep running.
    public func resetStats() {
        state.withLock { state in
            collect(into: &state)
            let now = MonotonicClock.micros()
            let nextSecond = max(warmupSeconds, Int((now - runStart) / 1_000_000) + 1)
            state.aggregator.reset(atSecond: nextSecond)
            state.measureStart = runStart + UInt64(nextSecond) * 1_000_000
        }
    }

    /// Ends the run; `failure` marks it failed with that reason (e.g. a threshold abort).
    public func stop(failure: String? = nil) {
        state.withLock { state in
            state.stopRequested = true
            if let failure, state.abortReason == nil { state.abortReason = failure }
        }
    }

    public var phase: Phase { state.withLock { $0.phase } }

    /// The intervals measured since the last call, oldest first (only with
    /// `EngineOptions.keepsIntervals`): what a fleet worker streams to its master.
    public func takeIntervals() -> [IntervalStats] {
        state.withLock { state in
            collect(into: &state)
            defer { state.outbox.removeAll() }
            return state.outbox
        }
    }

    /// Engine threads generating the load.
    public var threadCount: Int { threads.count }

    /// The run so far (or, once finished, the final summary), with thresholds evaluated.
    public func snapshot() -> RunSummary {
        state.withLock { state in
            collect(into: &state)
            return summary(of: state)
        }
    }

    /// `snapshot()` and each endpoint's latency buckets, taken under one lock so a metrics scrape's
    /// counters and histograms describe the same moment.
    public func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets]) {
        state.withLock { state in
            collect(into: &state)
            return (summary: summary(of: state), buckets: state.aggregator.endpointBuckets())
        }
    }

    /// Suspends until the run has finished and returns its final summary.
    public func finished() async -> RunSummary {
        await withCheckedContinuation { continuation in
            let done: RunSummary? = state.withLock { state in
                if state.phase == .finished { return summary(of: state) }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    // MARK: Controller

    private func controlLoop() {
        var stopPosted = false
        let runLength = plan.measuredDuration.map { (UInt64(warmupSeconds) * 1_000_000).saturatingAdd($0.microseconds) }
        while true {
            let now = MonotonicClock.micros()
            let finishedSummary: RunSummary? = state.withLock { state in
                collect(into: &state)
                if !stopPosted {
                    if let runLength, now - runStart >= runLength { state.stopRequested = true }
                    if let reason = unreachableReason(state, now: now) ?? abortingThreshold(&state, now: now) {
                        state.abortReason = reason
                        state.stopRequested = true
                    }
                    if state.stopRequested && state.phase == .running {
                        state.phase = .stopping
                        state.endedAt = now
                    }
                }
                guard state.phase == .stopping, stopPosted, exited.load(ordering: .acquiring) == threads.count else {
                    return nil
                }
                collect(into: &state)
                state.aggregator.closeAll()
                state.warmupAggregator.closeAll()
                state.phase = .finished
                return summary(of: state)
            }
            if let finishedSummary {
                let waiters = state.withLock { state in
                    defer { state.waiters.removeAll() }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: finishedSummary) }
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

    private func collect(into state: inout State) {
        for exchange in exchanges {
            let windows = exchange.takeFilled()
            guard !windows.isEmpty else { continue }
            for window in windows {
                let interval = window.interval(endpoints: plan.endpoints, checks: failureChecks, labels: plan.labels)
                if interval.second < warmupSeconds {
                    state.warmupAggregator.absorb(interval)
                } else {
                    state.aggregator.absorb(interval)
                }
                if options.keepsIntervals { state.outbox.append(interval) }
                window.clear()
            }
            exchange.recycle(windows)
        }
    }

    /// A run whose first seconds saw only connection failures is pointless: say so and stop.
    private func unreachableReason(_ state: State, now: UInt64) -> String? {
        guard now - runStart >= UInt64(Self.unreachableAfterSeconds) * 1_000_000 else { return nil }
        let early = state.aggregator.history.count + state.warmupAggregator.history.count
        let aggregator = state.aggregator.requestCount > 0 ? state.aggregator : state.warmupAggregator
        guard early <= Self.unreachableAfterSeconds + 1,
              aggregator.onlyFailed(withReasonsIn: FailureReason.unreachableDescriptions),
              let first = aggregator.failureCounts().first else { return nil }
        return "target unreachable: \(first.reason) (\(plan.host))"
    }

    /// Checks `abort_on_fail` thresholds once a second, each after its grace period.
    private func abortingThreshold(_ state: inout State, now: UInt64) -> String? {
        let aborting = plan.thresholds.filter(\.abortOnFail)
        guard !aborting.isEmpty, now >= state.measureStart, now - state.lastAbortCheck >= 1_000_000 else { return nil }
        state.lastAbortCheck = now
        let measured = now - state.measureStart
        let due = aborting.filter { measured >= $0.grace.microseconds }
        guard !due.isEmpty, state.aggregator.requestCount > 0 else { return nil }
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

    private func summary(of state: State) -> RunSummary {
        let end = state.endedAt ?? MonotonicClock.micros()
        var summary = state.aggregator.summary(
            plan: plan, run: options.run,
            startedAt: startUnixSeconds + Int((state.measureStart - runStart) / 1_000_000),
            measuredSeconds: Double(end - min(end, state.measureStart)) / 1_000_000,
            users: users(state, at: end), threads: threads.count, abortReason: state.abortReason)
        if warmupSeconds > 0 {
            let seconds = Double(min(end - runStart, UInt64(warmupSeconds) * 1_000_000)) / 1_000_000
            summary.warmup = state.warmupAggregator.rows(seconds: seconds).total
        }
        if plan.isOpenModel {
            summary.openModel = OpenModelStats(targetRate: state.model.rate(at: end), maxInFlight: plan.maxInFlight,
                                               dropped: state.aggregator.dropped)
        }
        return summary
    }

    /// Users running (closed model) or iterations in flight (open model, from the last second).
    private func users(_ state: State, at now: UInt64) -> Int {
        switch state.model {
        case .closed(let schedule): return schedule.total(at: now)
        case .open: return state.aggregator.history.last?.users ?? 0
        }
    }
}

/// How an `Engine` runs, apart from the plan.
public struct EngineOptions: Sendable {
    /// Engine threads; each owns its connections. Default: one per core.
    public var threads: Int
    /// The id reported in summaries.
    public var run: RunID?
    /// Keep every interval for `Engine.takeIntervals()` (fleet workers).
    public var keepsIntervals: Bool

    public init(threads: Int = EngineOptions.defaultThreads, run: RunID? = nil, keepsIntervals: Bool = false) {
        self.threads = threads
        self.run = run
        self.keepsIntervals = keepsIntervals
    }

    public static var defaultThreads: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
