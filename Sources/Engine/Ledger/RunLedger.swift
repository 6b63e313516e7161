import Protocol

/// The books of one run, on one node or over a fleet: its phase, the warm-up kept apart from the
/// measured span (which a reset moves), the merged statistics, the summary built from them and
/// whoever waits for the end. The local `Engine` and a fleet master's `FleetRun` each own one and
/// feed it intervals and events, so both follow one set of rules. Pure: times are offsets from the
/// run's start, given by the owner; it takes no lock and starts no timer.
public struct RunLedger: Sendable {
    public enum Phase: String, Sendable {
        case running, stopping, finished
    }

    public let plan: Plan
    /// The id reported in summaries.
    public let run: RunID?
    /// The wall-clock second the run started at.
    public let startUnixSeconds: Int
    /// The run second the warm-up's books end at: intervals of earlier seconds are kept apart. The
    /// planned warm-up, moved later by any restart gap inside it (`RunLedger+Checkpoint`): a warm-up
    /// is load the target gets before measuring starts, and seconds nobody sent anything warm nothing.
    public internal(set) var warmupSeconds: Int
    /// `warmup:` in whole seconds where the schedule puts it: the stages and the end time follow it.
    public let plannedWarmupSeconds: Int
    public private(set) var phase: Phase = .running
    /// Why the run failed, when it did: the first reason given wins.
    public internal(set) var abortReason: String?
    /// The measured span's statistics, and the warm-up's.
    public internal(set) var measured: RunAggregator
    public internal(set) var warmup: RunAggregator
    /// The run's second the measured span starts at: after the warm-up, or the one after the last reset.
    public internal(set) var measureStartSecond: Int
    /// When the run stopped (since its start): the summary's span ends there.
    public private(set) var stoppedAt: Duration?
    private var waiters: [CheckedContinuation<RunSummary, Never>] = []
    /// Daemon restarts the run survived, and the spans of run time they cost (`RunLedger+Checkpoint`).
    public internal(set) var resumes: [RunResume] = []
    var pauses: [Pause] = []

    /// `warmup:` in whole seconds, rounded up, so a run's warm-up ends on a second boundary every
    /// node agrees on.
    public static func warmupSeconds(_ warmup: Duration?) -> Int {
        let micros = warmup?.microseconds ?? 0
        return Int(min(micros.saturatingAdd(999_999) / 1_000_000, UInt64(Int32.max)))
    }

    public init(plan: Plan, run: RunID?, expectedReporters: Int, startUnixSeconds: Int) {
        self.plan = plan
        self.run = run
        self.startUnixSeconds = startUnixSeconds
        plannedWarmupSeconds = Self.warmupSeconds(plan.warmup)
        warmupSeconds = plannedWarmupSeconds
        measureStartSecond = warmupSeconds
        measured = RunAggregator(
            endpoints: plan.endpoints, expectedReporters: expectedReporters,
            startUnixSeconds: startUnixSeconds)
        warmup = measured
    }

    /// Intervals each second waits for before it closes: one per engine thread of the run.
    public var expectedReporters: Int {
        get { measured.expectedReporters }
        set {
            measured.expectedReporters = newValue
            warmup.expectedReporters = newValue
        }
    }

    /// Warm-up plus the measured span (`duration:` or the stages); `nil` runs until stopped. A
    /// restart does not move it: a warm-up made longer by a gap leaves that much less measured.
    public var runLength: Duration? {
        plan.measuredDuration.map { .seconds(plannedWarmupSeconds) + $0 }
    }

    /// Requests merged into the measured span so far.
    public var requestCount: UInt64 { measured.requestCount }

    // MARK: Events

    /// Merges one interval: into the warm-up's books for its seconds, the measured span's after.
    /// `packed`: its rows' histograms as a fleet master holds them (see `RunAggregator.absorb(_:packed:)`).
    public mutating func absorb(_ interval: IntervalStats, packed: PackedHistograms? = nil) {
        if interval.second < warmupSeconds {
            warmup.absorb(interval, packed: packed)
        } else {
            measured.absorb(interval, packed: packed)
        }
    }

    /// Closes seconds before `second` still short of reporters (one was lost or is late).
    public mutating func closeSeconds(before second: Int) {
        measured.closeSeconds(before: second)
        warmup.closeSeconds(before: second)
    }

    /// Zeroes the measured statistics from the second after `elapsed` on (never inside the
    /// warm-up); returns that second, which a fleet's workers are told too.
    @discardableResult
    public mutating func reset(at elapsed: Duration) -> Int {
        let second = max(warmupSeconds, Self.second(at: elapsed) + 1)
        measured.reset(atSecond: second)
        measureStartSecond = second
        return second
    }

    /// Marks the run failed with `reason` unless an earlier reason stands.
    public mutating func fail(_ reason: String) {
        if abortReason == nil { abortReason = reason }
    }

    /// Running → stopping at `elapsed`; false (and nothing changes) when it was not running.
    @discardableResult
    public mutating func stop(at elapsed: Duration) -> Bool {
        guard phase == .running else { return false }
        phase = .stopping
        stoppedAt = elapsed
        return true
    }

    /// Closes every second still open; the run is over. Its waiters are then the owner's to resume
    /// (`takeWaiters`), outside whatever lock it holds.
    public mutating func finish() {
        measured.closeAll()
        warmup.closeAll()
        phase = .finished
    }

    /// Keeps `waiter` for the run's end; false when the run has already finished (resume it now).
    public mutating func wait(_ waiter: CheckedContinuation<RunSummary, Never>) -> Bool {
        guard phase != .finished else { return false }
        waiters.append(waiter)
        return true
    }

    /// The waiters of a finished run, each to be resumed with its final summary; empty before.
    public mutating func takeWaiters() -> [CheckedContinuation<RunSummary, Never>] {
        guard phase == .finished else { return [] }
        defer { waiters.removeAll() }
        return waiters
    }

    // MARK: Summary

    /// Where the summary's span ends if asked at `elapsed`: then, or when the run stopped.
    public func spanEnd(at elapsed: Duration) -> Duration {
        min(elapsed, stoppedAt ?? elapsed)
    }

    /// The run so far (final once finished), thresholds evaluated. `users` and `threads` are the
    /// owner's to say (a schedule's count, a fleet's shares); `openModel` is the arrival rate and
    /// in-flight cap of an open-model run.
    public func summary(
        at elapsed: Duration, users: Int, threads: Int,
        openModel: (rate: Double, maxInFlight: Int)? = nil
    ) -> RunSummary {
        let end = spanEnd(at: elapsed)
        // A restart's gap generated no load: rates are over the time that was measured.
        let measuredSeconds =
            Self.seconds(end - .seconds(measureStartSecond))
            - pausedSeconds(from: Double(measureStartSecond), to: Self.seconds(end))
        var summary = measured.summary(
            plan: plan, run: run, startedAt: startUnixSeconds + measureStartSecond,
            measuredSeconds: max(0, measuredSeconds), users: users, threads: threads, abortReason: abortReason)
        if warmupSeconds > 0 {
            // Its rates too are over the time it had load: a restart's gap inside it is left out.
            let warmupEnd = min(Self.seconds(end), Double(warmupSeconds))
            summary.warmup = warmup.rows(seconds: max(0, warmupEnd - pausedSeconds(from: 0, to: warmupEnd))).total
        }
        if !resumes.isEmpty { summary.resumes = resumes }
        if let openModel {
            summary.openModel = OpenModelStats(
                targetRate: openModel.rate, maxInFlight: openModel.maxInFlight,
                dropped: measured.dropped)
        }
        return summary
    }

    /// The run's second `elapsed` falls in.
    public static func second(at elapsed: Duration) -> Int {
        Int(elapsed.components.seconds)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
