import Protocol

/// A scenario compiled for running: `Sendable`, everything the hot path needs already parsed (templates
/// split, weights accumulated, endpoints numbered). Built by `ScenarioLoader`. What was compiled — the
/// requests, tasks, weights, vars, data, endpoints and thresholds — is `let`, so it cannot drift from
/// itself; the load settings (host, users, rates, stages, durations, the fleet share) stay `var`
/// because run overrides and a fleet worker set them before the engine starts. The loader sets a few
/// compiled parts after `init` (`session`, `transport`, `labels`, `slowBounds`, `usersGiven`), so
/// those are `var` too.
public struct Plan: Sendable {
    /// The scenario's `name:` (or the file's base name).
    public let name: String
    /// Base URL requests with a relative path are sent to, without a trailing slash,
    /// e.g. `http://127.0.0.1:8080`. `--host` replaces it.
    public var host: String
    /// Closed model: how many virtual users to run.
    public var users: Int
    /// Closed model: users started (or stopped) per second.
    public var spawnRate: Double
    /// How long the measured run lasts; `nil` runs until stopped.
    public var duration: Duration?
    /// Pause between two tasks of one user.
    public let wait: WaitPolicy
    /// Every request a user can send; tasks and `on_start` refer to them by index.
    public let requests: [RequestPlan]
    /// Weighted tasks; each is one or more requests run in order.
    public let tasks: [TaskPlan]
    /// `cumulativeWeights[i]` is the sum of the weights of tasks `0...i`; a user draws
    /// `r` in `0..<totalWeight` and runs the first task whose cumulative weight exceeds `r`. The sum
    /// saturates at `Int.max` rather than trapping (the loader keeps it far below: see `ScenarioLimits.weight`).
    public let cumulativeWeights: [Int]
    /// Requests each user sends once, in order, before its first task (a login flow).
    public let onStart: [Int]
    /// Per-user variables, rendered once when the user starts and fixed for its life.
    /// Templates refer to them by index (`TemplatePart.variable`).
    public let vars: [VariablePlan]
    /// Rows of a CSV file handed out to users as its `mode` says (`DataMode`; by default each user
    /// takes the next row when it starts, wrapping around).
    public let data: DataFeed?
    /// The rows of the stats table, in first-use order; `RequestPlan.endpoint` indexes this.
    public let endpoints: [EndpointKey]
    /// Scenario-wide session settings (`cookies:`); see `Plan+Session.swift`.
    public var session = SessionSettings()
    /// Pass/fail criteria evaluated on the merged stats at the end of the run.
    public let thresholds: [Threshold]
    /// HTTP version and TLS settings (`http:`, `tls:`); see `Plan+Transport.swift`.
    public var transport = TransportPlan()
    /// Open model: iterations (tasks) started per second whatever the target does; `nil` runs
    /// the closed model (`users` looping).
    public var arrivalRate: Double?
    /// Open model: the most iterations in flight at once; an arrival finding none free is dropped
    /// and counted, never silently skipped.
    public var maxInFlight: Int
    /// A load shape: users (closed) or arrivals per second (open), ramping linearly from the
    /// previous level to each stage's target over its duration.
    public var stages: [Stage]
    /// Load run before the measured span, whose stats are kept apart.
    public var warmup: Duration?
    /// `report:`: when a second counts as slow or failing in the summary's slow periods.
    public var slowBounds = SlowBounds()

    /// The default cap on iterations in flight in the open model.
    public static let defaultMaxInFlight = 10_000

    public init(
        name: String, host: String, users: Int, spawnRate: Double, duration: Duration?,
        wait: WaitPolicy, requests: [RequestPlan], tasks: [TaskPlan], onStart: [Int],
        vars: [VariablePlan], data: DataFeed?, endpoints: [EndpointKey], thresholds: [Threshold]
    ) {
        self.name = name
        self.host = host
        self.users = users
        self.spawnRate = spawnRate
        self.duration = duration
        self.wait = wait
        self.requests = requests
        self.tasks = tasks
        self.cumulativeWeights = Plan.cumulativeWeights(of: tasks)
        self.onStart = onStart
        self.vars = vars
        self.data = data
        self.endpoints = endpoints
        self.thresholds = thresholds
        arrivalRate = nil
        maxInFlight = Plan.defaultMaxInFlight
        stages = []
        warmup = nil
    }

    public var totalWeight: Int { cumulativeWeights.last ?? 0 }

    /// Running sums of the tasks' weights, saturating at `Int.max` so hostile weights cannot trap.
    static func cumulativeWeights(of tasks: [TaskPlan]) -> [Int] {
        var running = 0
        return tasks.map { task in
            let (sum, overflow) = running.addingReportingOverflow(max(0, task.weight))
            running = overflow ? Int.max : sum
            return running
        }
    }

    public var isOpenModel: Bool { arrivalRate != nil }

    /// How long the measured span lasts: `duration`, else the stages' total, else until stopped.
    public var measuredDuration: Duration? {
        if let duration { return duration }
        if stages.isEmpty { return nil }
        return stages.reduce(Duration.zero) { $0 + $1.duration }
    }

    /// The level the warm-up runs at: `users`/`rate`, or the first stage's target.
    public var warmupLevel: Double {
        if let arrivalRate { return arrivalRate }
        return stages.isEmpty || usersGiven ? Double(users) : stages[0].target
    }

    /// True when `users:` was given (or overridden), so stages start from it after a warm-up.
    public var usersGiven = false

    /// A fleet worker's share of the run: where it joins the stages, its slice of their levels and
    /// its rows of the `data:` file (`Plan.Share`). `nil` on one node, which runs the whole shape
    /// from its start with every row. `apply(_:share:)` sets it from the worker's `FleetShare`.
    public var share: Share?

    /// The checks table's rows and the names failure text gives extractions (see `ResponseRules`).
    public var labels = ResponseLabels()
}

/// One step of a load shape: move to `target` (users, or arrivals per second) over `duration`.
public struct Stage: Sendable, Equatable {
    public var duration: Duration
    public var target: Double

    public init(duration: Duration, target: Double) {
        self.duration = duration
        self.target = target
    }
}

/// Pause a user takes after each task, in Locust's vocabulary.
public enum WaitPolicy: Sendable, Equatable {
    case none
    case constant(Duration)
    /// Uniformly random in `low...high`.
    case between(Duration, Duration)
}

/// One weighted task: its requests run in order, then the user waits and draws again.
public struct TaskPlan: Sendable, Equatable {
    public var weight: Int
    public var steps: [Int]

    public init(weight: Int, steps: [Int]) {
        self.weight = weight
        self.steps = steps
    }
}

/// A per-user variable (`vars: { deviceid: "{{uuid}}" }`).
public struct VariablePlan: Sendable, Equatable {
    public let name: String
    public var value: Template

    public init(name: String, value: Template) {
        self.name = name
        self.value = value
    }
}

/// The interleaved slice of a data file one node's users take: its user *n* gets row
/// `n × count + slot`, so the fleet's workers (slots 0…count-1) never hand out the same row while
/// the file has rows to spare.
public struct DataPartition: Sendable, Equatable {
    public let slot: Int
    public let count: Int

    public static let whole = DataPartition(slot: 0, of: 1)

    public init(slot: Int, of count: Int) {
        precondition(count >= 1 && slot >= 0, "a data partition needs a slot of at least one")
        self.slot = slot
        self.count = count
    }

    /// The row (before wrapping) for this node's `user`-th user.
    public func row(forUser user: Int) -> Int { user * count + slot }
}

/// Per-user data from a CSV file with a header row, handed out by `mode` (`DataRowPick` picks
/// each starting user's row).
public struct DataFeed: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]
    /// How rows are handed to users (`data: { mode: … }`); see `Plan+Session.swift`.
    public var mode = DataMode.cycle
    /// Indexes in `columns` of the columns marked `secret:` (see `Plan+Secrets.swift`).
    public var secretColumns: [Int] = []

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// One HTTP request as a user sends it.
public struct RequestPlan: Sendable, Equatable {
    /// Index into `Plan.endpoints`: the stats row this request is counted under.
    public var endpoint: Int
    /// Upper-case method, e.g. `GET`.
    public var method: String
    /// Either an absolute URL or a path appended to `Plan.host`.
    public var target: Template
    /// True when `target` is an absolute URL (starts with `http://` or `https://`).
    public var targetIsAbsolute: Bool
    /// Header lines `Name: value`, the scenario's default headers first.
    public var headers: [Template]
    /// Request body, already encoded for its content type; `nil` sends none.
    public var body: Template?
    public var check: Check
    /// A request still unanswered after this long fails with reason `timeout`.
    public var timeout: Duration
    /// Redirects and credentials (`follow_redirects:`, `auth:`); see `Plan+Session.swift`.
    public var session = RequestSession()
    /// Checks beyond the status and extractions; empty keeps the zero-copy path.
    public var rules = ResponseRules()

    public init(
        endpoint: Int, method: String, target: Template, targetIsAbsolute: Bool, headers: [Template],
        body: Template?, check: Check, timeout: Duration
    ) {
        self.endpoint = endpoint
        self.method = method
        self.target = target
        self.targetIsAbsolute = targetIsAbsolute
        self.headers = headers
        self.body = body
        self.check = check
        self.timeout = timeout
    }
}

/// What makes a response count as a success.
public struct Check: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// 200…399, like Locust.
        case successOrRedirect
        /// Exactly one of these codes.
        case oneOf([Int])
    }

    public var status: Status
    /// The body must contain these bytes (`check: { body_contains: "ok" }`).
    public var bodyContains: [UInt8]?

    public init(status: Status = .successOrRedirect, bodyContains: [UInt8]? = nil) {
        self.status = status
        self.bodyContains = bodyContains
    }

    public static let `default` = Check()

    @inlinable public func accepts(status code: Int) -> Bool {
        switch status {
        case .successOrRedirect: return code >= 200 && code < 400
        case .oneOf(let codes): return codes.contains(code)
        }
    }
}
