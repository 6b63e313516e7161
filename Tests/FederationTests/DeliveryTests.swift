import Protocol
import Testing

@testable import Federation

/// A worker that heartbeats but does not generate its share: the run flags it, then moves its load
/// to the others — judged from `now` and reports alone.
@Suite struct DeliveryTests {
    /// Workers a and b, 50 users each at 5/s; started at 10 s, judged from 13 s.
    func twoWorkerRun(grace: Duration = .seconds(10)) throws -> FleetRun {
        let (plan, yaml) = try testPlan(users: 100, rate: 10)
        let request = FleetRun.Request(
            id: RunID(rawValue: "run-1"), plan: plan, scenario: yaml, file: "fleet-test.yaml",
            overrides: RunOverrides())
        let workers = ["a", "b"].map {
            (capacity: WorkerCapacity(node: node($0), cores: 1, maxUsers: 10_000), threads: 1)
        }
        return try FleetRun.start(
            request, workers: workers, now: .seconds(10), unixSeconds: 1_700_000_000,
            deliveryGrace: grace
        ).0
    }

    func report(_ run: inout FleetRun, _ name: String, users: Int, at now: Duration) {
        _ = run.workerReported(
            WorkerReport(run: run.id, activity: .running, users: users, rps: 0), from: node(name), now: now)
    }

    func stops(_ out: [FleetRun.Outgoing]) -> [String] {
        out.compactMap { if case .stop = $0.message { $0.node.rawValue } else { nil } }
    }

    @Test func aWorkerShortOfItsUsersIsFlaggedThenItsShareMovesToTheOthers() throws {
        var run = try twoWorkerRun()
        // At 15 s each should have ramped to 10 users (2 s of judging at 5/s): b has, a has none.
        report(&run, "b", users: 10, at: .seconds(15))
        #expect(run.tick(now: .seconds(15)).isEmpty)
        #expect(run.shares[node("a")]?.shortfall == "reports 0 users where 10 of its 50 are due")
        #expect(run.shares[node("b")]?.shortfall == nil)
        #expect(run.events.last?.message.hasPrefix("worker a is short of its share: reports 0 users") == true)

        report(&run, "b", users: 50, at: .seconds(24))
        #expect(run.tick(now: .seconds(24)).isEmpty)   // still inside the grace period
        report(&run, "b", users: 50, at: .seconds(25))
        let out = run.tick(now: .seconds(25))
        #expect(stops(out) == ["a"])
        #expect(
            out.contains {
                $0.node == node("b") && $0.message == .setUsers(UsersChange(run: run.id, users: 100, spawnRate: 10))
            })
        #expect(run.shares.keys.map(\.rawValue) == ["b"])
        #expect(run.benched[node("a")]?.hasPrefix("short of its share for 10.0 seconds") == true)
        #expect(run.events.contains { $0.message.hasPrefix("worker a lost (short of its share") })
    }

    @Test func aWorkerThatCatchesUpIsClearedAndKeepsItsShare() throws {
        var run = try twoWorkerRun()
        report(&run, "b", users: 10, at: .seconds(15))
        _ = run.tick(now: .seconds(15))
        #expect(run.shares[node("a")]?.shortSince == .seconds(15))
        report(&run, "a", users: 30, at: .seconds(20))   // 35 due by now: 30 is more than half
        report(&run, "b", users: 35, at: .seconds(20))
        _ = run.tick(now: .seconds(20))
        #expect(run.shares[node("a")]?.shortSince == nil)
        #expect(run.events.last?.message == "worker a delivers its share again")
        report(&run, "a", users: 50, at: .seconds(40))
        report(&run, "b", users: 50, at: .seconds(40))
        #expect(run.tick(now: .seconds(40)).isEmpty)
        #expect(run.shares.count == 2 && run.benched.isEmpty)
    }

    @Test func whenEveryWorkerIsShortNobodysLoadMoves() throws {
        var run = try twoWorkerRun()
        for second in 13...60 { #expect(stops(run.tick(now: .seconds(second))).isEmpty) }
        #expect(run.shares.count == 2 && run.benched.isEmpty)
        #expect(run.shares.values.allSatisfy { $0.shortfall != nil })
    }

    @Test func aNewShareIsNotJudgedWhileItSettles() throws {
        var run = try twoWorkerRun()
        report(&run, "b", users: 0, at: .seconds(12))
        _ = run.tick(now: .seconds(12))
        #expect(run.shares.values.allSatisfy { $0.shortfall == nil })
    }

    @Test func withoutAGracePeriodSharesAreNotJudged() throws {
        let (plan, yaml) = try testPlan(users: 10)
        let request = FleetRun.Request(
            id: RunID(rawValue: "r"), plan: plan, scenario: yaml, file: "f.yaml",
            overrides: RunOverrides())
        var run = try FleetRun.start(
            request,
            workers: [
                (WorkerCapacity(node: node("a"), cores: 1), 1),
                (WorkerCapacity(node: node("b"), cores: 1), 1),
            ],
            now: .zero, unixSeconds: 0
        ).0
        report(&run, "b", users: 5, at: .seconds(30))
        #expect(run.tick(now: .seconds(30)).isEmpty)
        #expect(run.shares.values.allSatisfy { $0.shortfall == nil })
    }

    @Test func statsFromTheFutureAreRefusedWithAReason() throws {
        var run = try twoWorkerRun()
        let a = run.shares[node("a")]!.assignment
        let future = StatsReport(
            node: node("a"), run: run.id, assignment: a, sequence: 1,
            intervals: [interval(second: 3600, requests: 1)])
        #expect(run.admit(future, now: .seconds(12))?.hasPrefix("stats.second: 3600 is in the future") == true)
        let now = StatsReport(
            node: node("a"), run: run.id, assignment: a, sequence: 1, intervals: [interval(second: 1, requests: 5)])
        #expect(run.admit(now, now: .seconds(12)) == nil)
        #expect(run.requestCount == 5)
        #expect(run.shares[node("a")]?.lastRequestsAt == .seconds(12))
    }

    @Test func theRunsSumsAreHeldUnderTheBudget() {
        let row = EndpointInterval(
            key: EndpointKey(method: "GET", name: "/"), requests: 6, failures: 0, bytes: 0,
            latency: SparseHistogram(values: [10], counts: [4]), serviceTime: SparseHistogram(),
            failureReasons: [])
        let report = StatsReport(
            node: node("a"), run: RunID(rawValue: "r"), assignment: 1, sequence: 1,
            intervals: [
                IntervalStats(
                    second: 0, users: 0, dropped: 0, cpuMicros: 0, wallMicros: 0,
                    threads: 1, endpoints: [row])
            ])
        // 10 counts left under the cap: the report (6 requests + 4 in its histogram) fits exactly.
        var budget = StatsBudget(StatsBudget.Sums(counts: StatsBudget.cap - 10))
        #expect(budget.admit(report) == nil)
        #expect(budget.total.counts == StatsBudget.cap)
        let full = budget
        #expect(budget.admit(report) == "the run's merged counts would pass \(StatsBudget.cap)")
        #expect(budget == full)
    }
}
