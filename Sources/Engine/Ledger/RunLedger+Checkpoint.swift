import Protocol

extension RunLedger {
    /// A span of run time (seconds since the run's start) in which no daemon generated load: from
    /// the last saved checkpoint to the resume.
    struct Pause: Codable, Sendable, Equatable {
        var from: Double
        var to: Double
    }

    /// What a restarted daemon needs of a run's books to carry on: both spans' statistics, where
    /// the measured span starts, why the run failed if it did, and the restarts so far. Taken with
    /// `checkpoint(at:)` under the owner's lock, at least once a second.
    public struct Checkpoint: Codable, Sendable, Equatable {
        public static let currentVersion = 1
        public var version: Int
        /// The wall-clock second the run started at: a resumed run keeps it, and its end time.
        public var startUnixSeconds: Int
        /// Run time covered when it was taken (seconds since the run's start).
        public var elapsedS: Double
        public var measured: RunAggregator.Checkpoint
        public var warmup: RunAggregator.Checkpoint
        public var measureStartSecond: Int
        public var abortReason: String?
        public var resumes: [RunResume]
        var pauses: [Pause]

        /// Why this checkpoint cannot be carried on from; `nil` when it can.
        public var problem: String? {
            if version != Self.currentVersion {
                return "checkpoint version \(version), this loadd reads \(Self.currentVersion)"
            }
            if !(elapsedS.isFinite && elapsedS >= 0) { return "elapsed time \(elapsedS) is not a time" }
            if let problem = measured.problem ?? warmup.problem { return problem }
            if measureStartSecond < 0 { return "measured span starts at second \(measureStartSecond)" }
            return nil
        }
    }

    /// The books as they stand at `elapsed`, for a restarted daemon.
    public func checkpoint(at elapsed: Duration) -> Checkpoint {
        Checkpoint(
            version: Checkpoint.currentVersion, startUnixSeconds: startUnixSeconds, elapsedS: Self.seconds(elapsed),
            measured: measured.checkpoint(),
            warmup: warmup.checkpoint(), measureStartSecond: measureStartSecond, abortReason: abortReason,
            resumes: resumes, pauses: pauses)
    }

    /// Takes up the books of `saved` (whose `problem` is `nil`) and records the restart: the run
    /// was last saved at `saved.elapsedS` and goes on at `resumedAt` (both since the run's start).
    /// `workersBack` is for a fleet's master.
    public mutating func resume(from saved: Checkpoint, resumedAt: Duration, workersBack: Int? = nil) {
        measured = RunAggregator(
            restoring: saved.measured, expectedReporters: measured.expectedReporters,
            startUnixSeconds: startUnixSeconds)
        warmup = RunAggregator(
            restoring: saved.warmup, expectedReporters: warmup.expectedReporters,
            startUnixSeconds: startUnixSeconds)
        measureStartSecond = saved.measureStartSecond
        if let reason = saved.abortReason { fail(reason) }
        resumes = saved.resumes
        pauses = saved.pauses
        let to = max(saved.elapsedS, Self.seconds(resumedAt))
        pauses.append(Pause(from: saved.elapsedS, to: to))
        // Whole seconds without any load: the saved second and the resumed one are partial.
        let gapFrom = Int(saved.elapsedS) + 1
        resumes.append(
            RunResume(
                restartedAt: startUnixSeconds + Int(saved.elapsedS), resumedAt: startUnixSeconds + Int(to),
                gapFrom: gapFrom, gapTo: max(gapFrom, Int(to)), gapS: to - saved.elapsedS, workersBack: workersBack))
        // A gap inside the warm-up does not count as warm-up: it ends later, and the measured span
        // (whose end does not move) starts there.
        warmupSeconds = Self.warmupEnd(planned: plannedWarmupSeconds, pauses: pauses)
        measureStartSecond = max(measureStartSecond, warmupSeconds)
    }

    /// The run second a warm-up of `planned` seconds ends at when it needs that much run time with
    /// load: each gap that starts before its end moves the end by the gap's length, rounded up to a
    /// whole second (every node agrees on whole seconds).
    static func warmupEnd(planned: Int, pauses: [Pause]) -> Int {
        guard planned > 0 else { return 0 }
        var end = Double(planned)
        for pause in pauses.sorted(by: { $0.from < $1.from }) where pause.from < end {
            end += max(0, pause.to - pause.from)
        }
        return Int(min(end.rounded(.up), Double(Int32.max)))
    }

    /// One more of a fleet's workers is back after the master's restart.
    public mutating func countWorkerBack() {
        guard !resumes.isEmpty else { return }
        resumes[resumes.count - 1].workersBack = (resumes[resumes.count - 1].workersBack ?? 0) + 1
    }

    /// Seconds of restart gaps between run times `from` and `to`.
    func pausedSeconds(from: Double, to: Double) -> Double {
        pauses.reduce(0) { sum, pause in sum + max(0, min(pause.to, to) - max(pause.from, from)) }
    }
}
