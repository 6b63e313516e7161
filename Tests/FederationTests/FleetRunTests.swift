import Engine
import Federation
import Protocol
import Testing

/// A scenario compiled as the master would: two endpoints, `users` at `rate`.
func testPlan(
    users: Int = 100, rate: Double = 10, duration: String? = nil,
    host: String = "http://127.0.0.1:9"
) throws -> (Plan, String) {
    let yaml = """
        name: fleet-test
        host: \(host)
        users: \(users)
        spawn_rate: \(rate)
        \(duration.map { "duration: \($0)" } ?? "")
        wait: { constant: 10ms }
        tasks:
          - { weight: 3, request: GET /Test/V1 }
          - { weight: 1, request: GET /Test/V3 }
        """
    return (try ScenarioLoader.load(yaml: yaml, file: "fleet-test.yaml", baseDirectory: "."), yaml)
}

func node(_ name: String) -> NodeID { NodeID(rawValue: name) }

private func capacity(_ name: String, cores: Int = 1) -> (capacity: WorkerCapacity, threads: Int) {
    (WorkerCapacity(node: node(name), cores: cores, maxUsers: 10_000), 2)
}

private func startRun(
    users: Int = 100, duration: String? = nil,
    workers: [(capacity: WorkerCapacity, threads: Int)]
) throws -> (FleetRun, [FleetRun.Outgoing]) {
    let (plan, yaml) = try testPlan(users: users, duration: duration)
    let request = FleetRun.Request(
        id: RunID(rawValue: "run-1"), plan: plan, scenario: yaml, file: "fleet-test.yaml",
        overrides: RunOverrides())
    return try FleetRun.start(request, workers: workers, now: .seconds(10), unixSeconds: 1_700_000_000)
}

/// One interval with `requests` requests of GET /Test/V1, all at `latencyMicros`.
func interval(second: Int, requests: UInt64, latencyMicros: UInt64 = 1000) -> IntervalStats {
    let histogram = SparseHistogram(values: [latencyMicros], counts: [requests])
    let row = EndpointInterval(
        key: EndpointKey(method: "GET", name: "/Test/V1"), requests: requests, failures: 0,
        bytes: requests * 10, latency: histogram, serviceTime: histogram, failureReasons: [])
    return IntervalStats(
        second: second, users: 1, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000, threads: 1,
        endpoints: [row])
}

private func assignment(_ out: [FleetRun.Outgoing], to name: String) -> Assignment? {
    for item in out where item.node == node(name) { if case .assign(let a) = item.message { return a } }
    return nil
}

private func usersChange(_ out: [FleetRun.Outgoing], to name: String) -> UsersChange? {
    for item in out where item.node == node(name) { if case .setUsers(let c) = item.message { return c } }
    return nil
}

@Suite struct FleetRunTests {
    @Test func startingAssignsEveryWorkerItsShare() throws {
        let (run, out) = try startRun(users: 90, workers: [capacity("a", cores: 2), capacity("b")])
        #expect(assignment(out, to: "a")?.users == 60)
        #expect(assignment(out, to: "b")?.users == 30)
        #expect(assignment(out, to: "a")?.startSecond == 0)
        #expect(assignment(out, to: "a")?.assignment != assignment(out, to: "b")?.assignment)
        #expect(run.threads == 4)
        #expect(run.events.first?.message.contains("a 60, b 30") == true)
    }

    @Test func aWorkerJoiningMidRunGetsItsShareAtOnceAndTheOthersShrink() throws {
        var (run, _) = try startRun(users: 100, workers: [capacity("a"), capacity("b")])
        let out = run.join(WorkerCapacity(node: node("c"), cores: 2), threads: 1, now: .seconds(50))
        #expect(assignment(out, to: "c")?.users == 50)
        #expect(assignment(out, to: "c")?.startSecond == 40)
        #expect(usersChange(out, to: "a")?.users == 25)
        #expect(usersChange(out, to: "b")?.users == 25)
        #expect(run.shares.values.reduce(0) { $0 + $1.users } == 100)
        #expect(run.threads == 5)
        #expect(run.events.last?.second == 40)
        #expect(run.events.last?.message == "worker c joined; users re-split: a 25, b 25, c 50")
    }

    @Test func aLostWorkersUsersMoveToTheOthers() throws {
        var (run, _) = try startRun(users: 101, workers: [capacity("a"), capacity("b"), capacity("c")])
        let out = run.lose(node("b"), reason: "connection closed", now: .seconds(20))
        #expect(usersChange(out, to: "a")?.users == 51)
        #expect(usersChange(out, to: "c")?.users == 50)
        #expect(run.shares[node("b")] == nil)
        #expect(run.users == 101)
        #expect(run.events.last?.message == "worker b lost (connection closed); users re-split: a 51, c 50")
    }

    @Test func aRepeatedOrForeignReportIsNeverCountedTwice() throws {
        var (run, out) = try startRun(workers: [capacity("a"), capacity("b")])
        let a = try #require(assignment(out, to: "a"))
        let report = StatsReport(
            node: node("a"), run: run.id, assignment: a.assignment, sequence: 1,
            intervals: [interval(second: 0, requests: 7)])
        #expect(absorbing(&run, report))
        #expect(!absorbing(&run, report))
        // b may not report under a's assignment, nor anyone for another run.
        var stolen = report
        stolen.node = node("b")
        stolen.sequence = 2
        #expect(!absorbing(&run, stolen))
        var otherRun = report
        otherRun.run = RunID(rawValue: "other")
        otherRun.sequence = 3
        #expect(!absorbing(&run, otherRun))
        // Out of order is fine; each sequence counts once.
        var third = report
        third.sequence = 3
        #expect(absorbing(&run, third))
        var second = report
        second.sequence = 2
        #expect(absorbing(&run, second))
        #expect(!absorbing(&run, third))
        #expect(run.requestCount == 21)
    }

    @Test func secondsShortOfALostReporterCloseAfterTheLag() throws {
        var (run, out) = try startRun(workers: [capacity("a"), capacity("b")])
        let a = try #require(assignment(out, to: "a"))
        // Worker a's two threads report second 0; b never does.
        #expect(
            absorbing(
                &run,
                StatsReport(
                    node: node("a"), run: run.id, assignment: a.assignment, sequence: 1,
                    intervals: [interval(second: 0, requests: 5), interval(second: 0, requests: 5)])))
        _ = run.tick(now: .seconds(12))
        #expect(run.summary(now: .seconds(12)).history.isEmpty)
        _ = run.tick(now: .seconds(13))
        let history = run.summary(now: .seconds(13)).history
        #expect(history.map(\.second) == [0])
        #expect(history.first?.requests == 10)
    }

    @Test func stoppingFinishesOnceEveryWorkerReportedIdle() throws {
        var (run, _) = try startRun(workers: [capacity("a"), capacity("b")])
        let out = run.stop(now: .seconds(15))
        #expect(out.count == 2)
        #expect(run.phase == .stopping)
        _ = run.workerReported(
            WorkerReport(run: run.id, activity: .idle, users: 0, rps: 0), from: node("a"), now: .seconds(15))
        #expect(run.phase == .stopping)
        _ = run.workerReported(
            WorkerReport(run: run.id, activity: .idle, users: 0, rps: 0), from: node("b"), now: .seconds(16))
        #expect(run.phase == .finished)
        #expect(run.summary(now: .seconds(30)).durationS == 5)
    }

    @Test func aStopFinishesAfterTheGraceWhenAWorkerNeverAnswers() throws {
        var (run, _) = try startRun(workers: [capacity("a")])
        _ = run.stop(now: .seconds(15))
        _ = run.tick(now: .milliseconds(19_999))
        #expect(run.phase == .stopping)
        _ = run.tick(now: .seconds(20))
        #expect(run.phase == .finished)
        #expect(run.events.last?.message == "finished without the last report of a")
    }

    @Test func theDurationEndsTheRunAndWorkersGetWhatIsLeftOfIt() throws {
        var (run, _) = try startRun(duration: "30s", workers: [capacity("a")])
        let out = run.join(WorkerCapacity(node: node("b"), cores: 1), threads: 1, now: .seconds(22))
        #expect(assignment(out, to: "b")?.remainingMs == 18_000)
        #expect(run.tick(now: .seconds(39)).isEmpty)
        let stops = run.tick(now: .seconds(40))
        #expect(stops.count == 2)
        #expect(run.phase == .stopping)
        #expect(run.abortReason == nil)
    }

    @Test func aWorkerThatEndsItsShareForAReasonFailsTheRun() throws {
        var (run, _) = try startRun(workers: [capacity("a"), capacity("b")])
        let out = run.workerReported(
            WorkerReport(
                run: run.id, activity: .idle, users: 0, rps: 0,
                abortReason: "target unreachable: connection refused"),
            from: node("a"), now: .seconds(14))
        #expect(out.count == 2)
        #expect(run.abortReason == "target unreachable: connection refused")
        #expect(!run.summary(now: .seconds(14)).passed)
    }

    @Test func resetDropsWhatCameBeforeTheNextSecond() throws {
        var (run, out) = try startRun(workers: [capacity("a")])
        let a = try #require(assignment(out, to: "a"))
        _ = run.absorb(
            StatsReport(
                node: node("a"), run: run.id, assignment: a.assignment, sequence: 1,
                intervals: [interval(second: 0, requests: 3), interval(second: 0, requests: 3)]))
        let resets = run.reset(now: .milliseconds(12_500))
        guard case .reset(let request) = try #require(resets.first).message else { Issue.record("not a reset"); return }
        #expect(request.atSecond == 3)
        _ = run.absorb(
            StatsReport(
                node: node("a"), run: run.id, assignment: a.assignment, sequence: 2,
                intervals: [interval(second: 2, requests: 4), interval(second: 3, requests: 5)]))
        #expect(run.requestCount == 5)
        #expect(run.summary(now: .seconds(15)).startedAt == 1_700_000_003)
    }

    @Test func changingUsersReSplitsAndRefusesMoreThanTheFleetHolds() throws {
        var (run, _) = try startRun(users: 10, workers: [capacity("a"), capacity("b")])
        let out = try run.setUsers(40, spawnRate: 8, now: .seconds(12))
        #expect(usersChange(out, to: "a") == UsersChange(run: run.id, users: 20, spawnRate: 4))
        #expect(run.users == 40)
        #expect(throws: SplitError.self) { try run.setUsers(50_000, spawnRate: nil, now: .seconds(13)) }
        #expect(run.users == 40)
    }
}

/// `run.absorb` for use inside `#expect`, which cannot call a mutating method.
func absorbing(_ run: inout FleetRun, _ report: StatsReport) -> Bool {
    run.absorb(report)
}
