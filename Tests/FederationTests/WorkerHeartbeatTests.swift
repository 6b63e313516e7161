import Engine
import Federation
import Foundation
import Logging
import Protocol
import Synchronization
import Testing

/// Any frame proves a worker alive, so one that reports every second sends no heartbeat while it
/// does (at 1,000 workers the heartbeats were a third of the frames the master woke up for); an
/// idle worker heartbeats every third of the timeout.
@Suite(.serialized, .timeLimit(.minutes(1))) struct WorkerHeartbeatTests {
    @Test func aReportingWorkerSendsNoHeartbeatAndAnIdleOneDoes() async throws {
        let fleet = try await LoopbackMaster.start()   // only for its event loops and a tiny target
        let target = try await TinyTarget(group: fleet.group)
        let listener = try RawListener()
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let worker = FederationWorker(
            configuration: WorkerConfiguration(
                node: NodeID(rawValue: "beating"), masterHost: "127.0.0.1",
                masterPort: listener.port, token: testToken, version: "test", threads: 1,
                cores: 1, maxUsers: 100),
            group: fleet.group, logger: logger)
        await worker.start()

        let connection = try await listener.accept()
        guard case .hello(let hello) = try await connection.receive() else { throw TestFailure("expected hello") }
        let nonce = FleetToken.nonce()
        try connection.send(
            .challenge(Challenge(nonce: nonce, masterProof: testToken.masterProof(workerNonce: hello.nonce))))
        guard case .proof = try await connection.receive() else { throw TestFailure("expected proof") }
        // 3 s: the worker beats every second, as often as it reports.
        try connection.send(.welcome(Welcome(master: NodeID(rawValue: "fake"), heartbeatTimeout: .seconds(3))))
        // This side beats too, or the worker's dead-man's switch would end its share. On a thread
        // of its own: the cooperative pool may be busy for seconds when the suites run in parallel.
        let flag = StopFlag()
        let beating = Thread {
            while !flag.stopped.withLock({ $0 }) {
                try? connection.send(.heartbeat)
                usleep(300_000)
            }
        }
        beating.start()
        defer { flag.stopped.withLock { $0 = true } }

        var idleFrames: [FederationMessage] = []
        while !idleFrames.contains(.heartbeat), idleFrames.count < 20 {
            guard let message = try await connection.receive() else { throw TestFailure("closed while idle") }
            idleFrames.append(message)
        }
        #expect(idleFrames.contains(.heartbeat), "an idle worker heartbeats: \(idleFrames)")

        let (_, yaml) = try testPlan(users: 2, host: target.host)
        try connection.send(
            .assign(
                Assignment(
                    run: RunID(rawValue: "beats"), assignment: 1, scenario: yaml, file: "b.yaml",
                    overrides: RunOverrides(),
                    share: FleetShare(users: 2, spawnRate: 20, remainingMs: nil, startSecond: 0))))
        // From its first report on, four seconds of reports and not one heartbeat among them.
        var reports = 0
        var heartbeats = 0
        var stats = 0
        while reports < 5 {
            guard let message = try await connection.receive() else { throw TestFailure("closed while reporting") }
            switch message {
            case .workerState(let state) where state.activity == .running: reports += 1
            case .heartbeat where reports > 0: heartbeats += 1
            case .stats: stats += 1
            default: break
            }
        }
        #expect(heartbeats == 0)
        #expect(stats > 0)
        flag.stopped.withLock { $0 = true }
        await worker.shutdown()
        await target.close()
        await fleet.close()
    }
}

/// Tells a thread of the test's to stop.
private final class StopFlag: Sendable {
    let stopped = Mutex(false)
}
