import Glibc
import Protocol
import Synchronization

/// Runs one `Plan`: engine threads generate the load, a controller thread merges their windows
/// once per 100 ms, enforces the duration and notices an unreachable target. The public face of
/// the engine for `loadctl run` and the daemon alike.
public final class Engine: Sendable {
    public enum Phase: String, Sendable {
        case running, stopping, finished
    }

    private struct State {
        var aggregator: RunAggregator
        var ramp: Ramp
        var phase: Phase = .running
        var stopRequested = false
        /// Set when the run ended because it failed, not because it was asked to stop.
        var abortReason: String?
        /// Where the measured span starts: the run's start, or the last reset.
        var measureStart: UInt64
        var endedAt: UInt64?
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
    private let state: Mutex<State>

    /// How long a run may see nothing but connection failures before it is called unreachable.
    static let unreachableAfterSeconds = 3

    public init(plan: Plan, options: EngineOptions = EngineOptions()) {
        self.plan = plan
        self.options = options
        let count = max(1, options.threads)
        let start = MonotonicClock.micros()
        runStart = start
        startUnixSeconds = Int(MonotonicClock.unixMicros() / 1_000_000)
        let ramp = Ramp(from: 0, to: plan.users, rate: plan.spawnRate, startMicros: start)
        let exchanges = (0..<count).map { _ in ShardExchange(endpoints: plan.endpoints.count) }
        let threads = (0..<count).map {
            EngineThread(index: $0, threadCount: count, plan: plan, exchange: exchanges[$0], ramp: ramp, runStart: start)
        }
        self.exchanges = exchanges
        failureChecks = plan.endpoints.indices.map { endpoint in
            plan.requests.first { $0.endpoint == endpoint && $0.check.bodyContains != nil }?.check
        }
        self.threads = threads
        controls = threads.map(\.control)
        state = Mutex(State(
            aggregator: RunAggregator(endpoints: plan.endpoints, expectedReporters: count,
                                      startUnixSeconds: startUnixSeconds),
            ramp: ramp, measureStart: start))
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

    /// Moves the user count to `users`, `spawnRate` users per second (default: the plan's).
    public func setUsers(_ users: Int, spawnRate: Double? = nil) {
        let ramp: Ramp = state.withLock { state in
            let now = MonotonicClock.micros()
            state.ramp = Ramp(from: state.ramp.total(at: now), to: max(0, users),
                              rate: spawnRate ?? plan.spawnRate, startMicros: now)
            return state.ramp
        }
        for control in controls { control.post(ramp: ramp) }
    }

    /// Zeroes the statistics from the next second on; users keep running.
    public func resetStats() {
        state.withLock { state in
            collect(into: &state)
            let now = MonotonicClock.micros()
            let nextSecond = Int((now - runStart) / 1_000_000) + 1
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

    /// The per-thread intervals measured since the last call, oldest first (only with
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
        while true {
            let now = MonotonicClock.micros()
            let finishedSummary: RunSummary? = state.withLock { state in
                collect(into: &state)
                if !stopPosted {
                    if let duration = plan.duration, now - runStart >= duration.microseconds { state.stopRequested = true }
                    if let reason = unreachableReason(state, now: now) {
                        state.abortReason = reason
                        state.stopRequested = true
                    }
                    if state.stopRequested {
                        state.phase = .stopping
                        state.endedAt = now
                    }
                }
                guard state.phase == .stopping, stopPosted, exited.load(ordering: .acquiring) == threads.count else {
                    return nil
                }
                collect(into: &state)
                state.aggregator.closeAll()
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
                let interval = window.interval(endpoints: plan.endpoints, checks: failureChecks)
                state.aggregator.absorb(interval)
                if options.keepsIntervals { state.outbox.append(interval) }
                window.clear()
            }
            exchange.recycle(windows)
        }
    }

    /// A run whose first seconds saw only connection failures is pointless: say so and stop.
    private func unreachableReason(_ state: State, now: UInt64) -> String? {
        guard now - runStart >= UInt64(Self.unreachableAfterSeconds) * 1_000_000 else { return nil }
        guard state.aggregator.history.count <= Self.unreachableAfterSeconds + 1,
              state.aggregator.onlyFailed(withReasonsIn: FailureReason.unreachableDescriptions),
              let first = state.aggregator.failureCounts().first else { return nil }
        return "target unreachable: \(first.reason) (\(plan.host))"
    }

    private func summary(of state: State) -> RunSummary {
        let end = state.endedAt ?? MonotonicClock.micros()
        return state.aggregator.summary(
            plan: plan, run: options.run,
            startedAt: startUnixSeconds + Int((state.measureStart - runStart) / 1_000_000),
            measuredSeconds: Double(end - min(end, state.measureStart)) / 1_000_000,
            users: state.ramp.total(at: end), threads: threads.count, abortReason: state.abortReason)
    }

    /// Per endpoint, the body check a `bodyCheck` failure refers to, for its description.
    private let failureChecks: [Check?]
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
