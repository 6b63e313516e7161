import Foundation
import NIOCore
import NIOPosix
import Protocol
import TestSupport
import Testing

@testable import Federation

/// What a peer that stops reading, or stops generating load, can cost the other side.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LinkBoundTests {
    @Test func aPeerThatDoesNotReadIsClosedOnceItsQueuePassesTheBound() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // A peer that accepts and never reads a byte.
        let server = try await ServerBootstrap(group: group)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let limit = FrameLimit(fixed: FederationProtocol.maxFrameBytes)
        let connection = try await ClientBootstrap(group: group)
            .connect(host: "127.0.0.1", port: server.localAddress!.port!) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.addFederationDecoder(limit: limit)
                    return try FramedChannel(wrappingChannelSynchronously: channel)
                }
            }
        let bound = 256 << 10
        let link = Link(channel: connection.channel, frameLimit: limit, maxQueuedBytes: bound)
        let running = Task { await link.run(connection, onMessage: { _ in }) }

        let message = FederationMessage.refused(Refusal(reason: String(repeating: "x", count: 4000)))
        var reason: String?
        var sent = 0
        // 400 MB at most: far past what the socket buffers of both ends hold.
        while reason == nil, sent < 100_000 {
            reason = link.send(message)
            #expect(link.pendingBytes <= bound + 4096 + 64)
            sent += 1
            if sent % 16 == 0 { await Task.yield() }
        }
        let why = try #require(reason)
        #expect(why.hasPrefix("peer reads too slowly: "))
        #expect(why.hasSuffix("exceed the bound of \(bound)"))
        guard case .closed(let end) = await running.value else { throw TestFailure("expected a local close") }
        #expect(end == why)
        try await server.close()
        try await group.shutdownGracefully()
    }

    /// A member that heartbeats but runs nothing: flagged, then its users go to the worker that delivers.
    @Test func aZombieWorkersShareMovesToTheWorkerThatDelivers() async throws {
        let fleet = try await startMaster(limits: ConnectionLimits(deliveryGrace: .seconds(2)))
        let target = try await TinyTarget(group: fleet.group)
        let good = await fleet.worker("good")
        let zombie = try RawFrameClient(port: fleet.port)
        try await join(zombie, as: "zombie")
        try await eventually("both to join") { fleet.master.workers().count == 2 }

        let (plan, yaml) = try testPlan(users: 10, rate: 100, host: target.host)
        try fleet.master.startRun(
            FleetRun.Request(
                id: RunID(rawValue: "zombie-run"), plan: plan, scenario: yaml,
                file: "fleet-test.yaml", overrides: RunOverrides()))
        try await eventually("the zombie to be flagged") {
            fleet.master.workers().first { $0.node.rawValue == "zombie" }?.problem?.hasPrefix("short: ") == true
        }
        try await eventually("the zombie's users to move to the good worker") {
            let workers = fleet.master.workers()
            return workers.first { $0.node.rawValue == "zombie" }?.problem?.hasPrefix("benched: ") == true
                && workers.first { $0.node.rawValue == "good" }?.users == 10
        }
        let events = fleet.master.events().map(\.message)
        #expect(events.contains { $0.hasPrefix("worker zombie is short of its share: reports 0 users") })
        #expect(events.contains { $0.hasPrefix("worker zombie lost (short of its share") })
        try fleet.master.stop()
        _ = await fleet.master.finished(RunID(rawValue: "zombie-run"))

        // Benched until it reconnects: the next run gives it nothing.
        try fleet.master.startRun(
            FleetRun.Request(
                id: RunID(rawValue: "zombie-run-2"), plan: plan, scenario: yaml,
                file: "fleet-test.yaml", overrides: RunOverrides()))
        #expect(fleet.master.events().first?.message.hasSuffix("over 1 workers: good 10") == true)
        try fleet.master.stop()
        _ = await fleet.master.finished(RunID(rawValue: "zombie-run-2"))
        await good.shutdown()
        await target.close()
        await fleet.close()
    }
}
