import Foundation

/// The local control API: HTTP/1.1 + JSON over loadd's Unix socket, under `/v1`.
///
/// | method | path                      | body                | answer                    |
/// |--------|---------------------------|---------------------|---------------------------|
/// | GET    | /v1/status                |                     | `NodeStatus`              |
/// | POST   | /v1/runs                  | `StartRunRequest`   | 201 `RunInfo`, 409 if busy|
/// | GET    | /v1/runs                  |                     | `[RunInfo]`, newest first |
/// | GET    | /v1/runs/{id}             |                     | `RunSummary`              |
/// | DELETE | /v1/runs/{id}             |                     | `RemovedRuns`, 409 active |
/// | POST   | /v1/runs/prune            |                     | `RemovedRuns`             |
/// | POST   | /v1/runs/current/users    | `SetUsersRequest`   | `RunInfo`                 |
/// | POST   | /v1/runs/current/rate     | `SetRateRequest`    | `RunInfo`                 |
/// | POST   | /v1/runs/current/reset    |                     | `RunInfo`                 |
/// | POST   | /v1/runs/current/stop     |                     | `RunInfo`                 |
/// | GET    | /v1/workers               |                     | `[WorkerInfo]` (masters)  |
/// | POST   | /v1/validate              | `StartRunRequest`   | what it would run, or 400 |
/// | GET    | /v1/runs/{id}/files/{name}|                     | a stored report/JSON/CSV  |
/// | GET    | / and /ui/…               |                     | the web dashboard         |
///
/// A request with an `Origin` header that is not the dashboard's own is refused 403.
///
/// Every error is an `APIError` with a 4xx/5xx status.
public enum ControlAPI {
    public static let version = "v1"
    /// Requests larger than this are refused with 413: scenarios are small. `POST /v1/runs` alone may
    /// be larger, up to `maxStartRequestBytes`, because it carries the scenario's data files.
    public static let maxRequestBytes = 1 << 20
    /// The data files one run may send with its scenario, all together (`StartRunRequest.files`).
    public static let maxBundleBytes = 64 << 20
    /// `POST /v1/runs` with a full bundle: the files travel as base64 (4 bytes per 3) plus the
    /// scenario and the JSON around them.
    public static let maxStartRequestBytes = maxBundleBytes / 3 * 4 + 2 * maxRequestBytes
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

    public init(
        users: Int? = nil, spawnRate: Double? = nil, duration: String? = nil, host: String? = nil,
        rate: Double? = nil
    ) {
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

/// `POST /v1/runs`: the scenario travels as text and the data files it names travel with it
/// (`files`), so the daemon never reads a caller's path with its own privileges; `file` names
/// the scenario in error messages.
public struct StartRunRequest: Codable, Sendable, Equatable {
    public var scenario: String
    public var file: String
    public var overrides: RunOverrides
    /// The data files, keyed by the path exactly as the scenario names it (`data: { csv: users.csv }`
    /// → `users.csv`); base64 on the wire. At most `ControlAPI.maxBundleBytes` in all.
    public var files: [String: Data]?
    /// Read data files the bundle lacks from the daemon's `data_dir:` (never from anywhere else).
    public var remoteFiles: Bool?
    /// `--var NAME=VALUE` values and the client's values of the `{{env.NAME}}` the scenario names:
    /// all `{{env.…}}` reads on the daemon (and on every worker of a fleet), never their own environment.
    public var vars: [String: String]?
    /// The names in `vars` given as `--secret-var`. Every value in `vars` is kept secret (each is read
    /// through `{{env.NAME}}`); these are named so the marking survives should that default change.
    public var secretVars: [String]?

    /// The values this request must never show (see `SecretValues`): every var's.
    public var secrets: SecretValues { SecretValues((vars ?? [:]).values) }

    public init(
        scenario: String, file: String, overrides: RunOverrides = RunOverrides(),
        files: [String: Data]? = nil, remoteFiles: Bool? = nil
    ) {
        self.scenario = scenario
        self.file = file
        self.overrides = overrides
        self.files = files
        self.remoteFiles = remoteFiles
    }

    enum CodingKeys: String, CodingKey {
        case scenario, file, overrides, files, remoteFiles = "remote_files", vars, secretVars = "secret_vars"
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
    /// The run's stored files cannot be read (`RunInfo.damage` says which and why).
    case damaged
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
    /// Set for a `damaged` run: which stored file cannot be read and why.
    public var damage: String?

    public init(
        id: RunID, scenario: String, host: String, state: RunState, startedAt: Int, endedAt: Int?,
        users: Int, requests: UInt64, failures: UInt64, damage: String? = nil
    ) {
        self.id = id
        self.scenario = scenario
        self.host = host
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.users = users
        self.requests = requests
        self.failures = failures
        self.damage = damage
    }

    enum CodingKeys: String, CodingKey {
        case id, scenario, host, state, startedAt = "started_at", endedAt = "ended_at", users, requests, failures
        case damage
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
    /// Set while a start request's scenario compiles (before its run exists): what is compiling.
    public var compiling: String?
    /// The running run's measured span in seconds (`duration:` or its stages' total); `nil` when it
    /// runs until stopped or no run is going.
    public var runDurationS: Double?

    public init(
        node: NodeID, role: String, version: String, run: RunInfo?, summary: RunSummary?, workers: Int?,
        openFilesLimit: Int, maxUsers: Int
    ) {
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
        case openFilesLimit = "open_files_limit", maxUsers = "max_users", compiling
        case runDurationS = "run_duration_s"
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
