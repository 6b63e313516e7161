/// The local control API: HTTP/1.1 + JSON over loadd's Unix socket, under `/v1`.
///
/// | method | path                      | body                | answer                    |
/// |--------|---------------------------|---------------------|---------------------------|
/// | GET    | /v1/status                |                     | `NodeStatus`              |
/// | POST   | /v1/runs                  | `StartRunRequest`   | 201 `RunInfo`, 409 if busy|
/// | GET    | /v1/runs                  |                     | `[RunInfo]`, newest first |
/// | GET    | /v1/runs/{id}             |                     | `RunSummary`              |
/// | POST   | /v1/runs/current/users    | `SetUsersRequest`   | `RunInfo`                 |
/// | POST   | /v1/runs/current/rate     | `SetRateRequest`    | `RunInfo`                 |
/// | POST   | /v1/runs/current/reset    |                     | `RunInfo`                 |
/// | POST   | /v1/runs/current/stop     |                     | `RunInfo`                 |
/// | GET    | /v1/workers               |                     | `[WorkerInfo]` (masters)  |
///
/// Every error is an `APIError` with a 4xx/5xx status.
public enum ControlAPI {
    public static let version = "v1"
    /// Requests larger than this are refused with 413: scenarios are small.
    public static let maxRequestBytes = 1 << 20
    public static let defaultSocketPath = "/run/loadd/loadd.sock"
}

/// Load settings that replace the scenario's, as `loadctl start --users … --host …` gives them.
public struct RunOverrides: Codable, Sendable, Equatable {
    public var users: Int?
    public var spawnRate: Double?
    /// A duration string as in scenarios: `30s`, `5m`.
    public var duration: String?
    public var host: String?
    /// Iterations per second: runs the scenario in the open model.
    public var rate: Double?

    public init(users: Int? = nil, spawnRate: Double? = nil, duration: String? = nil, host: String? = nil,
                rate: Double? = nil) {
        self.users = users
        self.spawnRate = spawnRate
        self.duration = duration
        self.host = host
        self.rate = rate
    }

    enum CodingKeys: String, CodingKey {
        case users, spawnRate = "spawn_rate", duration, host, rate
    }
}

/// `POST /v1/runs`: the scenario travels as text, so the daemon needs no access to the
/// caller's files; `file` names it in error messages.
public struct StartRunRequest: Codable, Sendable, Equatable {
    public var scenario: String
    public var file: String
    public var overrides: RunOverrides

    public init(scenario: String, file: String, overrides: RunOverrides = RunOverrides()) {
        self.scenario = scenario
        self.file = file
        self.overrides = overrides
    }
}

/// `POST /v1/runs/current/users`.
public struct SetUsersRequest: Codable, Sendable, Equatable {
    public var users: Int
    public var spawnRate: Double?

    public init(users: Int, spawnRate: Double? = nil) {
        self.users = users
        self.spawnRate = spawnRate
    }

    enum CodingKeys: String, CodingKey {
        case users, spawnRate = "spawn_rate"
    }
}

/// `POST /v1/runs/current/rate`: the open model's new arrival rate, iterations per second.
public struct SetRateRequest: Codable, Sendable, Equatable {
    public var rate: Double

    public init(rate: Double) {
        self.rate = rate
    }
}

public enum RunState: String, Codable, Sendable {
    case running, stopping, passed, failed
    /// The daemon stopped while the run was going (a crash or restart): results up to then are kept.
    case interrupted
}

/// One run as listed by `loadctl runs`.
public struct RunInfo: Codable, Sendable, Equatable {
    public var id: RunID
    public var scenario: String
    public var host: String
    public var state: RunState
    /// Unix seconds.
    public var startedAt: Int
    public var endedAt: Int?
    public var users: Int
    public var requests: UInt64
    public var failures: UInt64

    public init(id: RunID, scenario: String, host: String, state: RunState, startedAt: Int, endedAt: Int?,
                users: Int, requests: UInt64, failures: UInt64) {
        self.id = id
        self.scenario = scenario
        self.host = host
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.users = users
        self.requests = requests
        self.failures = failures
    }

    enum CodingKeys: String, CodingKey {
        case id, scenario, host, state, startedAt = "started_at", endedAt = "ended_at", users, requests, failures
    }
}

/// `GET /v1/status`: the node and, when a run is going, its live summary.
public struct NodeStatus: Codable, Sendable, Equatable {
    public var node: NodeID
    /// standalone, master or worker.
    public var role: String
    public var version: String
    public var run: RunInfo?
    public var summary: RunSummary?
    /// Workers connected (masters only).
    public var workers: Int?
    /// The soft open-files limit loadd runs with, and the users it can therefore hold.
    public var openFilesLimit: Int
    public var maxUsers: Int

    public init(node: NodeID, role: String, version: String, run: RunInfo?, summary: RunSummary?, workers: Int?,
                openFilesLimit: Int, maxUsers: Int) {
        self.node = node
        self.role = role
        self.version = version
        self.run = run
        self.summary = summary
        self.workers = workers
        self.openFilesLimit = openFilesLimit
        self.maxUsers = maxUsers
    }

    enum CodingKeys: String, CodingKey {
        case node, role, version, run, summary, workers
        case openFilesLimit = "open_files_limit", maxUsers = "max_users"
    }
}

/// Every error the control API answers, with the HTTP status it came with.
public struct APIError: Codable, Sendable, Equatable, Error {
    public var error: String
    /// Further lines, e.g. one per scenario error with file:line:column: field: message.
    public var details: [String]

    public init(_ error: String, details: [String] = []) {
        self.error = error
        self.details = details
    }
}
