/// Latency and counts of one endpoint (or of all of them, as `total`) over a span of a run.
/// Times are milliseconds. `*_ms` latencies are measured from each request's intended start
/// (what a user waits, no coordinated omission); `service_*` from when it was actually sent.
public struct EndpointSummary: Codable, Sendable, Equatable {
    public var method: String
    public var name: String
    public var requests: UInt64
    public var failures: UInt64
    public var medianMs: Double
    public var p66Ms: Double
    public var p75Ms: Double
    public var p80Ms: Double
    public var p90Ms: Double
    public var p95Ms: Double
    public var p98Ms: Double
    public var p99Ms: Double
    public var p999Ms: Double
    public var p9999Ms: Double
    public var avgMs: Double
    public var minMs: Double
    public var maxMs: Double
    public var serviceMedianMs: Double
    public var serviceP95Ms: Double
    public var serviceP99Ms: Double
    public var avgBytes: Double
    /// Requests per second over the whole measured span.
    public var rps: Double
    /// Failures per second over the whole measured span.
    public var failuresPerS: Double
    /// Requests per second over the last few seconds (Locust's "Current RPS").
    public var currentRps: Double
    /// Failures per second over the same seconds; absent in summaries stored before it existed.
    public var currentFailuresPerS: Double?
    /// The generator's schedule lag (intended start → handed to libcurl); absent when not measured.
    public var lag: ScheduleLag?
    /// Where the time went: DNS, connect, TLS, time to first byte, transfer; absent when not measured.
    public var phases: PhaseSummary?

    public init(method: String, name: String) {
        self.method = method
        self.name = name
        requests = 0; failures = 0
        medianMs = 0; p66Ms = 0; p75Ms = 0; p80Ms = 0; p90Ms = 0; p95Ms = 0; p98Ms = 0; p99Ms = 0
        p999Ms = 0; p9999Ms = 0; avgMs = 0; minMs = 0; maxMs = 0
        serviceMedianMs = 0; serviceP95Ms = 0; serviceP99Ms = 0
        avgBytes = 0; rps = 0; failuresPerS = 0; currentRps = 0
    }

    public var key: EndpointKey { EndpointKey(method: method, name: name) }
    public var failureRate: Double { requests == 0 ? 0 : Double(failures) / Double(requests) }

    enum CodingKeys: String, CodingKey {
        case method, name, requests, failures
        case medianMs = "median_ms", p66Ms = "p66_ms", p75Ms = "p75_ms", p80Ms = "p80_ms", p90Ms = "p90_ms"
        case p95Ms = "p95_ms", p98Ms = "p98_ms", p99Ms = "p99_ms", p999Ms = "p999_ms", p9999Ms = "p9999_ms"
        case avgMs = "avg_ms", minMs = "min_ms", maxMs = "max_ms"
        case serviceMedianMs = "service_median_ms", serviceP95Ms = "service_p95_ms", serviceP99Ms = "service_p99_ms"
        case avgBytes = "avg_bytes", rps, failuresPerS = "failures_per_s", currentRps = "current_rps", lag
        case currentFailuresPerS = "current_failures_per_s", phases
    }
}

/// How many requests of one endpoint failed for one reason ("HTTP 500", "timeout", …).
public struct FailureCount: Codable, Sendable, Equatable {
    public var method: String
    public var name: String
    public var reason: String
    public var count: UInt64
    /// Unix seconds (whole, floored) of the second this failure was first and last seen in; Locust's
    /// `First Seen` / `Last Seen`. Absent in summaries written before loadd kept them.
    public var firstSeen: Int?
    public var lastSeen: Int?

    public init(
        method: String, name: String, reason: String, count: UInt64, firstSeen: Int? = nil,
        lastSeen: Int? = nil
    ) {
        self.method = method
        self.name = name
        self.reason = reason
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case method, name, reason, count, firstSeen = "first_seen", lastSeen = "last_seen"
    }
}

/// One task's share of the iterations, as Locust's task ratio table shows it.
public struct TaskRatio: Codable, Sendable, Equatable {
    /// 1-based, in scenario order.
    public var task: Int
    public var weight: Int
    /// `weight` over all tasks' weights, 0…1.
    public var ratio: Double
    /// The task's requests in order, `METHOD name`.
    public var requests: [String]

    public init(task: Int, weight: Int, ratio: Double, requests: [String]) {
        self.task = task
        self.weight = weight
        self.ratio = ratio
        self.requests = requests
    }
}

/// One second of a run, all endpoints together: the row of Locust's stats_history CSV.
public struct HistorySample: Codable, Sendable, Equatable {
    /// Seconds since the run started.
    public var second: Int
    /// Unix time of that second, for Locust's `Timestamp` column.
    public var timestamp: Int
    public var users: Int
    public var requests: UInt64
    public var failures: UInt64
    public var medianMs: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    public var avgMs: Double
    /// Share of one core the engine threads used in that second, 0…1 (mean over threads).
    public var generatorCpu: Double
    /// Open model: iterations that could not start on time in that second.
    public var dropped: UInt64?
    /// The run from its measured start to the end of this second, as Locust's history rows carry it.
    public var soFar: RunSoFar?
    /// Connections opened in that second (reused ones not counted): a target restart shows as a burst.
    public var newConnections: UInt64?
    /// True when the run measured only part of this second (its last, cut short by the end): its counts
    /// are not a full second's, so Locust's history file leaves it out rather than plot a collapse.
    public var partial: Bool?

    public init(
        second: Int, timestamp: Int, users: Int, requests: UInt64, failures: UInt64, medianMs: Double,
        p95Ms: Double, p99Ms: Double, maxMs: Double, avgMs: Double, generatorCpu: Double
    ) {
        self.second = second
        self.timestamp = timestamp
        self.users = users
        self.requests = requests
        self.failures = failures
        self.medianMs = medianMs
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.maxMs = maxMs
        self.avgMs = avgMs
        self.generatorCpu = generatorCpu
    }

    enum CodingKeys: String, CodingKey {
        case second, timestamp, users, requests, failures
        case medianMs = "median_ms", p95Ms = "p95_ms", p99Ms = "p99_ms", maxMs = "max_ms", avgMs = "avg_ms"
        case generatorCpu = "generator_cpu", dropped, soFar = "so_far", partial, newConnections = "new_connections"
    }
}

/// The open model's own figures: what was asked, and what could not be started.
public struct OpenModelStats: Codable, Sendable, Equatable {
    /// Iterations per second asked for (now, or at the end of the run).
    public var targetRate: Double
    public var maxInFlight: Int
    /// Iterations that found no free slot (`max_in_flight` reached) and were not started.
    public var dropped: UInt64

    public init(targetRate: Double, maxInFlight: Int, dropped: UInt64) {
        self.targetRate = targetRate
        self.maxInFlight = maxInFlight
        self.dropped = dropped
    }

    enum CodingKeys: String, CodingKey {
        case targetRate = "target_rate", maxInFlight = "max_in_flight", dropped
    }
}

/// The verdict of one threshold such as `p95 < 150ms`, evaluated on the merged stats.
public struct ThresholdResult: Codable, Sendable, Equatable {
    /// The threshold as written in the scenario.
    public var expression: String
    /// `nil` for the total, else the endpoint it applies to.
    public var endpoint: EndpointKey?
    /// The measured value, in the threshold's unit (ms, fraction, requests/s or a count).
    public var actual: Double
    public var passed: Bool

    public init(expression: String, endpoint: EndpointKey?, actual: Double, passed: Bool) {
        self.expression = expression
        self.endpoint = endpoint
        self.actual = actual
        self.passed = passed
    }
}

/// How hard the load generator itself worked: a saturated generator under-reports the target.
public struct GeneratorLoad: Codable, Sendable, Equatable {
    /// Highest per-second CPU share of the engine threads, 0…1.
    public var peakCpu: Double
    /// Seconds in which the engine threads sat above 90 % of their cores.
    public var saturatedSeconds: Int
    /// True when the figures may describe the generator rather than the target.
    public var possiblyGeneratorBound: Bool
    public var threads: Int
    /// Why the generator's own lateness may distort the figures (lag p99 above its bound), if it may.
    public var scheduleLagLimited: String?

    public init(peakCpu: Double, saturatedSeconds: Int, possiblyGeneratorBound: Bool, threads: Int) {
        self.peakCpu = peakCpu
        self.saturatedSeconds = saturatedSeconds
        self.possiblyGeneratorBound = possiblyGeneratorBound
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey {
        case peakCpu = "peak_cpu", saturatedSeconds = "saturated_seconds"
        case possiblyGeneratorBound = "possibly_generator_bound", threads
        case scheduleLagLimited = "schedule_lag_limited"
    }
}

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
