import Engine
import Federation
import Protocol
import Testing

@Suite struct FleetRunLoadShapeTests {
    private func start(_ yaml: String, workers: [String]) throws -> (FleetRun, [FleetRun.Outgoing]) {
        let plan = try ScenarioLoader.load(yaml: yaml, file: "shape.yaml", baseDirectory: ".")
        let request = FleetRun.Request(
            id: RunID(rawValue: "shape"), plan: plan, scenario: yaml, file: "shape.yaml",
            overrides: RunOverrides())
        return try FleetRun.start(
            request, workers: workers.map { (WorkerCapacity(node: node($0), cores: 1), 1) },
            now: .zero, unixSeconds: 0)
    }

    private func assignments(_ out: [FleetRun.Outgoing]) -> [String: Assignment] {
        out.reduce(into: [:]) { if case .assign(let a) = $1.message { $0[$1.node.rawValue] = a } }
    }

    @Test func anOpenModelRunSplitsItsArrivalRateAndInFlightCap() throws {
        var (run, out) = try start(
            """
            host: http://127.0.0.1:9
            rate: 90/s
            max_in_flight: 100
            tasks: [ { request: GET /a } ]
            """, workers: ["a", "b", "c"])
        let parts = assignments(out)
        #expect(parts.values.map { $0.rate ?? 0 }.reduce(0, +) == 90)
        #expect(parts.values.map { $0.maxInFlight ?? 0 }.reduce(0, +) == 100)
        #expect(parts["a"]?.rate == 30)
        let resplit = run.lose(node("c"), reason: "gone", now: .seconds(3))
        #expect(
            resplit.map(\.message) == [
                .setRate(RateChange(run: run.id, rate: 45)), .setRate(RateChange(run: run.id, rate: 45)),
            ])
        #expect(throws: SplitError.self) { try run.setUsers(5, spawnRate: nil, now: .seconds(4)) }
        let faster = try run.setRate(120, now: .seconds(5))
        #expect(faster.count == 2)
        #expect(run.summary(now: .seconds(6)).openModel?.targetRate == 120)
    }

    @Test func stagesAreSlicedByCapacityAndReSlicedWhenWorkersComeAndGo() throws {
        var (run, out) = try start(
            """
            host: http://127.0.0.1:9
            stages: [ { duration: 10s, target: 40 }, { duration: 10s, target: 40 } ]
            tasks: [ { request: GET /a } ]
            """, workers: ["a", "b"])
        let parts = assignments(out)
        #expect(parts["a"]?.staged == true)
        #expect(
            parts["a"]?.stageSlice == LoadSlice(checking: 0, 0.5)
                && parts["b"]?.stageSlice == LoadSlice(checking: 0.5, 1))
        #expect(parts["a"]?.remainingMs == 20_000)
        #expect(parts["a"]?.stagesElapsedMs == 0)

        // A joiner 3 s in enters the shape there; the others shrink to a third each.
        let joined = run.join(WorkerCapacity(node: node("c"), cores: 1), threads: 1, now: .seconds(3))
        let slices = LoadSlice.tiling([1.0 / 3, 1.0 / 3, 1.0 / 3])
        #expect(
            joined.filter { $0.node != node("c") }.map(\.message) == [
                .setSlice(SliceChange(run: run.id, slice: slices[0])),
                .setSlice(SliceChange(run: run.id, slice: slices[1])),
            ])
        let c = try #require(assignments(joined)["c"])
        #expect(c.staged && c.stageSlice == slices[2] && c.stagesElapsedMs == 3000 && c.remainingMs == 17_000)
        #expect(run.events.last?.message == "worker c joined; stages re-split: a 33%, b 33%, c 33%")

        // A lost worker's part goes to the others.
        let lost = run.lose(node("b"), reason: "gone", now: .seconds(5))
        #expect(
            lost.map(\.message) == [
                .setSlice(SliceChange(run: run.id, slice: LoadSlice(checking: 0, 0.5)!)),
                .setSlice(SliceChange(run: run.id, slice: LoadSlice(checking: 0.5, 1)!)),
            ])

        // A user count replaces the stages, as on one node: later re-splits move users.
        _ = try run.setUsers(10, spawnRate: 5, now: .seconds(6))
        #expect(!run.followsStages)
        let late = run.join(WorkerCapacity(node: node("d"), cores: 2), threads: 1, now: .seconds(7))
        #expect(assignments(late)["d"]?.staged == false)
        #expect(assignments(late)["d"]?.users == 5)
    }

    @Test func eachWorkerTakesItsOwnSliceOfTheDataRowsAndAJoinerTakesALostOnes() throws {
        var (run, out) = try start(
            """
            host: http://127.0.0.1:9
            users: 4
            tasks: [ { request: GET /a } ]
            """, workers: ["a", "b", "c"])
        #expect(
            assignments(out).mapValues { [$0.dataSlot, $0.dataSlots] } == ["a": [0, 3], "b": [1, 3], "c": [2, 3]])
        _ = run.lose(node("b"), reason: "gone", now: .seconds(1))
        let replacement = run.join(WorkerCapacity(node: node("d"), cores: 1), threads: 1, now: .seconds(2))
        #expect(assignments(replacement)["d"].map { [$0.dataSlot, $0.dataSlots] } == [1, 3])
    }

    @Test func warmUpSecondsAreKeptApartFromTheMeasuredSpan() throws {
        var (run, out) = try start(
            """
            host: http://127.0.0.1:9
            users: 2
            warmup: 2s
            duration: 5s
            tasks: [ { request: GET /Test/V1 } ]
            """, workers: ["a"])
        let a = try #require(assignments(out)["a"])
        #expect(a.warmupMs == 2000)
        #expect(a.remainingMs == 5000)
        let report = StatsReport(
            node: node("a"), run: run.id, assignment: a.assignment, sequence: 1,
            intervals: [
                interval(second: 0, requests: 10), interval(second: 1, requests: 10), interval(second: 2, requests: 3),
            ])
        #expect(absorbing(&run, report))
        #expect(run.requestCount == 3)
        let summary = run.summary(now: .seconds(3))
        #expect(summary.warmup?.requests == 20)
        #expect(summary.startedAt == 2)
        #expect(run.tick(now: .milliseconds(6999)).isEmpty)
        #expect(run.tick(now: .seconds(7)).count == 1)
    }
}
