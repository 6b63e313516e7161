import Engine
import Protocol
import TestSupport
import Testing

@testable import Federation

/// A fleet whose worker reaches the master through a relay the test cuts for two seconds: shorter
/// than the heartbeat timeout, so the run goes on on the master while the worker's link is down.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ResendLoopbackTests {
    /// Users per share, so at most this many requests are in flight when a share stops.
    private static let users = 5
    /// Long enough to ride out a starved test process, short enough that acks (one per beat, a
    /// third of it) come during the test.
    private static let heartbeatTimeout: Duration = .seconds(6)

    private func request(_ target: TinyTarget, id: String) throws -> FleetRun.Request {
        let (plan, yaml) = try testPlan(users: Self.users, rate: 50, host: target.host)
        return FleetRun.Request(
            id: RunID(rawValue: id), plan: plan, scenario: yaml, file: "fleet-test.yaml",
            overrides: RunOverrides())
    }

    private func shareCount(_ events: EventLog) -> Int {
        events.all.filter { if case .shareStarted = $0 { true } else { false } }.count
    }

    @Test func everySecondMeasuredBeforeALinkCutIsInTheTotalsExactlyOnce() async throws {
        let fleet = try await LoopbackMaster.start(heartbeatTimeout: Self.heartbeatTimeout)
        let target = try await TinyTarget(group: fleet.group)
        let relay = try await CuttableRelay(group: fleet.group, upstreamPort: fleet.port)
        let worker = await fleet.worker("w", port: relay.port)
        let events = EventLog(worker)
        try await eventually("w to join") { fleet.master.workers().count == 1 }
        let id = RunID(rawValue: "cut-run")
        try fleet.master.startRun(request(target, id: id.rawValue))
        try await eventually("requests to be merged") { (fleet.master.snapshot()?.total.requests ?? 0) > 100 }

        relay.cut()
        try await eventually("the master to lose w and w its share") {
            fleet.master.workers().isEmpty && events.endedSummaries.count == 1
        }
        // The outage lasts until the worker has redialled into it and been hung up on.
        try await eventually("w to redial and be refused while the link is cut") { relay.refusedDials >= 1 }
        relay.restore()
        try await eventually("w to rejoin and run a new share") { shareCount(events) == 2 }
        let before = fleet.master.snapshot()?.total.requests ?? 0
        try await eventually("the new share's requests") {
            (fleet.master.snapshot()?.total.requests ?? 0) > before + 100
        }
        try fleet.master.stop()
        let merged = await fleet.master.finished(id)
        try await eventually("the second share to end") { events.endedSummaries.count == 2 }

        let measured = events.endedSummaries.reduce(0) { $0 + $1.total.requests }
        let messages = fleet.master.events().map(\.message)
        #expect(merged.total.requests == measured, "master events: \(messages)")
        // The target saw every request the worker measured, and at most the ones in flight at each stop more.
        let served = UInt64(target.count)
        #expect(served >= merged.total.requests && served - merged.total.requests <= UInt64(2 * Self.users))
        #expect(messages.contains { $0.hasPrefix("worker w lost (") })
        #expect(messages.contains { $0.hasPrefix("worker w joined") })
        #expect(
            messages.contains { $0.hasPrefix("worker w rejoined and resent ") && $0.hasSuffix("merged late, once") })
        #expect(!messages.contains { $0.contains("is lost") })
        try await eventually("every frame acknowledged") { await worker.unacknowledged.isEmpty }

        await worker.shutdown()
        await relay.close()
        await target.close()
        await fleet.close()
    }

    @Test func aWorkerRestartedDuringTheCutRejoinsAndTheEventsSayWhatItLost() async throws {
        let fleet = try await LoopbackMaster.start(heartbeatTimeout: Self.heartbeatTimeout)
        let target = try await TinyTarget(group: fleet.group)
        let relay = try await CuttableRelay(group: fleet.group, upstreamPort: fleet.port)
        let first = await fleet.worker("w", port: relay.port)
        let firstEvents = EventLog(first)
        try await eventually("w to join") { fleet.master.workers().count == 1 }
        let id = RunID(rawValue: "restart-run")
        try fleet.master.startRun(request(target, id: id.rawValue))
        try await eventually("requests to be merged") { (fleet.master.snapshot()?.total.requests ?? 0) > 100 }

        // The daemon dies while its link is down: what it had not sent dies with it.
        relay.cut()
        try await eventually("the master to lose w and w its share") {
            fleet.master.workers().isEmpty && firstEvents.endedSummaries.count == 1
        }
        await first.shutdown()
        relay.restore()
        let second = await fleet.worker("w", port: relay.port)
        let secondEvents = EventLog(second)
        try await eventually("the restarted w to run a share") { shareCount(secondEvents) == 1 }
        try await eventually("the events to say what was lost") {
            fleet.master.events().contains { $0.message.hasPrefix("worker w rejoined without the stats") }
        }
        try fleet.master.stop()
        let merged = await fleet.master.finished(id)
        try await eventually("the share to end") { secondEvents.endedSummaries.count == 1 }
        let measured = firstEvents.endedSummaries[0].total.requests + secondEvents.endedSummaries[0].total.requests
        #expect(merged.total.requests < measured)
        #expect(merged.total.requests >= secondEvents.endedSummaries[0].total.requests)

        await second.shutdown()
        await relay.close()
        await target.close()
        await fleet.close()
    }
}
