import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// What survives a daemon's end, and what stops it from starting.
    @Suite struct Restart {
        @Test func withoutResumingSigtermStopsTheRunWritesItsVerdictAndTheNextDaemonListsIt() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon(fixture.withoutResume())
            let info = try fixture.startRun(target.scenario(users: 3)).decode(RunInfo.self)
            try eventually("requests to be counted") { (try fixture.status().summary?.total.requests ?? 0) > 0 }

            #expect(fixture.stopDaemon() == 0)
            #expect(!FileManager.default.fileExists(atPath: fixture.socket), "loadd left its socket file behind")

            try fixture.startDaemon(fixture.withoutResume())
            let runs = try fixture.get("/v1/runs").decode([RunInfo].self)
            #expect(runs.map(\.id) == [info.id])
            #expect(runs.first?.state == .passed)
            #expect(runs.first?.endedAt != nil)
            let summary = try fixture.get("/v1/runs/\(info.id)").decode(RunSummary.self)
            #expect(summary.total.requests > 0)
            #expect(summary.total.requests == runs.first?.requests)
        }

        @Test func withoutResumingARunKilledWithSigkillShowsAsInterruptedAfterRestart() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let daemon = try fixture.startDaemon(fixture.withoutResume())
            let info = try fixture.startRun(target.scenario(users: 3)).decode(RunInfo.self)
            // Wait for a per-second write of the run store, which is what a crash leaves behind.
            let summaryPath = "\(fixture.stateDir)/runs/\(info.id)/summary.json"
            try eventually("a stored summary with requests") {
                let text = try String(contentsOfFile: summaryPath, encoding: .utf8)
                let summary = try JSONDecoder().decode(RunSummary.self, from: Data(text.utf8))
                return summary.total.requests > 0
            }
            daemon.signal(SIGKILL)
            #expect(daemon.waitForExit() != nil)
            #expect(FileManager.default.fileExists(atPath: fixture.socket), "a killed daemon cannot remove its socket")

            // The stale socket file must not stop the next daemon.
            try fixture.startDaemon(fixture.withoutResume())
            let runs = try fixture.get("/v1/runs").decode([RunInfo].self)
            #expect(runs.first?.id == info.id)
            #expect(runs.first?.state == .interrupted)
            #expect((runs.first?.requests ?? 0) > 0)
            #expect(try fixture.get("/v1/runs/\(info.id)").status == 200)
            let started = try fixture.startRun(target.scenario(users: 1))
            #expect(started.status == 201, "an interrupted run must not block a new one: \(started.text)")
        }

        @Test func aSecondDaemonOnTheSameSocketOrStateDirIsRefusedAndTheFirstKeepsItsRun() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let first = try #require(fixture.daemon)
            let info = try fixture.startRun(target.scenario(users: 2)).decode(RunInfo.self)

            let sameSocket = try ChildProcess(
                DaemonBinaries.loadd, ["--socket", fixture.socket, "--state-dir", fixture.stateDir],
                outputPath: "\(fixture.directory)/same-socket.log")
            #expect(sameSocket.waitForExit() == 1)
            #expect(sameSocket.output.contains("another loadd is serving"), "\(sameSocket.output)")

            let otherSocket = "\(fixture.directory)/other.sock"
            let sameState = try ChildProcess(
                DaemonBinaries.loadd, ["--socket", otherSocket, "--state-dir", fixture.stateDir],
                outputPath: "\(fixture.directory)/same-state.log")
            #expect(sameState.waitForExit() == 1)
            #expect(sameState.output.contains("another loadd uses the state directory"), "\(sameState.output)")
            #expect(!FileManager.default.fileExists(atPath: otherSocket))

            #expect(first.process.isRunning)
            #expect(try fixture.status().run?.state == .running)
            let stored = try JSONDecoder().decode(
                RunInfo.self,
                from: Data(contentsOf: URL(fileURLWithPath: "\(fixture.stateDir)/runs/\(info.id)/run.json")))
            #expect(stored.state == .running)
        }

        @Test func userCountsBeyondTheConfiguredOrOpenFilesLimitAreRefusedWith422() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let config = "\(fixture.directory)/loadd.yaml"
            try "max_users: 10\n".write(toFile: config, atomically: true, encoding: .utf8)
            try fixture.startDaemon(["--config", config])
            #expect(try fixture.status().maxUsers == 10)
            let refused = try fixture.startRun(target.scenario(users: 20))
            #expect(refused.status == 422)
            #expect(try refused.decode(APIError.self).error.contains("max_users"))
            #expect(fixture.stopDaemon() == 0)

            // A lower hard limit than the users asked for: the answer names LimitNOFILE=.
            let limited = try DaemonFixture()
            let child = try ChildProcess(
                "/bin/sh",
                [
                    "-c", "ulimit -n 200 && exec \"$0\" \"$@\"", DaemonBinaries.loadd,
                    "--socket", limited.socket, "--state-dir", limited.stateDir, "--threads", "1",
                ],
                outputPath: "\(limited.directory)/loadd.log")
            try eventually("loadd to serve") { (try? limited.get("/v1/status").status) == 200 }
            let status = try limited.status()
            #expect(status.openFilesLimit == 200)
            #expect(status.maxUsers < 200)
            let tooMany = try limited.startRun(target.scenario(users: 500))
            #expect(tooMany.status == 422)
            let message = try tooMany.decode(APIError.self).error
            #expect(message.contains("LimitNOFILE="))
            #expect(message.contains("\(status.maxUsers)"))
            child.signal(SIGTERM)
            #expect(child.waitForExit() == 0)
        }

        @Test func configProblemsStopStartUpWithFileAndLine() throws {
            let fixture = try DaemonFixture()
            let config = "\(fixture.directory)/loadd.yaml"
            func start(_ yaml: String?, _ arguments: [String] = []) throws -> ChildProcess {
                if let yaml { try yaml.write(toFile: config, atomically: true, encoding: .utf8) }
                let child = try fixture.startDaemon(["--config", config] + arguments, waitUntilServing: false)
                #expect(child.waitForExit() == 1, "loadd should refuse: \(child.output)")
                return child
            }
            let unknown = try start("threads: 1\nsockett: /tmp/x.sock\n")
            #expect(unknown.output.contains("\(config):2:1: sockett: unknown key"), "\(unknown.output)")
            let badValue = try start("threads: many\n")
            #expect(badValue.output.contains("\(config):1:10: threads: expected a whole number"), "\(badValue.output)")
            let weight = try start("weight: -2\n")
            #expect(
                weight.output.contains("\(config):1:9: weight: expected a number from 0 to 1000"), "\(weight.output)")
            // A heartbeat timeout a worker would refuse in the master's welcome is refused here, by line.
            let heartbeat = try start("heartbeat_timeout: 2h\n")
            #expect(
                heartbeat.output.contains("\(config):1:20: heartbeat_timeout: expected a duration from 100ms to 1h"),
                "\(heartbeat.output)")
            let worker = try start("role: worker\nmaster: 10.200.0.1:7700\n")
            #expect(worker.output.contains("role: worker needs token_file"), "\(worker.output)")
            // A token any user on the node can read is refused before anything listens, with the fix.
            let token = "\(fixture.directory)/token"
            try "a-token-long-enough-for-the-hmac\n".write(toFile: token, atomically: true, encoding: .utf8)
            chmod(token, 0o644)
            let open = try start("listen: 127.0.0.1:\(try freeLoopbackPort())\ntoken_file: \(token)\n")
            #expect(
                open.output.contains(
                    "token_file \(token) can be read or written by any user on this node (mode 0644); "
                        + "fix it with: chown root:loadd \(token) && chmod 0640 \(token)"), "\(open.output)")
            try FileManager.default.removeItem(atPath: config)
            let missing = try start(nil)
            #expect(missing.output.contains("\(config): no such file"), "\(missing.output)")
            #expect(!FileManager.default.fileExists(atPath: fixture.socket))
        }
    }
}
