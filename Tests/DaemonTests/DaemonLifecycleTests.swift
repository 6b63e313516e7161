import Foundation
import Glibc
import Protocol
import ServiceLifecycleTestKit
import SystemdSupport
import TargetServer
import TestSupport
import Testing

@testable import LoaddCore

/// The whole daemon in-process, shut down as SIGTERM would (a graceful shutdown of its service
/// group): the order of its services' ends, seen from a client of its socket and from its store.
@Suite struct DaemonLifecycleTests {
    /// What a shut-down daemon left: the run's folder, whether its manager is still held by anything.
    struct Outcome {
        let runFolder: String
        let socketPath: String
        let finalStateSeenBeforeTheSocketClosed: RunInfo?
        weak var manager: RunManager?
    }

    @Test(.timeLimit(.minutes(2)))
    func gracefulShutdownWritesTheRunBeforeTheSocketClosesAndLeavesNothingRunning() async throws {
        let target = try await TargetServer.start(TargetConfig())
        let dir = FileManager.default.temporaryDirectory.path + "/loadd-lifecycle-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let outcome = try await runAndShutDown(in: dir, host: target.baseURL)
        try await target.stop()

        // Read at the moment the socket first refused a client: the results were already written.
        let info = try #require(outcome.finalStateSeenBeforeTheSocketClosed)
        #expect(info.state != .running && info.state != .stopping, "run.json said \(info.state) as the socket closed")
        #expect(info.endedAt != nil)
        #expect(FileManager.default.fileExists(atPath: outcome.runFolder + "/summary.json"))
        #expect(!FileManager.default.fileExists(atPath: outcome.socketPath), "the socket file outlived the daemon")
        // Every task the daemon made has ended with `run()`: none holds the run manager any more.
        #expect(outcome.manager == nil, "something still holds the run manager after run() returned")
    }

    /// Starts a daemon in `dir`, starts a run against `host`, shuts the daemon down while the run
    /// goes, and polls the socket until it stops answering; then reads the run's `run.json`.
    private func runAndShutDown(in dir: String, host: String) async throws -> Outcome {
        // The closing path: with resuming on (the default) a SIGTERM saves the run for the next
        // daemon instead, and run.json keeps saying `running` (`DaemonTests.Resume` covers that).
        try "resume_within: 0\n".write(toFile: dir + "/loadd.yaml", atomically: true, encoding: .utf8)
        let daemon = Daemon(
            configPath: dir + "/loadd.yaml", configRequired: false,
            flags: FlagOverrides(
                socket: dir + "/loadd.sock", stateDir: dir + "/state",
                node: "lifecycle-test", threads: 1, federationProtocolVersion: nil),
            logBackend: .stderr)
        let started = try await daemon.start(trapsSignals: false)
        let client = UnixSocketClient(path: started.socketPath)
        let scenario = """
            name: shutdown-order
            host: \(host)
            users: 2
            spawn_rate: 10
            duration: 5m
            wait: { constant: 20ms }
            tasks: [ { request: GET /Test/V1 } ]
            """
        return try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self, returning: Outcome.self) { group in
                group.addTask { try await started.run() }
                let start = StartRunRequest(scenario: scenario, file: "shutdown.yaml")
                let answer = try await client.request("POST", "/v1/runs", body: WireJSON.data(start))
                #expect(answer.status == 201, "\(String(decoding: answer.body, as: UTF8.self))")
                let run = try WireJSON.decode(RunInfo.self, from: answer.body)
                try await eventually("the run's first requests") {
                    let status = try WireJSON.decode(
                        NodeStatus.self,
                        from: try await client.request("GET", "/v1/status").body)
                    return (status.summary?.total.requests ?? 0) > 0
                }

                trigger.triggerGracefulShutdown()
                let folder = dir + "/state/runs/\(run.id)"
                var seen: RunInfo?
                try await eventually("the socket to stop answering") {
                    guard (try? await client.request("GET", "/v1/status")) == nil else { return false }
                    seen = try? WireJSON.decode(
                        RunInfo.self,
                        from: Data(contentsOf: URL(fileURLWithPath: folder + "/run.json")))
                    return true
                }
                try await group.waitForAll()
                return Outcome(
                    runFolder: folder, socketPath: started.socketPath,
                    finalStateSeenBeforeTheSocketClosed: seen, manager: started.manager)
            }
        }
    }
}
