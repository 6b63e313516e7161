import Engine
import Protocol
import Testing

@testable import Federation

/// How the master merges what a worker resends after its link dropped, and what the run's events
/// say about it. The run starts at monotonic 10 s, so run second N is `now` 10 + N s.
@Suite struct FleetRunResendTests {
    private func start() throws -> (FleetRun, a: Assignment) {
        let (plan, yaml) = try testPlan(users: 100)
        let request = FleetRun.Request(
            id: RunID(rawValue: "run-1"), plan: plan, scenario: yaml, file: "fleet-test.yaml",
            overrides: RunOverrides())
        let workers: [(capacity: WorkerCapacity, threads: Int)] = [
            (WorkerCapacity(node: node("a"), cores: 1, maxUsers: 10_000), 1),
            (WorkerCapacity(node: node("b"), cores: 1, maxUsers: 10_000), 1),
        ]
        let (run, out) = try FleetRun.start(request, workers: workers, now: .seconds(10), unixSeconds: 1_700_000_000)
        let a = try #require(
            out.compactMap { if case .assign(let a) = $0.message, $0.node == node("a") { a } else { nil } }.first)
        return (run, a)
    }

    private func report(
        _ assignment: UInt64, _ sequence: UInt64, second: Int, requests: UInt64,
        from name: String = "a"
    ) -> StatsReport {
        StatsReport(
            node: node(name), run: RunID(rawValue: "run-1"), assignment: assignment, sequence: sequence,
            intervals: [interval(second: second, requests: requests)])
    }

    /// The link drops at run second 3 and the master re-splits; the worker rejoins at second 6.
    private func dropAndRejoin(_ run: inout FleetRun) -> UInt64 {
        run.linkLost(node("a"), now: .seconds(13))
        _ = run.lose(node("a"), reason: "connection closed", now: .seconds(13))
        _ = run.join(WorkerCapacity(node: node("a"), cores: 1, maxUsers: 10_000), threads: 1, now: .seconds(16))
        return run.shares[node("a")]!.assignment
    }

    @Test func aResentReportTheMasterHadIsMergedOnceAndALateOneJoinsItsClosedSecond() throws {
        var (run, a) = try start()
        #expect(run.admit(report(a.assignment, 1, second: 0, requests: 10), now: .seconds(11)) == nil)
        #expect(run.admit(report(a.assignment, 2, second: 1, requests: 20), now: .seconds(12)) == nil)
        let b = run.shares[node("b")]!.assignment
        #expect(run.admit(report(b, 1, second: 2, requests: 1, from: "b"), now: .seconds(13)) == nil)
        let rejoined = dropAndRejoin(&run)
        _ = run.tick(now: .seconds(16))   // closes seconds 0…3, second 2 without a's interval
        #expect(run.summary(now: .seconds(16)).history.first { $0.second == 2 }?.requests == 1)

        // The resend after the rejoin: 1 and 2 the master had, 3 (second 2) it had not, then the end.
        for (sequence, second, requests) in [(1, 0, 10), (2, 1, 20), (3, 2, 30)] as [(UInt64, Int, UInt64)] {
            #expect(
                run.admit(report(a.assignment, sequence, second: second, requests: requests), now: .seconds(17)) == nil)
        }
        run.statsEnded(StatsEnd(run: run.id, assignment: a.assignment, sequence: 4), from: node("a"), now: .seconds(17))
        // A second resend of the same (its ack was lost) changes nothing.
        #expect(run.admit(report(a.assignment, 3, second: 2, requests: 30), now: .seconds(18)) == nil)
        run.statsEnded(StatsEnd(run: run.id, assignment: a.assignment, sequence: 4), from: node("a"), now: .seconds(18))
        #expect(run.admit(report(rejoined, 1, second: 7, requests: 5), now: .seconds(18)) == nil)

        #expect(run.requestCount == 10 + 20 + 1 + 30 + 5)
        let summary = run.summary(now: .seconds(18))
        #expect(summary.history.first { $0.second == 2 }?.requests == 31)
        let messages = run.events.map(\.message)
        #expect(messages.contains { $0.hasPrefix("worker a lost (connection closed)") })
        #expect(messages.contains { $0.hasPrefix("worker a joined") })
        #expect(
            messages.filter { $0.hasPrefix("worker a rejoined") } == [
                "worker a rejoined and resent 1 stats reports it measured before its link dropped (seconds 2…2): merged late, once"
            ])
    }

    @Test func aWorkerBackWithoutItsUnsentSecondsIsSaidToHaveLostThem() throws {
        var (run, a) = try start()
        #expect(run.admit(report(a.assignment, 1, second: 0, requests: 10), now: .seconds(11)) == nil)
        let rejoined = dropAndRejoin(&run)
        // A restarted daemon has nothing to resend: its new share's first report comes first.
        #expect(run.admit(report(rejoined, 1, second: 6, requests: 5), now: .seconds(17)) == nil)
        #expect(run.admit(report(rejoined, 2, second: 7, requests: 5), now: .seconds(18)) == nil)
        let messages = run.events.map(\.message).filter { $0.hasPrefix("worker a rejoined") }
        #expect(
            messages == [
                "worker a rejoined without the stats it had not sent before it was lost at second 3 "
                    + "(its daemon restarted?): what it measured after second 0 is lost"
            ])
        #expect(run.requestCount == 20)
    }

    @Test func aCleanEndBeforeTheLinkDropsLosesNothing() throws {
        var (run, a) = try start()
        #expect(run.admit(report(a.assignment, 1, second: 0, requests: 10), now: .seconds(11)) == nil)
        run.statsEnded(StatsEnd(run: run.id, assignment: a.assignment, sequence: 2), from: node("a"), now: .seconds(12))
        let rejoined = dropAndRejoin(&run)
        #expect(run.admit(report(rejoined, 1, second: 6, requests: 5), now: .seconds(17)) == nil)
        #expect(!run.events.contains { $0.message.hasPrefix("worker a rejoined") })
    }

    @Test func reportsAWorkerDroppedFromItsFullBufferAreInTheEvents() throws {
        var (run, a) = try start()
        run.statsEnded(
            StatsEnd(run: run.id, assignment: a.assignment, sequence: 9, droppedReports: 2, droppedSeconds: 4),
            from: node("a"), now: .seconds(19))
        // Under another worker's assignment: ignored.
        run.statsEnded(
            StatsEnd(run: run.id, assignment: a.assignment, sequence: 9, droppedReports: 7, droppedSeconds: 7),
            from: node("b"), now: .seconds(19))
        #expect(
            run.events.map(\.message).filter { $0.contains("dropped") } == [
                "worker a dropped 2 stats reports (4 thread-seconds) the master had not acknowledged: its buffer of "
                    + "unacknowledged seconds was full"
            ])
    }
}
