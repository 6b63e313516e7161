import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

@testable import Federation

/// What a stranger without the token can make a master hold: one small frame per connection, a
/// capped number of connections, each for a bounded time.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PreAuthLimitTests {
    /// 500 connections are more than the default soft open-files limit allows with both ends here.
    init() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Whether the master has closed `client`: `true` when the read sees the end within its
    /// timeout, `false` when it times out with the connection still open.
    static func isClosed(_ client: RawFrameClient) async -> Bool {
        (try? await client.receiveUntilClosed()) != nil
    }

    @Test func fiveHundredConnectionsAnnouncingHugeFramesCostTheMasterLittle() async throws {
        let fleet = try await LoopbackMaster.start()
        let before = try residentBytes()
        // Each announces an 8 MiB frame, sends 1 KiB of it and stalls; from ten addresses, so the
        // global cap is reached as well as the per-address one.
        let header: [UInt8] = [0x00, 0x80, 0x00, 0x00] + [UInt8](repeating: 0x7B, count: 1024)
        var clients: [RawFrameClient] = []
        for index in 0..<500 {
            let client = try rawClient(port: fleet.port, from: "127.0.1.\(index % 10 + 1)", timeout: 10)
            client.sendRaw(header)
            clients.append(client)
        }
        var closed = 0
        for client in clients where await Self.isClosed(client) { closed += 1 }
        let growth = try residentBytes() - before
        #expect(closed == 500)
        #expect(growth < 64 << 20, "the master grew by \(growth >> 20) MiB")

        let worker = await fleet.worker("legit")
        try await eventually("the legitimate worker to join") {
            fleet.master.workers().map(\.node.rawValue) == ["legit"]
        }
        await worker.shutdown()
        await fleet.close()
    }

    @Test func connectionsBeyondTheHandshakeCapsAreClosedAtOnce() async throws {
        let fleet = try await startMaster(limits: ConnectionLimits(maxHandshaking: 10, maxHandshakingPerAddress: 4))
        let sources =
            Array(repeating: "127.0.2.2", count: 6) + Array(repeating: "127.0.2.3", count: 4)
            + Array(repeating: "127.0.2.4", count: 4)
        var clients: [RawFrameClient] = []
        for source in sources { clients.append(try rawClient(port: fleet.port, from: source, timeout: 2)) }
        let states = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, client) in clients.enumerated() { group.addTask { (index, await Self.isClosed(client)) } }
            return await group.reduce(into: [Bool](repeating: false, count: clients.count)) { $0[$1.0] = $1.1 }
        }
        // 4 + 4 + 4 could wait, the global cap holds 10: whatever the order, 4 are closed at once.
        #expect(states.filter { $0 }.count == 4)
        // Those held are still served: one of them completes its handshake.
        let held = zip(clients, states).filter { !$0.1 }.map(\.0)
        clients.removeAll()
        let first = try #require(held.first)
        try await join(first, as: "held")
        #expect(fleet.master.workers().map(\.node.rawValue) == ["held"])
        await fleet.close()
    }

    @Test func aConnectionThatNeverFinishesItsHandshakeIsClosedAfterTheDeadline() async throws {
        let fleet = try await startMaster(limits: ConnectionLimits(handshakeTimeout: .milliseconds(500)))
        let silent = try rawClient(port: fleet.port, timeout: 20)
        let challenged = try rawClient(port: fleet.port, timeout: 20)
        try challenged.send(.hello(hello("slow")))
        let started = ContinuousClock.now
        #expect(await Self.isClosed(silent))
        #expect(try await challenged.receiveUntilClosed().count == 1)   // the challenge, then the close
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        let worker = await fleet.worker("prompt")
        try await eventually("a prompt worker to join") { fleet.master.workers().map(\.node.rawValue) == ["prompt"] }
        await worker.shutdown()
        await fleet.close()
    }

    @Test func aFrameOverTheHandshakeLimitIsRefusedBeforeAuthenticationButNotAfter() async throws {
        let fleet = try await LoopbackMaster.start()
        let big = StatsReport(
            node: NodeID(rawValue: "big"), run: RunID(rawValue: "r"), assignment: 1, sequence: 1,
            intervals: (0..<200).map { interval(second: $0, requests: 1) })
        let frame = try payload(.stats(big))
        #expect(frame.count > FederationProtocol.handshakeFrameBytes)
        let stranger = try RawFrameClient(port: fleet.port)
        stranger.sendFrame(payload: frame)
        #expect(try await stranger.receiveUntilClosed().isEmpty)

        let member = try RawFrameClient(port: fleet.port, timeout: 2)
        try await join(member, as: "big")
        member.sendFrame(payload: frame)   // no run: dropped quietly, the link stays open
        member.sendFrame(payload: try payload(.heartbeat))
        #expect(await !Self.isClosed(member))
        #expect(fleet.master.workers().map(\.node.rawValue) == ["big"])
        await fleet.close()
    }
}
