import Glibc
import Protocol

/// How an `Engine` runs, apart from the plan.
public struct EngineOptions: Sendable {
    /// Engine threads; each owns its connections. Default: one per core.
    public var threads: Int
    /// The id reported in summaries.
    public var run: RunID?
    /// Keep every interval for `Engine.takeIntervals()` (fleet workers).
    public var keepsIntervals: Bool
    /// Carry on a run a previous daemon saved (`EngineResume`) instead of starting one.
    public var resume: EngineResume?

    public init(threads: Int = EngineOptions.defaultThreads, run: RunID? = nil, keepsIntervals: Bool = false) {
        self.threads = threads
        self.run = run
        self.keepsIntervals = keepsIntervals
    }

    public static var defaultThreads: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
