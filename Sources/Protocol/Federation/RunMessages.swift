import Foundation

/// Master → worker: run a share of a fleet run. The scenario travels as text, as in `POST /v1/runs`,
/// with the run's overrides, and is compiled on the worker (the master has already checked it);
/// `share` is this worker's part of it. An assignment's share fields read through it
/// (`assignment.users` is `assignment.share.users`).
@dynamicMemberLookup
public struct Assignment: Codable, Sendable, Equatable {
    public var run: RunID
    /// Numbers this assignment among all the master made: stats name it, so a worker that rejoins
    /// the same run starts a fresh sequence without its reports being taken for replays.
    public var assignment: UInt64
    public var scenario: String
    public var file: String
    /// As the user gave them: the worker's compiled plan then has the master's host and levels.
    public var overrides: RunOverrides
    /// What this worker runs of the run.
    public var share: FleetShare
    /// The scenario's data files, as the master read them: the worker compiles from these (in
    /// memory, never written to disk) and reads no path itself.
    public var files: [String: Data]?
    /// The run's `--var` values (see `StartRunRequest.vars`): what `{{env.NAME}}` reads on the worker.
    public var vars: [String: String]?
    /// The names in `vars` the client marked `--secret-var` (every value in `vars` is kept secret anyway).
    public var secretVars: [String]?

    /// What this worker must never show in a log line or a report to the master: every var's value.
    public var secrets: SecretValues { SecretValues((vars ?? [:]).values) }

    public init(
        run: RunID, assignment: UInt64, scenario: String, file: String, overrides: RunOverrides,
        share: FleetShare, files: [String: Data]? = nil
    ) {
        self.run = run
        self.assignment = assignment
        self.scenario = scenario
        self.file = file
        self.overrides = overrides
        self.share = share
        self.files = files
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<FleetShare, Value>) -> Value {
        get { share[keyPath: field] }
        set { share[keyPath: field] = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case run, assignment, scenario, file, overrides, share, files, vars, secretVars = "secret_vars"
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
/// subtracts; `(node, assignment, sequence)` lets it drop a report it has already merged. Sent
/// only in binary (`BinaryFrame`).
public struct StatsReport: Sendable, Equatable {
    public var node: NodeID
    public var run: RunID
    public var assignment: UInt64
    /// 1, 2, 3, … within one assignment.
    public var sequence: UInt64
    /// Per engine thread and second, `second` already in the run's time (see `FleetShare.startSecond`).
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
/// itself (an unreachable target), which ends the fleet's run the same way. Sent only in binary
/// (`BinaryFrame`).
public struct WorkerReport: Sendable, Equatable {
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
}
