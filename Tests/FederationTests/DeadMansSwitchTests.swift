import Engine
import Federation
import Foundation
import Glibc
import Logging
import Protocol
import TestSupport
import Testing

/// A "master" made of a raw listening socket: it shakes hands properly, assigns a share, then
/// goes silent without closing — a partition, as the worker sees it.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DeadMansSwitchTests {
    @Test func aWorkerWhoseMasterGoesSilentStopsItsLoadForThatReason() async throws {
        let fleet = try await LoopbackMaster.start()   // only for its event loops and a tiny target
        let target = try await TinyTarget(group: fleet.group)
        let listener = try RawListener()
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let worker = FederationWorker(
            configuration: WorkerConfiguration(
                node: NodeID(rawValue: "orphan"), masterHost: "127.0.0.1",
                masterPort: listener.port, token: testToken, version: "test", threads: 1,
                cores: 1, maxUsers: 100, heartbeatTimeout: .seconds(30)),
            group: fleet.group, logger: logger)
        let events = EventLog(worker)
        await worker.start()

        let connection = try await listener.accept()
        guard case .hello(let hello) = try await connection.receive() else { throw TestFailure("expected hello") }
        let nonce = FleetToken.nonce()
        try connection.send(
            .challenge(Challenge(nonce: nonce, masterProof: testToken.masterProof(workerNonce: hello.nonce))))
        guard case .proof(let proof) = try await connection.receive() else { throw TestFailure("expected proof") }
        #expect(testToken.verifyWorker(proof.mac, masterNonce: nonce, node: hello.node))
        try connection.send(.welcome(Welcome(master: NodeID(rawValue: "fake"), heartbeatTimeout: .seconds(1))))
        let (_, yaml) = try testPlan(users: 2, host: target.host)
        try connection.send(
            .assign(
                Assignment(
                    run: RunID(rawValue: "orphaned"), assignment: 1, scenario: yaml, file: "o.yaml",
                    overrides: RunOverrides(),
                    share: FleetShare(users: 2, spawnRate: 20, remainingMs: nil, startSecond: 0))))
        try await eventually("load to reach the target") { target.count > 0 }

        // Timing is the CLI fleet tests' to check (separate processes, unaffected by this test
        // process's load) and `LivenessTests`' (exact clocks); here: it trips, and for that reason.
        try await eventually("the dead-man's switch to end the share") { !events.endedSummaries.isEmpty }
        let ended = events.endedSummaries[0]
        #expect(ended.abortReason?.contains("no frame from the master") == true)
        // A share ends only after its engine has finished, i.e. every engine thread has left its loop:
        // from here on nothing can send a request.
        #expect(events.engines.map(\.phase) == [.finished])
        await worker.shutdown()

        // So the target served what the worker counted, plus at most the one request per user that
        // was in flight when the engine stopped (abandoned, though the target may still answer it).
        // Load that went on after the switch would show as more.
        let served = UInt64(target.count)
        #expect(
            served >= ended.total.requests && served <= ended.total.requests + 2,
            "target served \(served), the worker counted \(ended.total.requests)")
        await target.close()
        await fleet.close()
    }
}

extension EventLog {
    /// The engines of the shares the worker started, in order.
    var engines: [Engine] {
        all.compactMap { if case .shareStarted(_, _, _, let engine) = $0 { engine } else { nil } }
    }
}

/// A listening TCP socket on 127.0.0.1 and a free port.
final class RawListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw TestFailure("listen: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }

    /// The next connection, within 5 s.
    func accept() async throws -> RawFrameClient {
        try await offload { try self.acceptBlocking() }
    }

    private func acceptBlocking() throws -> RawFrameClient {
        var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, 5000) == 1 else { throw TestFailure("no connection within 5 s") }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw TestFailure("accept: errno \(errno)") }
        return RawFrameClient(adopting: client)
    }
}
