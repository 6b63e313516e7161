import Engine
import Foundation
import Protocol

/// A fleet run's books beyond the merged statistics (`RunLedger.Checkpoint`), for a restarted
/// master to carry the run on: the load asked for, the events, which assignment went to which
/// worker and which of their reports were merged. The shares themselves are not kept: the workers
/// stopped (their dead-man's switch) and get new ones as they rejoin.
public struct FleetRunCheckpoint: Codable, Sendable, Equatable {
    var users: Int
    var spawnRate: Double
    var rate: Double?
    var maxInFlight: Int
    var followsStages: Bool
    var events: [FleetEvent]
    var nextAssignment: UInt64
    var assignedTo: [Assigned]
    var dataSlots: Int
    var dedupe: StatsDeduplicator.Checkpoint
    /// The workers that had a share when it was taken: "N workers back" counts them as they rejoin.
    var workers: [NodeID]

    struct Assigned: Codable, Sendable, Equatable {
        var assignment: UInt64
        var node: NodeID
    }

    /// Why it cannot be carried on; `nil` when it can.
    public var problem: String? {
        if users < 0 || !(spawnRate.isFinite && spawnRate >= 0) { return "its load is not a load" }
        if let rate, !(rate.isFinite && rate >= 0) { return "its rate is not a rate" }
        if assignedTo.count > 1_000_000 || events.count > 1_000_000 { return "it holds more than a run can" }
        return nil
    }
}

extension FleetRun {
    /// The run's books as they stand at `now`: one lock, so the statistics and the reports known
    /// merged agree.
    public func checkpoint(now: Duration) -> (ledger: RunLedger.Checkpoint, fleet: FleetRunCheckpoint) {
        let fleet = FleetRunCheckpoint(
            users: users, spawnRate: spawnRate, rate: rate, maxInFlight: maxInFlight, followsStages: followsStages,
            events: events, nextAssignment: nextAssignment,
            assignedTo: assignedTo.map { .init(assignment: $0.key, node: $0.value) }.sorted {
                $0.assignment < $1.assignment
            },
            // With those of an earlier restart not back yet: the next master waits for them too.
            dataSlots: dataSlots, dedupe: dedupe.checkpoint(),
            workers: Set(shares.keys).union(rejoining).sorted { $0.rawValue < $1.rawValue })
        return (ledger.checkpoint(at: ledger.spanEnd(at: now - started)), fleet)
    }

    /// Takes up a run a previous master saved, with no worker yet: each gets its share as it
    /// (re)joins (`join`). The run keeps its clock: `started` is put back by the time since the
    /// run's start on the wall clock (`unixNow`), so its seconds, stages and end time go on.
    public static func resume(
        _ request: Request, ledger saved: RunLedger.Checkpoint, fleet books: FleetRunCheckpoint,
        now: Duration, unixNow: Double, closeLag: Int = 2, stopGrace: Duration = .seconds(5),
        deliveryGrace: Duration? = nil
    ) -> FleetRun {
        let sinceStart = max(0, unixNow - Double(saved.startUnixSeconds))
        let started = now - .milliseconds(Int64(sinceStart * 1000))
        var run = FleetRun(
            request: request, started: started, startUnixSeconds: saved.startUnixSeconds,
            closeLag: closeLag, stopGrace: stopGrace, deliveryGrace: deliveryGrace)
        run.users = books.users
        run.spawnRate = books.spawnRate
        run.rate = books.rate
        run.maxInFlight = books.maxInFlight
        run.followsStages = books.followsStages
        run.events = books.events
        run.nextAssignment = max(1, books.nextAssignment)
        run.assignedTo = Dictionary(
            books.assignedTo.map { ($0.assignment, $0.node) }, uniquingKeysWith: { first, _ in first })
        run.dataSlots = max(1, books.dataSlots)
        run.dedupe = StatsDeduplicator(restoring: books.dedupe)
        run.rejoining = Set(books.workers)
        run.ledger.resume(from: saved, resumedAt: now - started, workersBack: 0)
        if let gap = run.ledger.resumes.last {
            run.record(
                "master restarted: last saved at \(FleetRun.clock(gap.restartedAt)) UTC, resumed at "
                    + "\(FleetRun.clock(gap.resumedAt)) UTC (\(Int(gap.gapS.rounded())) s without load); "
                    + "waiting for its \(books.workers.count) workers to rejoin", now: now)
        }
        return run
    }

    /// The master's loadd is shutting down with the run saved for resuming (SIGTERM, `systemctl
    /// restart`): every worker stops its share now and sends its last seconds, and the run finishes
    /// once they are in (or the stop grace is over) — as no verdict (`suspended`). Its books, taken
    /// then, hold every second the workers measured; a restarted master carries the run on from them
    /// and gives the workers new shares as they rejoin.
    public mutating func suspend(now: Duration) -> [Outgoing] {
        guard phase == .running else { return [] }
        noteLosses(now: now)
        ledger.stop(at: now - started)
        suspended = true
        record(
            "master shutting down: the run is saved for resuming; its \(shares.count) workers stop now "
                + "and get new shares when it is back", now: now)
        return shares.keys.sorted { $0.rawValue < $1.rawValue }.map {
            Outgoing(node: $0, message: .stop(StopRequest(run: id)))
        }
    }

    /// A worker of the run before the master's restart is back: the restart's `workers_back` counts it,
    /// and the events say so once the last of them is.
    mutating func noteRejoin(_ node: NodeID, now: Duration) {
        guard rejoining.remove(node) != nil else { return }
        ledger.countWorkerBack()
        guard rejoining.isEmpty, let gap = ledger.resumes.last else { return }
        let back = gap.workersBack ?? 0
        record(
            "master restarted at \(FleetRun.clock(gap.restartedAt)) UTC, resumed at \(FleetRun.clock(gap.resumedAt)) "
                + "UTC, \(back) worker\(back == 1 ? "" : "s") back", now: now)
    }

    static func clock(_ unix: Int) -> String {
        let seconds = ((unix % 86_400) + 86_400) % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }
}
