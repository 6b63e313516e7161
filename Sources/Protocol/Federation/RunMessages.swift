import Foundation

/// Master → worker: run a share of a fleet run. The scenario travels as text, as in `POST /v1/runs`,
/// and is compiled on the worker; the master has already checked it.
public struct Assignment: Codable, Sendable, Equatable {
    public var run: RunID
    /// Numbers this assignment among all the master made: stats name it, so a worker that rejoins
    /// the same run starts a fresh sequence without its reports being taken for replays.
    public var assignment: UInt64
    public var scenario: String
    public var file: String
    /// As the user gave them; `host` is already resolved below.
    public var overrides: RunOverrides
    /// The base URL requests go to (scenario's `host:` or the override).
    public var host: String
    /// Closed model: this worker's users and spawn rate (users per second).
    public var users: Int
    public var spawnRate: Double
    /// Open model: this worker's arrivals per second and cap on iterations in flight; `nil` for
    /// the closed model.
    public var rate: Double?
    public var maxInFlight: Int?
    /// This worker's part of a staged run's load shape (see `LoadSlice`).
    public var slice: LoadSlice
    /// False when the run has no stages (none in the scenario, or overrides replaced them).
    public var staged: Bool
    /// What is left of the warm-up, and of the measured span after it (`nil`: until stopped).
    /// The worker stops by itself then even if the master's `stop` never comes.
    public var warmupMs: Int?
    public var remainingMs: Int?
    /// The run's second this worker's second 0 is: a worker joining 40 s in starts at 40.
    public var startSecond: Int
    /// A staged run joined after its warm-up: how far into the stages the fleet already is, so the
    /// joiner enters the load shape there (0 otherwise).
    public var stagesElapsedMs: Int
    /// This worker's slice of a `data:` file: its user *n* takes row `n × dataSlots + dataSlot`.
    public var dataSlot: Int
    public var dataSlots: Int
    /// The scenario's data files, as the master read them: the worker compiles from these (in
    /// memory, never written to disk) and reads no path itself.
    public var files: [String: Data]?
    /// The run's `--var` values (see `StartRunRequest.vars`): what `{{env.NAME}}` reads on the worker.
    public var vars: [String: String]?
    /// The names in `vars` the client marked `--secret-var` (every value in `vars` is kept secret anyway).
    public var secretVars: [String]?

    /// What this worker must never show in a log line or a report to the master: every var's value.
    public var secrets: SecretValues { SecretValues((vars ?? [:]).values) }

    public init(run: RunID, assignment: UInt64, scenario: String, file: String, overrides: RunOverrides, host: String,
                users: Int, spawnRate: Double, rate: Double? = nil, maxInFlight: Int? = nil, slice: LoadSlice = .whole,
                staged: Bool = false, warmupMs: Int? = nil, remainingMs: Int?, startSecond: Int, stagesElapsedMs: Int = 0,
                dataSlot: Int = 0, dataSlots: Int = 1, files: [String: Data]? = nil) {
        self.run = run
        self.assignment = assignment
        self.scenario = scenario
        self.file = file
        self.overrides = overrides
        self.host = host
        self.users = users
        self.spawnRate = spawnRate
        self.rate = rate
        self.maxInFlight = maxInFlight
        self.slice = slice
        self.staged = staged
        self.warmupMs = warmupMs
        self.remainingMs = remainingMs
        self.startSecond = startSecond
        self.stagesElapsedMs = stagesElapsedMs
        self.dataSlot = dataSlot
        self.dataSlots = dataSlots
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case run, assignment, scenario, file, overrides, host, users, spawnRate = "spawn_rate", rate
        case maxInFlight = "max_in_flight", slice, staged, warmupMs = "warmup_ms"
        case remainingMs = "remaining_ms", startSecond = "start_second", stagesElapsedMs = "stages_elapsed_ms"
        case dataSlot = "data_slot", dataSlots = "data_slots", files, vars, secretVars = "secret_vars"
    }
}

/// Master → worker: this worker's new part of a staged run's load shape, after a worker joined
/// or left.
public struct SliceChange: Codable, Sendable, Equatable {
    public var run: RunID
    public var slice: LoadSlice

    public init(run: RunID, slice: LoadSlice) {
        self.run = run
        self.slice = slice
    }
}

/// Master → worker: this worker's new arrival rate (open model) after a re-split or `loadctl rate`.
public struct RateChange: Codable, Sendable, Equatable {
    public var run: RunID
    public var rate: Double

    public init(run: RunID, rate: Double) {
        self.run = run
        self.rate = rate
    }
}

/// Master → worker: this worker's new share after a re-split or `loadctl users`.
public struct UsersChange: Codable, Sendable, Equatable {
    public var run: RunID
    public var users: Int
    public var spawnRate: Double

    public init(run: RunID, users: Int, spawnRate: Double) {
        self.run = run
        self.users = users
        self.spawnRate = spawnRate
    }

    enum CodingKeys: String, CodingKey { case run, users, spawnRate = "spawn_rate" }
}

/// Master → worker: statistics start over from the run's second `atSecond`.
public struct ResetRequest: Codable, Sendable, Equatable {
    public var run: RunID
    public var atSecond: Int

    public init(run: RunID, atSecond: Int) {
        self.run = run
        self.atSecond = atSecond
    }

    enum CodingKeys: String, CodingKey { case run, atSecond = "at_second" }
}

/// Master → worker: end the share of `run`.
public struct StopRequest: Codable, Sendable, Equatable {
    public var run: RunID
    public init(run: RunID) { self.run = run }
}

/// One reporting window of one run on one node, worker → master. Deltas: the master adds, never
/// subtracts; `(node, assignment, sequence)` lets it drop a report it has already merged.
public struct StatsReport: Codable, Sendable, Equatable {
    public var node: NodeID
    public var run: RunID
    public var assignment: UInt64
    /// 1, 2, 3, … within one assignment.
    public var sequence: UInt64
    /// Per engine thread and second, `second` already in the run's time (see `Assignment.startSecond`).
    public var intervals: [IntervalStats]

    public init(node: NodeID, run: RunID, assignment: UInt64, sequence: UInt64, intervals: [IntervalStats]) {
        self.node = node
        self.run = run
        self.assignment = assignment
        self.sequence = sequence
        self.intervals = intervals
    }
}

/// What a worker's engine is doing.
public enum WorkerActivity: String, Codable, Sendable {
    case idle, running, stopping
}

/// Worker → master: its activity, users and current rate; `abortReason` when its share ended by
/// itself (an unreachable target), which ends the fleet's run the same way.
public struct WorkerReport: Codable, Sendable, Equatable {
    public var run: RunID?
    public var activity: WorkerActivity
    public var users: Int
    public var rps: Double
    public var abortReason: String?

    public init(run: RunID?, activity: WorkerActivity, users: Int, rps: Double, abortReason: String? = nil) {
        self.run = run
        self.activity = activity
        self.users = users
        self.rps = rps
        self.abortReason = abortReason
    }

    enum CodingKeys: String, CodingKey { case run, activity, users, rps, abortReason = "abort_reason" }
}
