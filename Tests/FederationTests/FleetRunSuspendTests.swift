import Engine
import Protocol
import Testing

@testable import Federation

/// A master's SIGTERM with the run saved for resuming (`FleetRun.suspend`): the workers stop, the
/// run ends as no verdict once their last seconds are in, and a restarted master carries its books
/// on. The run starts at monotonic 10 s and Unix second 1 700 000 000 (22:13:20 UTC).
@Suite struct FleetRunSuspendTests {
    private static let a = WorkerCapacity(node: node("a"), cores: 1, maxUsers: 10_000)
    private static let b = WorkerCapacity(node: node("b"), cores: 1, maxUsers: 10_000)

    private func report(
        _ assignment: UInt64, _ sequence: UInt64, second: Int, requests: UInt64, from name: String
    ) -> StatsReport {
        StatsReport(
            node: node(name), run: RunID(rawValue: "run-1"), assignment: assignment, sequence: sequence,
            intervals: [interval(second: second, requests: requests)])
    }

    private func idle(_ run: FleetRun) -> WorkerReport {
        WorkerReport(run: run.id, activity: .idle, users: 0, rps: 0)
    }

    @Test func aSuspendedRunStopsItsWorkersEndsAsNoVerdictAndItsBooksGoOnWithTheirLastSeconds() throws {
        let (plan, yaml) = try testPlan(users: 4, duration: "60s")
        let request = FleetRun.Request(
            id: RunID(rawValue: "run-1"), plan: plan, scenario: yaml, file: "fleet-test.yaml",
            overrides: RunOverrides())
        var (run, _) = try FleetRun.start(
            request, workers: [(Self.a, 1), (Self.b, 1)], now: .seconds(10), unixSeconds: 1_700_000_000)
        let (first, second) = (run.shares[node("a")]!.assignment, run.shares[node("b")]!.assignment)
        #expect(run.admit(report(first, 1, second: 0, requests: 10, from: "a"), now: .seconds(11)) == nil)
        #expect(run.admit(report(second, 1, second: 0, requests: 10, from: "b"), now: .seconds(11)) == nil)

        let stops = run.suspend(now: .milliseconds(13_400))
        #expect(stops.map(\.node) == [node("a"), node("b")])
        #expect(stops.allSatisfy { if case .stop = $0.message { true } else { false } })
        #expect(run.phase == .stopping && run.suspended)
        // The workers' last seconds arrive while the master waits for them.
        #expect(run.admit(report(first, 2, second: 3, requests: 5, from: "a"), now: .milliseconds(13_500)) == nil)
        _ = run.workerReported(idle(run), from: node("a"), now: .milliseconds(13_500))
        #expect(run.phase == .stopping, "b's last seconds are still due")
        _ = run.workerReported(idle(run), from: node("b"), now: .milliseconds(13_600))
        #expect(run.phase == .finished)
        #expect(!run.events.contains { $0.message.hasPrefix("finished") }, "\(run.events)")
        #expect(run.events.last?.message.hasPrefix("master shutting down: the run is saved for resuming") == true)

        let (ledger, books) = run.checkpoint(now: .milliseconds(13_600))
        #expect(abs(ledger.elapsedS - 3.4) < 1e-9, "the gap starts where the load stopped")
        #expect(books.workers == [node("a"), node("b")])

        // A master started 5 s later, on a clock of its own, takes the run up with no share yet.
        var resumed = FleetRun.resume(
            request, ledger: ledger, fleet: books, now: .seconds(500), unixNow: 1_700_000_008.4)
        #expect(resumed.phase == .running && !resumed.suspended && resumed.shares.isEmpty)
        #expect(resumed.requestCount == 25)
        let back = resumed.join(Self.a, threads: 1, now: .seconds(500))
        #expect(back.contains { if case .assign = $0.message { $0.node == node("a") } else { false } })
        // a's last report again (its ack never went out): a repeat, counted once.
        #expect(resumed.admit(report(first, 2, second: 3, requests: 5, from: "a"), now: .seconds(500)) == nil)
        #expect(resumed.requestCount == 25)
        _ = resumed.join(Self.b, threads: 1, now: .milliseconds(500_300))
        #expect(resumed.shares.mapValues(\.users) == [node("a"): 2, node("b"): 2])
        #expect(resumed.summary(now: .seconds(501)).resumes?.first?.workersBack == 2)
        let messages = resumed.events.map(\.message)
        #expect(messages.last == "master restarted at 22:13:23 UTC, resumed at 22:13:28 UTC, 2 workers back")
        #expect(messages.contains { $0.hasSuffix("waiting for its 2 workers to rejoin") })
    }

    @Test func aMasterStoppedAgainBeforeItsWorkersRejoinedStillWaitsForThemNextTime() throws {
        let (plan, yaml) = try testPlan(users: 4, duration: "60s")
        let request = FleetRun.Request(
            id: RunID(rawValue: "run-1"), plan: plan, scenario: yaml, file: "fleet-test.yaml",
            overrides: RunOverrides())
        var (run, _) = try FleetRun.start(
            request, workers: [(Self.a, 1), (Self.b, 1)], now: .seconds(10), unixSeconds: 1_700_000_000)
        _ = run.suspend(now: .seconds(12))
        _ = run.workerReported(idle(run), from: node("a"), now: .seconds(12))
        _ = run.workerReported(idle(run), from: node("b"), now: .seconds(12))
        var books = run.checkpoint(now: .seconds(12))
        // Restarted, then stopped again before any worker is back: no share to wait for.
        var resumed = FleetRun.resume(
            request, ledger: books.ledger, fleet: books.fleet, now: .seconds(100), unixNow: 1_700_000_004)
        #expect(resumed.suspend(now: .seconds(101)).isEmpty)
        _ = resumed.tick(now: .milliseconds(101_250))
        #expect(resumed.phase == .finished)
        books = resumed.checkpoint(now: .milliseconds(101_250))
        #expect(books.fleet.workers == [node("a"), node("b")])
    }

    @Test func aRunNotRunningIsNotSuspended() throws {
        let (plan, yaml) = try testPlan(users: 4, duration: "60s")
        let request = FleetRun.Request(
            id: RunID(rawValue: "run-1"), plan: plan, scenario: yaml, file: "fleet-test.yaml",
            overrides: RunOverrides())
        var (run, _) = try FleetRun.start(request, workers: [(Self.a, 1)], now: .seconds(10), unixSeconds: 0)
        _ = run.stop(now: .seconds(11))
        #expect(run.suspend(now: .seconds(12)).isEmpty)
        #expect(!run.suspended, "a run a user stopped ends with its verdict")
    }
}
