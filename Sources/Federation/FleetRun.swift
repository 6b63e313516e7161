import Engine
import Foundation
import Protocol

/// The master's view of one fleet run: what was asked, which worker runs which share, and the
/// merged statistics. Pure: no timers or sockets; the master feeds it events with `now` (monotonic
/// time since any fixed origin) and sends the `Outgoing` messages it returns.
public struct FleetRun: Sendable {
    public typealias Phase = RunLedger.Phase

    /// One worker's part in the run.
    public struct Share: Sendable, Equatable {
        public var capacity: WorkerCapacity
        public var threads: Int
        public var assignment: UInt64
        public var part: Part
        /// Its slice of the scenario's `data:` rows (see `DataPartition`).
        public var dataSlot: Int
        /// The worker said its share ended (stopped, or by itself).
        public var ended = false
        /// When `part` last changed, and the users the worker had then: what it should show by now
        /// ramps from there (see `FleetRun+Delivery`).
        public var partSince: Duration = .zero
        public var usersBefore = 0
        /// Users in the worker's last `worker_state` for this run; when its stats last had requests.
        public var reportedUsers: Int?
        public var lastRequestsAt: Duration?
        /// Since when it has delivered too little of its share, if it does now.
        public var shortSince: Duration?
        public var shortfall: String?

        public var users: Int { part.users }
    }

    /// What one worker generates: users (closed model) or an arrival rate (open model), and its
    /// slice of a staged run's shape (its fraction of the fleet's capacity).
    public struct Part: Sendable, Equatable {
        public var users: Int
        public var spawnRate: Double
        public var rate: Double?
        public var maxInFlight: Int?
        public var slice: LoadSlice
    }

    /// A message for one worker.
    public struct Outgoing: Sendable, Equatable {
        public var node: NodeID
        public var message: FederationMessage
    }

    /// What the run was started with.
    public struct Request: Sendable {
        public var id: RunID
        public var plan: Plan
        /// The scenario text and the name it came under, sent to every worker to compile.
        public var scenario: String
        public var file: String
        public var overrides: RunOverrides
        /// The data files the scenario read on the master, forwarded in every assignment.
        public var files: [String: Data]
        /// `--var` values, forwarded in every assignment so each worker compiles the same `{{env.…}}`.
        public var vars: [String: String] = [:]
        /// The names in `vars` given as `--secret-var`, forwarded so every worker knows them.
        public var secretVars: [String] = []
        /// What this run must never show: every var's value, and the plan's (secret data cells, `auth:`
        /// passwords). A worker's abort reason is free text from another node: it is redacted here
        /// too, whatever the worker did. Built when asked for (a rare path).
        public var secrets: SecretValues { SecretValues(vars.values).merging(plan.secrets) }

        public init(
            id: RunID, plan: Plan, scenario: String, file: String, overrides: RunOverrides,
            files: [String: Data] = [:]
        ) {
            self.id = id
            self.plan = plan
            self.scenario = scenario
            self.file = file
            self.overrides = overrides
            self.files = files
        }
    }

    public let request: Request
    public var id: RunID { request.id }
    public var plan: Plan { request.plan }
    /// Monotonic time the run started at, and the wall-clock second it did.
    public let started: Duration
    public let startUnixSeconds: Int
    /// The total the user asked for; the shares add up to it (or to what the fleet can hold).
    public internal(set) var users: Int
    public internal(set) var spawnRate: Double
    /// Open model: the fleet's arrival rate and in-flight cap; `nil` for the closed model.
    public internal(set) var rate: Double?
    public internal(set) var maxInFlight: Int
    public internal(set) var shares: [NodeID: Share] = [:]
    public internal(set) var events: [FleetEvent] = []
    public var phase: Phase { ledger.phase }
    public var abortReason: String? { ledger.abortReason }
    /// The workers run the scenario's stages, each its slice of them; false once `users` or
    /// `rate` replaced them (as on one node).
    public internal(set) var followsStages: Bool
    /// Workers whose share was taken away because they did not deliver it, with the reason. The
    /// master keeps them out of later splits until they reconnect.
    public internal(set) var benched: [NodeID: String] = [:]
    /// How long a share may stay short before it is re-split to the others; `nil`: shares are not
    /// judged (the master always judges them; tests of other things need not feed worker states).
    let deliveryGrace: Duration?
    /// Sums of every count merged so far, held under a cap (see `StatsBudget`).
    var budget = StatsBudget()

    /// Phase, warm-up, measured span, merged statistics and waiters, as the local engine keeps them.
    var ledger: RunLedger
    /// Whole seconds of warm-up as the schedule has them (a share's warm-up, stages and end follow
    /// it; the ledger's books may end it later, after a restart's gap).
    var warmupSeconds: Int { ledger.plannedWarmupSeconds }
    var dedupe = StatsDeduplicator()
    /// Workers that had a share before the master restarted and have not rejoined yet.
    var rejoining: Set<NodeID> = []
    /// Stopped because the master's loadd is shutting down with the run saved for resuming
    /// (`suspend`): its end is no verdict, and a restarted master carries it on.
    public internal(set) var suspended = false
    /// Shares whose link dropped, and what their workers resent (see `FleetRun+Resend`).
    var resend = ResendLedger()
    var nextAssignment: UInt64 = 1
    /// How many slices the `data:` rows are dealt in: one per worker the run started with. A
    /// joiner takes a slice a lost worker left; beyond those, rows repeat across workers.
    var dataSlots = 1
    /// Workers lost since the last re-split (see `FleetRun+Losses`).
    var unsplitLosses: [Loss] = []
    /// Which node each assignment went to, so reports naming another node are refused.
    var assignedTo: [UInt64: NodeID] = [:]
    /// A second still short of reporters this many seconds after it ended is closed without them:
    /// a worker's interval arrives within ~2 s (1 s window + up to 1 s until its next report).
    let closeLag: Int
    /// How long to wait after `stop` for the workers' last reports before finishing without them.
    let stopGrace: Duration

    /// Starts a run over `workers` (capacity and engine threads of each), returning the `assign`
    /// messages to send. - Throws: `SplitError` when there are no workers or too few for the users.
    public static func start(
        _ request: Request, workers: [(capacity: WorkerCapacity, threads: Int)], now: Duration,
        unixSeconds: Int, closeLag: Int = 2, stopGrace: Duration = .seconds(5),
        deliveryGrace: Duration? = nil
    ) throws(SplitError) -> (FleetRun, [Outgoing]) {
        var run = FleetRun(
            request: request, started: now, startUnixSeconds: unixSeconds, closeLag: closeLag,
            stopGrace: stopGrace, deliveryGrace: deliveryGrace)
        let split = try run.split(among: workers.map(\.capacity))
        run.dataSlots = max(1, workers.count)
        var out: [Outgoing] = []
        for worker in workers.sorted(by: { $0.capacity.node.rawValue < $1.capacity.node.rawValue }) {
            out.append(run.assign(worker.capacity, threads: worker.threads, split[worker.capacity.node]!, now: now))
        }
        let load = run.rate.map { "\(format($0)) iterations/s" } ?? "\(run.users) users at \(format(run.spawnRate))/s"
        run.record("run started: \(load) over \(workers.count) workers: " + run.describeShares(), now: now)
        return (run, out)
    }

    init(
        request: Request, started: Duration, startUnixSeconds: Int, closeLag: Int, stopGrace: Duration,
        deliveryGrace: Duration?
    ) {
        self.request = request
        self.deliveryGrace = deliveryGrace
        self.started = started
        self.startUnixSeconds = startUnixSeconds
        self.closeLag = closeLag
        self.stopGrace = stopGrace
        users = request.plan.users
        spawnRate = request.plan.spawnRate
        rate = request.plan.arrivalRate
        maxInFlight = request.plan.maxInFlight
        ledger = RunLedger(
            plan: request.plan, run: request.id, expectedReporters: 0, startUnixSeconds: startUnixSeconds)
        followsStages = !request.plan.stages.isEmpty
    }

    /// Warm-up plus the measured span (duration or stages); `nil` runs until stopped.
    var runLength: Duration? { ledger.runLength }

    /// The run's second `now` falls in.
    public func second(at now: Duration) -> Int {
        RunLedger.second(at: now - started)
    }

    /// Engine threads over all shares: each sends one interval per second.
    public var threads: Int { shares.values.reduce(0) { $0 + $1.threads } }

    // MARK: Stats

    /// Merges a report (its intervals' rows' histograms in `histograms` when the master read them
    /// packed); false when it is a repeat, names an assignment of another node or run, or comes
    /// after the run finished.
    @discardableResult
    public mutating func absorb(_ report: StatsReport, histograms: [PackedHistograms]? = nil) -> Bool {
        guard phase != .finished, report.run == id, assignedTo[report.assignment] == report.node,
            dedupe.admit(node: report.node, assignment: report.assignment, sequence: report.sequence)
        else {
            return false
        }
        for (i, interval) in report.intervals.enumerated() { ledger.absorb(interval, packed: histograms?[i]) }
        return true
    }

    /// Requests merged so far.
    public var requestCount: UInt64 { ledger.requestCount }

    /// Closes seconds a lost or late worker left short, ends the run when its duration is up, and
    /// finishes a stopping run whose workers have all reported or whose grace has run out.
    public mutating func tick(now: Duration) -> [Outgoing] {
        guard phase != .finished else { return [] }
        ledger.closeSeconds(before: second(at: now) - closeLag)
        if phase == .running, let runLength, now - started >= runLength {
            return stop(now: now, reason: "duration \(runLength) reached")
        }
        if phase == .running { return splitLosses(now: now) + checkDelivery(now: now) }
        if phase == .stopping, let stoppedAt = ledger.stoppedAt,
            shares.values.allSatisfy(\.ended) || now - started - stoppedAt >= stopGrace
        {
            finish(now: now)
        }
        return []
    }

    mutating func finish(now: Duration) {
        ledger.finish()
        // A suspended run goes on under a restarted master: its books (and events) say nothing ended.
        if suspended { return }
        let missing = shares.filter { !$0.value.ended }.keys.map(\.rawValue).sorted()
        record(
            missing.isEmpty
                ? "finished: \(ledger.requestCount) requests"
                : "finished without the last report of \(missing.joined(separator: ", "))", now: now)
    }

    /// Keeps `waiter` for the run's end; false when it has already finished (resume it now).
    mutating func wait(_ waiter: CheckedContinuation<RunSummary, Never>) -> Bool { ledger.wait(waiter) }

    /// A finished run's waiters, each owed the final summary.
    mutating func takeWaiters() -> [CheckedContinuation<RunSummary, Never>] { ledger.takeWaiters() }

    /// The merged summary so far (final once `phase` is `.finished`), thresholds evaluated.
    public func summary(now: Duration) -> RunSummary {
        var summary = ledger.summary(
            at: now - started, users: rate == nil && !followsStages ? users : ledger.measured.history.last?.users ?? 0,
            threads: threads, openModel: rate.map { ($0, maxInFlight) })
        summary.fleetEvents = events
        return summary
    }

    mutating func record(_ message: String, now: Duration) {
        events.append(FleetEvent(second: second(at: now), message: message))
    }

    static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? "\(Int(rate))" : String(Double(Int(rate * 100)) / 100)
    }
}
