import Protocol

/// The workers a master has accepted, and when it last heard from each. Pure: every method takes
/// `now`, a monotonic time since any fixed origin, so liveness is tested without clocks or sockets.
public struct FleetMembership: Sendable {
    /// One accepted worker.
    public struct Member: Sendable, Equatable {
        public var hello: Hello
        public var address: String
        public var joined: Duration
        public var lastHeard: Duration
        /// What the worker said it is doing, last.
        public var report: WorkerReport?
        /// Its engine threads' CPU time over their wall time in its last stats report (0…1 per thread,
        /// as the summary's generator CPU); `nil` before it sent one.
        public var cpu: Double?
        /// Why a run took its share away (it did not deliver it); such a member gets no share of
        /// any run until it reconnects.
        public var benched: String?

        public var node: NodeID { hello.node }
        public var capacity: WorkerCapacity {
            WorkerCapacity(node: hello.node, cores: hello.cores, weight: hello.weight, maxUsers: hello.maxUsers)
        }
    }

    /// Why a worker could not join.
    public enum JoinRefusal: Error, Equatable, CustomStringConvertible {
        case duplicate(NodeID, address: String)

        public var description: String {
            switch self {
            case .duplicate(let node, let address):
                "a worker named \(node) is already connected from \(address); give each node its own `node:` name"
            }
        }
    }

    /// Silence longer than this loses a worker.
    public var heartbeatTimeout: Duration
    public private(set) var members: [NodeID: Member] = [:]

    public static let defaultHeartbeatTimeout: Duration = .seconds(3)

    public init(heartbeatTimeout: Duration = FleetMembership.defaultHeartbeatTimeout) {
        self.heartbeatTimeout = heartbeatTimeout
    }

    /// Adds an authenticated worker. A second connection under a connected name is refused rather
    /// than replacing the first: two machines configured alike would otherwise evict each other.
    public mutating func join(_ hello: Hello, address: String, now: Duration) throws(JoinRefusal) -> Member {
        if let existing = members[hello.node] {
            throw .duplicate(hello.node, address: existing.address)
        }
        let member = Member(hello: hello, address: address, joined: now, lastHeard: now)
        members[hello.node] = member
        return member
    }

    /// Any frame from the worker proves it alive.
    public mutating func heard(from node: NodeID, now: Duration) {
        // In place: every frame of every worker comes here, and copying its member out costs more.
        guard let index = members.index(forKey: node) else { return }
        if members.values[index].lastHeard < now { members.values[index].lastHeard = now }
    }

    public mutating func record(_ report: WorkerReport, from node: NodeID) {
        members[node]?.report = report
    }

    /// The engine CPU share in a stats report (its sums were range-checked when it was decoded).
    public mutating func recordCPU(_ report: StatsReport, from node: NodeID) {
        var cpu: UInt64 = 0
        var wall: UInt64 = 0
        for interval in report.intervals {
            cpu = cpu.addingReportingOverflow(interval.cpuMicros).overflow ? .max : cpu + interval.cpuMicros
            wall = wall.addingReportingOverflow(interval.wallMicros).overflow ? .max : wall + interval.wallMicros
        }
        guard wall > 0 else { return }
        members[node]?.cpu = min(1, Double(cpu) / Double(wall))
    }

    /// Removes a worker whose connection closed; `nil` if it was not a member.
    @discardableResult
    public mutating func leave(_ node: NodeID) -> Member? {
        members.removeValue(forKey: node)
    }

    /// Removes and returns the workers silent for the heartbeat timeout or longer, oldest first.
    public mutating func expire(now: Duration) -> [Member] {
        // Looks at each member in place: the ticker asks four times a second, and nobody is lost mostly.
        var lost: [Member] = []
        for index in members.indices where now - members.values[index].lastHeard >= heartbeatTimeout {
            lost.append(members.values[index])
        }
        guard !lost.isEmpty else { return [] }
        lost.sort { $0.lastHeard < $1.lastHeard }
        for member in lost { members[member.node] = nil }
        return lost
    }

    /// Marks a member as not delivering its share: see `Member.benched`.
    public mutating func bench(_ node: NodeID, reason: String) {
        members[node]?.benched = reason
    }

    /// The workers as a split sees them (benched ones left out), in name order.
    public var capacities: [WorkerCapacity] {
        members.values.filter { $0.benched == nil }.map(\.capacity).sorted { $0.node.rawValue < $1.node.rawValue }
    }

    public var count: Int { members.count }
}
