import Engine
import Federation
import Protocol
import Testing

/// Many workers leaving at once — a partition, a rack losing power, the end of a benchmark — cost
/// one re-split: each remaining worker gets at most one change, and the run's events grow by one
/// line per loss. Before, every loss re-split the whole fleet: N losses sent up to N² changes and
/// wrote N events each listing every share. Counted in messages and events, never in time.
@Suite struct FleetLossBurstTests {
    static let workers = 100

    private static func name(_ index: Int) -> NodeID {
        let digits = String(index)
        return NodeID(rawValue: "w" + String(repeating: "0", count: 4 - digits.count) + digits)
    }

    private static func start(_ model: String) throws -> FleetRun {
        let yaml = "host: http://127.0.0.1:9\n\(model)\ntasks: [ { request: GET /a } ]\n"
        let plan = try ScenarioLoader.load(yaml: yaml, file: "burst.yaml", baseDirectory: ".")
        let request = FleetRun.Request(
            id: RunID(rawValue: "burst"), plan: plan, scenario: yaml, file: "burst.yaml",
            overrides: RunOverrides())
        let fleet = (0..<workers).map { (WorkerCapacity(node: name($0), cores: 1, maxUsers: 10_000), 1) }
        return try FleetRun.start(request, workers: fleet, now: .zero, unixSeconds: 0).0
    }

    @Test(arguments: [
        "users: 1000", "rate: 1000/s\nmax_in_flight: 1000", "stages: [ { duration: 60s, target: 1000 } ]",
    ])
    func halfTheFleetLostAtOnceIsReSplitOnceAtTheNextTick(model: String) throws {
        var run = try Self.start(model)
        let before = run.events.count
        let lost = stride(from: 0, to: Self.workers, by: 2).map(Self.name)
        for node in lost { run.loseLater(node, reason: "connection closed", now: .seconds(5)) }
        #expect(run.shares.count == Self.workers / 2)
        #expect(run.pendingLosses == lost.count)

        let out = run.tick(now: .seconds(5))
        // Every remaining worker's part doubled: exactly one change each, none to a lost worker.
        #expect(out.count == Self.workers / 2)
        #expect(Set(out.map(\.node)) == Set(run.shares.keys))
        #expect(run.pendingLosses == 0)
        if !run.followsStages && run.rate == nil { #expect(run.shares.values.reduce(0) { $0 + $1.users } == 1000) }
        let events = run.events.dropFirst(before)
        #expect(events.count == lost.count)
        #expect(events.filter { $0.message.contains("re-split") }.count == 1)
        #expect(events.last?.message.hasPrefix("worker \(lost.last!) lost (connection closed); ") == true)
        // Nothing is left to move.
        #expect(run.tick(now: .seconds(6)).isEmpty)
    }

    @Test func lossesWaitingForTheTickAreRecordedWhenAStopComesFirst() throws {
        var run = try Self.start("users: 1000")
        run.loseLater(Self.name(3), reason: "connection closed", now: .seconds(5))
        let out = run.stop(now: .seconds(5))
        #expect(out.allSatisfy { if case .stop = $0.message { true } else { false } })
        #expect(out.count == Self.workers - 1)
        #expect(run.events.map(\.message).contains("worker w0003 lost (connection closed)"))
        #expect(run.pendingLosses == 0)
    }

    @Test func aJoinBeforeTheTickSplitsTheLostLoadWithItsOwn() throws {
        var run = try Self.start("users: 1000")
        run.loseLater(Self.name(3), reason: "connection closed", now: .seconds(5))
        _ = run.join(
            WorkerCapacity(node: NodeID(rawValue: "x"), cores: 1, maxUsers: 10_000), threads: 1, now: .seconds(5))
        #expect(run.shares.values.reduce(0) { $0 + $1.users } == 1000)
        #expect(run.pendingLosses == 0)
        let messages = run.events.map(\.message)
        #expect(messages.suffix(2).first == "worker w0003 lost (connection closed)")
        #expect(messages.last?.hasPrefix("worker x joined; users re-split: ") == true)
        #expect(run.tick(now: .seconds(5)).isEmpty)
    }
}
