import Engine
import Federation
import NIOPosix
import Protocol
import TestSupport
import Testing

/// A whole fleet in one process over 127.0.0.1: a master, real workers running real engines, a
/// tiny HTTP target. What crosses the sockets is exactly what crosses them between machines.
@Suite(.serialized, .timeLimit(.minutes(2))) struct FleetLoopbackTests {
    private func request(
        _ target: TinyTarget, users: Int, duration: String? = nil,
        id: String = "fleet-run"
    ) throws -> FleetRun.Request {
        let (plan, yaml) = try testPlan(users: users, rate: Double(users * 10), duration: duration, host: target.host)
        return FleetRun.Request(
            id: RunID(rawValue: id), plan: plan, scenario: yaml, file: "fleet-test.yaml",
            overrides: RunOverrides())
    }

    @Test func mergedTotalsEqualTheSumOfWhatEachWorkerMeasured() async throws {
        let fleet = try await LoopbackMaster.start()
        let target = try await TinyTarget(group: fleet.group)
        let a = await fleet.worker("a", cores: 2)
        let b = await fleet.worker("b", cores: 1)
        let (eventsA, eventsB) = (EventLog(a), EventLog(b))
        try await eventually("both workers to join") { fleet.master.workers().count == 2 }

        try fleet.master.startRun(request(target, users: 6, duration: "3s"))
        try await eventually("workers to report their shares") {
            fleet.master.workers().map(\.users) == [4, 2]
        }
        try await eventually("each worker's engine CPU from its stats") {
            fleet.master.workers().allSatisfy { ($0.cpu ?? -1) >= 0 && ($0.cpu ?? 2) <= 1 }
        }
        let merged = await fleet.master.finished(RunID(rawValue: "fleet-run"))
        do {
            try await eventually("both shares to end") {
                eventsA.endedSummaries.count == 1 && eventsB.endedSummaries.count == 1
            }
        } catch {
            Issue.record("a: \(eventsA.kinds), b: \(eventsB.kinds), master: \(fleet.master.events().map(\.message))")
            throw error
        }
        let own = eventsA.endedSummaries[0].total.requests + eventsB.endedSummaries[0].total.requests

        #expect(merged.total.requests > 0)
        #expect(merged.total.requests == own)
        #expect(merged.total.failures == 0)
        #expect(merged.users == 6)
        #expect(merged.generator.threads == 2)
        #expect(merged.total.requests <= UInt64(target.count))
        #expect(fleet.master.events().contains { $0.message.hasPrefix("finished: ") })
        // Timing phases cross the binary frame and add up exactly: the master's are the workers' together.
        let ownPhases = [eventsA, eventsB].compactMap { $0.endedSummaries[0].total.phases }
        let mergedPhases = try #require(merged.total.phases, "the master's summary has phases")
        #expect(ownPhases.count == 2 && mergedPhases.requests == merged.total.requests)
        #expect(mergedPhases.requests == ownPhases.reduce(0) { $0 + $1.requests })
        #expect(mergedPhases.bytesReceived == ownPhases.reduce(0) { $0 + $1.bytesReceived })
        #expect(mergedPhases.ttfb.nonzero == mergedPhases.requests)

        await a.shutdown()
        await b.shutdown()
        await target.close()
        await fleet.close()
    }

    @Test func aLostWorkersUsersGoToTheOthersAndAJoinerGetsItsShare() async throws {
        let fleet = try await LoopbackMaster.start()
        let target = try await TinyTarget(group: fleet.group)
        let a = await fleet.worker("a")
        let b = await fleet.worker("b")
        try await eventually("both workers to join") { fleet.master.workers().count == 2 }
        try fleet.master.startRun(request(target, users: 10))
        try await eventually("an even split") { fleet.master.workers().map(\.users) == [5, 5] }

        await b.shutdown()
        try await eventually("a to carry all 10 users") {
            fleet.master.workers().map(\.users) == [10]
        }
        let c = await fleet.worker("c", cores: 4)
        try await eventually("c's share") { fleet.master.workers().map(\.users) == [2, 8] }
        let messages = fleet.master.events().map(\.message)
        #expect(messages.contains { $0.hasPrefix("worker b lost (") && $0.hasSuffix("users re-split: a 10") })
        #expect(messages.contains("worker c joined; users re-split: a 2, c 8"))

        try await eventually("requests to be merged") { (fleet.master.snapshot()?.total.requests ?? 0) > 0 }
        try fleet.master.setUsers(20, spawnRate: nil)
        try await eventually("the new total") { fleet.master.workers().map(\.users) == [4, 16] }
        try fleet.master.stop()
        let summary = await fleet.master.finished(RunID(rawValue: "fleet-run"))
        #expect(summary.total.requests > 0)
        #expect(summary.users == 20)

        await a.shutdown()
        await c.shutdown()
        await target.close()
        await fleet.close()
    }

    @Test func aWorkerWhoseTargetIsUnreachableFailsTheFleetRunWithTheReason() async throws {
        let fleet = try await LoopbackMaster.start()
        let a = await fleet.worker("a")
        try await eventually("the worker to join") { fleet.master.workers().count == 1 }
        let (plan, yaml) = try testPlan(users: 2, host: "http://127.0.0.1:1")   // nothing listens on port 1
        try fleet.master.startRun(
            FleetRun.Request(
                id: RunID(rawValue: "unreachable"), plan: plan, scenario: yaml,
                file: "u.yaml", overrides: RunOverrides()))
        let summary = await fleet.master.finished(RunID(rawValue: "unreachable"))
        #expect(summary.abortReason?.hasPrefix("target unreachable") == true)
        #expect(!summary.passed)
        await a.shutdown()
        await fleet.close()
    }

    @Test func aRunNeedsWorkersAndOneRunAtATime() async throws {
        let fleet = try await LoopbackMaster.start()
        let target = try await TinyTarget(group: fleet.group)
        #expect(throws: FederationError.self) { try fleet.master.startRun(request(target, users: 1)) }
        let a = await fleet.worker("a")
        try await eventually("the worker to join") { fleet.master.workers().count == 1 }
        try fleet.master.startRun(request(target, users: 1))
        #expect(throws: FederationError.self) { try fleet.master.startRun(request(target, users: 1, id: "second")) }
        try fleet.master.stop()
        _ = await fleet.master.finished(RunID(rawValue: "fleet-run"))
        await a.shutdown()
        await target.close()
        await fleet.close()
    }
}
