import Engine
import Foundation
import Logging
import Protocol

/// The master's state and bookkeeping, kept behind `FederationMaster`'s lock: members and their
/// connections, the current run, and who waits for it to finish. Sends only by queueing on links
/// (never blocks), so holding the lock is always short.
struct MasterCore {
    /// Per connection: still proving itself, or a member under a node name.
    enum LinkState {
        case handshaking(MasterHandshake, opened: Duration)
        case member(NodeID)
    }

    /// A finished run's summary owed to a waiter, resumed outside the lock.
    struct Resumption {
        let continuation: CheckedContinuation<RunSummary, Never>
        let summary: RunSummary
    }

    let configuration: MasterConfiguration
    let logger: Logger
    private let origin = ContinuousClock.now
    var membership: FleetMembership
    var links: [ObjectIdentifier: (link: Link, state: LinkState)] = [:]
    var memberLinks: [NodeID: Link] = [:]
    /// The current run, or the last one once finished (for `snapshot`).
    var run: FleetRun?
    var runLogger: Logger?
    /// Waiters for a run that is not the current one (yet): the current run's wait in its ledger.
    private var waiters: [(RunID, CheckedContinuation<RunSummary, Never>)] = []
    private var resumptions: [Resumption] = []
    var lastHeartbeat: Duration = .zero
    /// Per worker, the newest stats frame handled and not yet acknowledged (see `MasterCore+Acks`).
    var pendingAcks: [NodeID: StatsAck] = [:]
    /// Holds acks back until a save for resuming holds what they acknowledge (`AckSaveGate`).
    var ackSaveGate = AckSaveGate()

    init(configuration: MasterConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        membership = FleetMembership(heartbeatTimeout: configuration.heartbeatTimeout)
    }

    /// Monotonic time since the master was made: the `now` its state machines run on.
    var now: Duration { origin.duration(to: .now) }

    // MARK: Control

    func workers() -> [WorkerInfo] {
        let now = self.now
        let unix = Int(Date().timeIntervalSince1970)
        return membership.members.values.sorted { $0.node.rawValue < $1.node.rawValue }.map { member in
            let share = run.flatMap { $0.phase == .finished ? nil : $0.shares[member.node] }
            return WorkerInfo(
                node: member.node, address: member.address, version: member.hello.loaddVersion,
                cores: member.hello.cores, threads: member.hello.threads, weight: member.hello.weight,
                maxUsers: member.hello.maxUsers, activity: member.report?.activity ?? .idle,
                // A staged or open-model share's users move by themselves: the worker's own count.
                users: share.map {
                    $0.part.rate == nil && run?.followsStages == false ? $0.users : member.report?.users ?? 0
                } ?? 0,
                rate: share?.part.rate, rps: member.report?.rps ?? 0, cpu: member.cpu,
                lastSeenS: Double((now - member.lastHeard) / .milliseconds(1)) / 1000,
                joinedAt: unix - Int((now - member.joined) / .seconds(1)),
                problem: member.benched.map { "benched: \($0); reconnect to rejoin" }
                    ?? share?.shortfall.map { "short: \($0)" })
        }
    }

    func checkReady(for plan: Plan) throws(FederationError) {
        if let run, run.phase != .finished {
            throw FederationError("run \(run.id) is \(run.phase.rawValue): stop it first (`loadctl stop`)")
        }
        for (name, value) in [("spawn rate", plan.spawnRate), ("arrival rate", plan.arrivalRate ?? 0)]
        where !FieldRanges.rate.contains(value) {
            throw FederationError(
                "a \(name) of \(value) cannot be sent to workers: it must be 0…\(Int(FieldRanges.rate.upperBound))")
        }
        do {
            if let rate = plan.arrivalRate {
                _ = try CapacitySplit.split(rate: rate, maxInFlight: plan.maxInFlight, among: membership.capacities)
            } else {
                _ = try CapacitySplit.split(users: plan.users, spawnRate: plan.spawnRate, among: membership.capacities)
            }
        } catch {
            throw FederationError(error)
        }
        try checkUniqueData(plan, workers: membership.capacities)
    }

    mutating func startRun(_ request: FleetRun.Request) throws(FederationError) {
        try checkReady(for: request.plan)
        let workers = membership.capacities.map { ($0, membership.members[$0.node]!.hello.threads) }
        let started: (FleetRun, [FleetRun.Outgoing])
        do {
            started = try FleetRun.start(
                request, workers: workers, now: now, unixSeconds: Int(Date().timeIntervalSince1970),
                stopGrace: max(.seconds(5), configuration.heartbeatTimeout * 2),
                deliveryGrace: configuration.limits.deliveryGrace)
        } catch {
            throw FederationError(error)
        }
        run = started.0
        let (ready, waiting) = (waiters.filter { $0.0 == request.id }, waiters.filter { $0.0 != request.id })
        waiters = waiting
        for (_, waiter) in ready { _ = run?.wait(waiter) }
        var runLogger = logger
        runLogger[metadataKey: "loadd_run_id"] = "\(request.id)"
        self.runLogger = runLogger
        deliver(started.1)
        runLogger.info(
            "fleet run started",
            metadata: [
                "workers": "\(workers.count)", "split": "\(started.0.describeShares())",
            ])
    }

    mutating func setUsers(_ users: Int, spawnRate: Double?) throws(FederationError) {
        var current = try running("change users")
        do {
            deliver(try current.setUsers(users, spawnRate: spawnRate, now: now))
        } catch {
            throw FederationError(error)
        }
        run = current
        runLogger?.info("fleet users changed", metadata: ["users": "\(users)", "split": "\(current.describeShares())"])
    }

    mutating func setRate(_ rate: Double) throws(FederationError) {
        var current = try running("change the rate")
        do {
            deliver(try current.setRate(rate, now: now))
        } catch {
            throw FederationError(error)
        }
        run = current
        runLogger?.info("fleet rate changed", metadata: ["rate": "\(rate)", "split": "\(current.describeShares())"])
    }

    mutating func reset() throws(FederationError) {
        var current = try running("reset statistics")
        deliver(current.reset(now: now))
        run = current
        runLogger?.info("fleet statistics reset")
    }

    mutating func stop(failure: String?) throws(FederationError) {
        guard var current = run, current.phase != .finished else { throw FederationError("no run is going") }
        deliver(current.stop(now: now, reason: failure ?? "stop requested", failure: failure != nil))
        run = current
        runLogger?.info("fleet run stopping", metadata: ["reason": "\(failure ?? "stop requested")"])
        finishIfDone()
    }

    func snapshot() -> RunSummary? { run?.summary(now: now) }

    mutating func waitForFinish(_ id: RunID, _ continuation: CheckedContinuation<RunSummary, Never>) {
        guard run?.id == id else { return waiters.append((id, continuation)) }
        if run?.wait(continuation) == false, let run {
            resumptions.append(Resumption(continuation: continuation, summary: run.summary(now: now)))
        }
    }

    mutating func takeResumptions() -> [Resumption] {
        defer { resumptions.removeAll() }
        return resumptions
    }

    /// Ends the run at once (nobody will wait for its workers) and closes every connection.
    mutating func shutdown() {
        if var current = run, current.phase != .finished {
            deliver(current.stop(now: now, reason: "master shutting down"))
            current.finish(now: now)
            run = current
            finishIfDone()
        }
        for (link, _) in links.values { link.close(reason: "master shutting down") }
    }

    // MARK: Helpers

    private func running(_ action: String) throws(FederationError) -> FleetRun {
        guard let run, run.phase == .running else {
            throw FederationError(
                "cannot \(action): \(run.map { "run \($0.id) is \($0.phase.rawValue)" } ?? "no run is going")")
        }
        return run
    }

    /// Queues each message on its worker's connection (a worker gone meanwhile just misses it).
    func deliver(_ outgoing: [FleetRun.Outgoing]) {
        for item in outgoing {
            if let link = memberLinks[item.node] { send(item.message, on: link, worker: item.node) }
        }
    }

    /// Applies a change to the run and sends what it says to send; logs and wakes waiters when it
    /// finished because of it.
    mutating func update(_ change: (inout FleetRun) -> [FleetRun.Outgoing]) {
        guard var current = run, current.phase != .finished else { return }
        // Leave no second reference behind: `current` must be unique, or mutating it copies every
        // histogram of the run (megabytes per stats report).
        run = nil
        let out = change(&current)
        run = current
        deliver(out)
        benchNonDelivering()
        finishIfDone()
    }

    /// Keeps the workers the run took a share from for not delivering it out of later splits,
    /// until they reconnect (a new member is never benched).
    mutating func benchNonDelivering() {
        // Read without copying the run: this follows every stats report.
        guard run?.benched.isEmpty == false, let run else { return }
        for (node, reason) in run.benched where membership.members[node].map({ $0.benched == nil }) == true {
            membership.bench(node, reason: reason)
            runLogger?.warning(
                "worker benched: its share moved to the others",
                metadata: [
                    "worker": "\(node)", "loadd_peer": "\(membership.members[node]?.address ?? "")",
                    "reason": "\(reason)",
                    "split": "\(run.describeShares())",
                ])
        }
    }

    /// Logs a run that has just finished and owes its summary to whoever waits for it.
    mutating func finishIfDone() {
        guard run?.phase == .finished else { return }
        // Taken before `run` is copied below: a second reference would make this mutation copy it.
        let ready = run?.takeWaiters() ?? []
        guard let run, !ready.isEmpty || runLogger != nil else { return }
        let summary = run.summary(now: now)
        resumptions += ready.map { Resumption(continuation: $0, summary: summary) }
        runLogger?.info(
            run.suspended ? "fleet run suspended: its workers' last stats are in" : "fleet run finished",
            metadata: [
                "requests": "\(summary.total.requests)", "failures": "\(summary.total.failures)",
                "passed": "\(summary.passed)", "abort_reason": "\(summary.abortReason ?? "none")",
            ])
        // Logged once: the run logger goes with the run's end.
        runLogger = nil
    }
}
