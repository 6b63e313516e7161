/// One worker as a master sees it: `GET /v1/workers` answers a list of these, `loadctl workers` prints them.
public struct WorkerInfo: Codable, Sendable, Equatable {
    public var node: NodeID
    /// `HOST:PORT` the connection comes from.
    public var address: String
    public var version: String
    public var cores: Int
    public var threads: Int
    public var weight: Double
    public var maxUsers: Int
    public var activity: WorkerActivity
    /// The share assigned now (0 when no run is going); in the open model, iterations in flight.
    public var users: Int
    /// Open model: the arrivals per second assigned now.
    public var rate: Double?
    /// Requests per second the worker reported last.
    public var rps: Double
    /// Its engine threads' CPU time over their wall time in its last stats report (0…1); `nil`
    /// before it sent one (or from a master that did not keep it).
    public var cpu: Double?
    /// Seconds since the last frame from the worker.
    public var lastSeenS: Double
    /// Unix seconds the worker joined.
    public var joinedAt: Int
    /// `nil` while it delivers its share; else why not: "short: …" (flagged) or "benched: …" (its
    /// share moved to the others until it reconnects).
    public var problem: String?

    public init(
        node: NodeID, address: String, version: String, cores: Int, threads: Int, weight: Double,
        maxUsers: Int, activity: WorkerActivity, users: Int, rate: Double? = nil, rps: Double, cpu: Double? = nil,
        lastSeenS: Double,
        joinedAt: Int, problem: String? = nil
    ) {
        self.node = node
        self.address = address
        self.version = version
        self.cores = cores
        self.threads = threads
        self.weight = weight
        self.maxUsers = maxUsers
        self.activity = activity
        self.users = users
        self.rate = rate
        self.rps = rps
        self.cpu = cpu
        self.lastSeenS = lastSeenS
        self.joinedAt = joinedAt
        self.problem = problem
    }

    enum CodingKeys: String, CodingKey {
        case node, address, version, cores, threads, weight, maxUsers = "max_users", activity, users, rate, rps, cpu
        case lastSeenS = "last_seen_s", joinedAt = "joined_at", problem
    }
}

/// Something that happened to a fleet run, for its event history: "worker w2 lost at second 41;
/// users re-split: w1 300".
public struct FleetEvent: Codable, Sendable, Equatable {
    /// The run's second it happened in.
    public var second: Int
    public var message: String

    public init(second: Int, message: String) {
        self.second = second
        self.message = message
    }
}
