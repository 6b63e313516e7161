import Foundation
import Protocol
import TargetServer
import Testing

/// Secret values through the real binaries: a `--secret-var`, an `{{env.NAME}}` value from
/// `loadctl`'s own environment, a basic-auth credential and a secret CSV column reach the target
/// (its per-user counters prove it) and appear nowhere a person or a file could read them: not in
/// the daemon's state directory (run folders, reports), its debug log, the control API's answers
/// or the CLI's output.
extension DaemonTests {
    @Suite struct Secrets {
        /// `{{env.WHO}}`, from loadctl's environment (never a flag).
        static let envValue = "S3cr3t-env-7f1c"
        /// `--secret-var TOKEN=…`, part of each basic-auth user name.
        static let secretVar = "Sv-a91c-77e2-q"
        /// The `user` column, marked `secret:`.
        static let csvUsers = ["cu-Q8m2x4-row", "cu-R5n7y1-row"]
        /// The basic-auth user names the target must see, and the credentials sent in base64.
        static var basicUsers: [String] { csvUsers.map { "\($0)-\(secretVar)" } }
        static var needles: [String] {
            [envValue, secretVar] + csvUsers
                + basicUsers.map { Data("\($0):secret".utf8).base64EncodedString() }
        }

        static func scenario(host: String) -> String {
            """
            name: secrets
            host: \(host)
            users: 2
            spawn_rate: 100
            duration: 2s
            wait: { constant: 20ms }
            data: { csv: users.csv, secret: [user] }
            on_start:
              - request: POST /board/login
                form: { username: "{{env.WHO}}", password: "{{env.PW}}" }
                check: { status: 200 }
            tasks:
              - request: GET /basic
                auth: { basic: ["{{data.user}}-{{env.TOKEN}}", "{{env.PW}}"] }
                check: { status: 200 }
            thresholds: [ "failures == 0" ]
            """
        }

        /// Writes the scenario and its CSV next to each other in `directory`; the scenario's path.
        static func writeScenario(host: String, in directory: String) throws -> String {
            let file = "\(directory)/secrets.yaml"
            try scenario(host: host).write(toFile: file, atomically: true, encoding: .utf8)
            try (["user"] + csvUsers).joined(separator: "\n").appending("\n")
                .write(toFile: "\(directory)/users.csv", atomically: true, encoding: .utf8)
            return file
        }

        /// `loadctl` with `WHO` in its environment only, against `node`'s socket.
        static func loadctl(_ arguments: [String], on node: DaemonFixture) throws -> (status: Int32, output: String) {
            var environment = ProcessInfo.processInfo.environment
            environment["WHO"] = envValue
            let child = try ChildProcess(
                DaemonBinaries.loadctl, arguments + ["--socket", node.socket], environment: environment,
                outputPath: "\(node.directory)/loadctl-\(UUID().uuidString).log")
            guard let status = child.waitForExit(timeout: .seconds(60)) else {
                throw DaemonTestError("loadctl \(arguments) did not finish: \(child.output)")
            }
            return (status, child.output)
        }

        static let secretFlags = ["--secret-var", "PW=secret", "--secret-var", "TOKEN=\(secretVar)"]

        /// Every file under `directory` (recursively) that holds one of the values: "path: value".
        static func leaks(under directory: String) -> [String] {
            guard let walker = FileManager.default.enumerator(atPath: directory) else {
                return ["cannot list \(directory)"]
            }
            var found: [String] = []
            var files = 0
            while let relative = walker.nextObject() as? String {
                let path = "\(directory)/\(relative)"
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                files += 1
                found += leaks(in: String(decoding: data, as: UTF8.self), named: path)
            }
            return files == 0 ? ["no files under \(directory)"] : found
        }

        static func leaks(in text: String, named name: String) -> [String] {
            needles.filter { text.contains($0) }.map { "\(name): \($0)" }
        }

        /// The daemon's own files and answers about run `id`, and its log, hold none of the values.
        static func expectNoLeaks(on node: DaemonFixture, run id: RunID, daemonLog: String) throws {
            let onDisk = leaks(under: node.stateDir)
            #expect(onDisk.isEmpty, "\(onDisk)")
            #expect(leaks(in: daemonLog, named: "loadd's log").isEmpty)
            for path in ["/v1/status", "/v1/runs", "/v1/runs/\(id)"] {
                let answer = try node.get(path)
                #expect(answer.status == 200)
                #expect(leaks(in: answer.text, named: path).isEmpty, "\(answer.text)")
            }
            for arguments in [
                ["status", "--json"], ["report", id.rawValue, "--json"],
                ["report", id.rawValue, "--html", "\(node.directory)/report.html"],
            ] {
                let shown = try loadctl(arguments, on: node)
                #expect(shown.status == 0 || shown.status == 1, "\(arguments): \(shown.output)")
                #expect(leaks(in: shown.output, named: "loadctl \(arguments)").isEmpty, "\(shown.output)")
            }
            let html = try String(contentsOfFile: "\(node.directory)/report.html", encoding: .utf8)
            #expect(html.contains("/basic") && leaks(in: html, named: "report.html").isEmpty)
        }

        @Test func secretValuesReachTheTargetAndNoFileLogOrAnswer() async throws {
            let target = try await TargetServer.start(TargetConfig())
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let file = try Self.writeScenario(host: target.baseURL, in: fixture.directory)

            // A mistyped flag is refused without its value.
            let refused = try Self.loadctl(["start", file, "--secret-var", "1TOKEN=\(Self.secretVar)"], on: fixture)
            #expect(refused.status == 2 && refused.output.contains("1TOKEN=***"), "\(refused.output)")
            #expect(Self.leaks(in: refused.output, named: "refusal").isEmpty)

            let started = try Self.loadctl(["start", file, "--wait", "--json"] + Self.secretFlags, on: fixture)
            #expect(started.status == 0, "\(started.output)")
            #expect(Self.leaks(in: started.output, named: "loadctl start").isEmpty)
            let id = try #require(try fixture.get("/v1/runs").decode([RunInfo].self).first?.id)

            // The target saw every value: the env value logged in, each row's name with the secret var passed basic auth.
            let seen = target.boardStats()
            #expect((seen.logins[Self.envValue] ?? 0) >= 2, "\(seen.logins)")
            #expect(Set(seen.basicPasses.keys) == Set(Self.basicUsers), "\(seen.basicPasses)")
            #expect(seen.basicPasses.values.allSatisfy { $0 > 5 })

            try Self.expectNoLeaks(on: fixture, run: id, daemonLog: fixture.daemon?.output ?? "")
            // The scan finds a value where one is: the CSV beside the scenario (outside the state directory).
            let scanned = Self.leaks(under: fixture.directory)
            #expect(scanned.contains("\(fixture.directory)/users.csv: \(Self.csvUsers[0])"), "\(scanned)")
            try await target.stop()
        }

        @Test func secretVarsNamesVarsOnlyAndIsRefusedByNameOtherwise() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let scenario = "host: http://127.0.0.1:9\ntasks: [ { request: \"GET /{{env.WHICH}}\" } ]"
            let body = try JSONSerialization.data(withJSONObject: [
                "scenario": scenario, "vars": ["WHICH": "Sv-unused-3c"], "secret_vars": ["WHICH", "NOPE"],
            ])
            let refused = try fixture.post("/v1/runs", String(decoding: body, as: UTF8.self))
            #expect(
                refused.status == 400 && refused.text.contains("secret_vars.NOPE: not one of vars"), "\(refused.text)")
            #expect(!refused.text.contains("Sv-unused-3c"))
            #expect(try fixture.status().run == nil)
        }

        @Test func aFleetRunKeepsTheValuesOffTheWorkersDiskAndLogs() async throws {
            let target = try await TargetServer.start(TargetConfig())
            let fleet = try FleetCluster()
            let worker = try fleet.addWorker("w1")
            try fleet.waitForWorkers(["w1"])
            let file = try Self.writeScenario(host: target.baseURL, in: fleet.master.directory)
            let started = try Self.loadctl(["start", file, "--json"] + Self.secretFlags, on: fleet.master)
            #expect(started.status == 0, "\(started.output)")
            let info = try JSONDecoder().decode(RunInfo.self, from: Data(started.output.utf8))
            let merged = try finishedSummary(info.id, on: fleet.master)
            _ = try finishedSummary(info.id, on: worker)
            #expect(merged.total.failures == 0 && merged.total.requests > 10)
            #expect(Set(target.boardStats().basicPasses.keys) == Set(Self.basicUsers))

            try Self.expectNoLeaks(on: fleet.master, run: info.id, daemonLog: fleet.master.daemon?.output ?? "")
            let onWorkerDisk = Self.leaks(under: worker.stateDir)
            #expect(onWorkerDisk.isEmpty, "\(onWorkerDisk)")
            let workerLog = worker.daemon?.output ?? ""
            #expect(!workerLog.isEmpty && Self.leaks(in: workerLog, named: "the worker's log").isEmpty)
            try await target.stop()
        }
    }
}
