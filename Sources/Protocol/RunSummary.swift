/// Everything a finished (or running) test has measured: what `--json` prints, what the run store
/// keeps, what the CSVs and the table are rendered from.
public struct RunSummary: Codable, Sendable, Equatable {
    public var run: RunID?
    public var scenario: String
    public var host: String
    /// Wall-clock Unix time the measured span began.
    public var startedAt: Int
    /// Seconds measured (excludes warm-up).
    public var durationS: Double
    public var users: Int
    public var endpoints: [EndpointSummary]
    public var total: EndpointSummary
    public var failuresByReason: [FailureCount]
    public var history: [HistorySample]
    public var thresholds: [ThresholdResult]
    public var generator: GeneratorLoad
    /// Why the run ended early, if it did (target unreachable, a threshold aborted it, stopped).
    public var abortReason: String?
    public var passed: Bool
    /// The warm-up's total row, kept apart from the measured figures above.
    public var warmup: EndpointSummary?
    /// Set for open-model runs (`rate:`).
    public var openModel: OpenModelStats?
    /// A fleet run's history on its master: start, joins, losses, re-splits, resets, the end.
    public var fleetEvents: [FleetEvent]?
    /// Why the run never reached its end (the daemon was killed, the fleet was lost): its figures
    /// are what was measured until then and its verdict is INTERRUPTED, whatever `passed` says.
    public var interrupted: String?
    /// Lines that explain or qualify the verdict ("N requests failed and no threshold says which
    /// failures are acceptable", "every request failed"), written by `SummaryJSON` so a stored
    /// summary carries them.
    public var warnings: [String]?
    /// The checks table: per request and check, responses that passed and failed; `nil` without checks.
    public var checks: [CheckTally]?
    /// Steps not sent because an earlier step of their iteration (or of on_start) failed to extract a
    /// value: like an exception in a Locust task, the rest of that iteration is skipped, not sent with
    /// an empty value. `nil` when none was.
    public var skippedSteps: UInt64?
    /// The last few closed seconds (`RecentWindow`): "now" beside the run's totals.
    public var recent: RecentWindow?
    /// Unix seconds at which the statistics were zeroed mid-run (`loadctl reset`), oldest first.
    public var statsResetAt: [Int]?
    /// The scenario's tasks and their share of the iterations.
    public var tasks: [TaskRatio]?
    /// Events stamped into the run (`loadctl mark`), oldest first; absent when there were none.
    public var marks: [RunMark]?
    /// Where the run went wrong: slow, failing or hung periods (see `SlowPeriod`), oldest first;
    /// absent when there were none.
    public var slowPeriods: [SlowPeriod]?
    /// Periods past `SlowPeriodFinder.maxPeriods` that are counted but not listed.
    public var slowPeriodsNotListed: Int?
    /// Daemon restarts the run survived, oldest first (`RunResume`); absent when there were none.
    public var resumes: [RunResume]?

    public init(
        run: RunID?, scenario: String, host: String, startedAt: Int, durationS: Double, users: Int,
        endpoints: [EndpointSummary], total: EndpointSummary, failuresByReason: [FailureCount],
        history: [HistorySample], thresholds: [ThresholdResult], generator: GeneratorLoad,
        abortReason: String?, passed: Bool
    ) {
        self.run = run
        self.scenario = scenario
        self.host = host
        self.startedAt = startedAt
        self.durationS = durationS
        self.users = users
        self.endpoints = endpoints
        self.total = total
        self.failuresByReason = failuresByReason
        self.history = history
        self.thresholds = thresholds
        self.generator = generator
        self.abortReason = abortReason
        self.passed = passed
    }

    enum CodingKeys: String, CodingKey {
        case run, scenario, host, startedAt = "started_at", durationS = "duration_s", users, endpoints, total
        case failuresByReason = "failures_by_reason", history, thresholds, generator
        case abortReason = "abort_reason", passed, warmup, openModel = "open_model", fleetEvents = "fleet_events"
        case interrupted, warnings, checks, skippedSteps = "skipped_steps", recent, statsResetAt = "stats_reset_at",
            tasks
        case marks, slowPeriods = "slow_periods", slowPeriodsNotListed = "slow_periods_not_listed"
        case resumes
    }
}
