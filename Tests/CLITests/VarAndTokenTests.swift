import Foundation
import Glibc
import Protocol
import Testing

/// `--var` and token logins through the real binaries: `loadctl run` in-process, `loadctl start` to a
/// daemon whose own environment lacks the value, and a fleet whose every worker compiles it.
extension DaemonTests {
    @Suite struct VarsAndTokens {
        /// Logs in, keeps the token, sends it; the path's last part comes from `{{env.WHICH}}`.
        static func scenario(host: String, users: Int, duration: String) -> String {
            """
            name: vars-and-tokens
            host: \(host)
            users: \(users)
            spawn_rate: 100
            duration: \(duration)
            wait: { constant: 10ms }
            on_start:
              - request: POST /api/login
                json: { user: "{{env.WHO}}" }
                extract: { token: { json: "$.token" } }
            tasks:
              - steps:
                  - request: GET /api/me
                    headers: { Authorization: "Bearer {{token}}" }
                    check: { status: 200, json: { "$.status": ok } }
                  - request: GET /Test/{{env.WHICH}}
                    name: by var
                    check: { status: 200 }
            thresholds: [ "failures == 0" ]
            """
        }

        private static func decodeSummary(_ output: String) throws -> RunSummary {
            let start = try #require(output.firstIndex(of: "{"))
            return try JSONDecoder().decode(RunSummary.self, from: Data(output[start...].utf8))
        }

        /// `loadctl` without a daemon (`run` and `validate` take no `--socket`).
        private static func local(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String)
        {
            let child = try ChildProcess(
                DaemonBinaries.loadctl, arguments, outputPath: "\(directory)/loadctl-\(UUID().uuidString).log")
            guard let status = child.waitForExit(timeout: .seconds(60)) else {
                throw DaemonTestError("loadctl \(arguments) did not finish: \(child.output)")
            }
            return (status, child.output)
        }

        @Test func runTakesVarsAndRefusesAnUnsetEnvAndABadVarAsUsageErrors() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let file = "\(fixture.directory)/vars.yaml"
            try Self.scenario(host: target.host, users: 3, duration: "2s").write(
                toFile: file, atomically: true, encoding: .utf8)

            let ran = try Self.local(
                [
                    "run", file, "--json", "--quiet", "--threads", "1",
                    "--var", "WHICH=V2", "--var", "WHO=alice",
                ], in: fixture.directory)
            #expect(ran.status == 0, "\(ran.output)")
            let summary = try Self.decodeSummary(ran.output)
            #expect(summary.total.failures == 0)
            #expect((summary.endpoints.first { $0.name == "by var" }?.requests ?? 0) > 10)
            #expect(
                (summary.checks ?? []).contains { $0.check == #"$.status == "ok""# && $0.passes > 10 && $0.fails == 0 })

            let unset = try Self.local(["run", file, "--quiet", "--var", "WHO=alice"], in: fixture.directory)
            #expect(unset.status == 2)
            #expect(unset.output.contains("vars.yaml:16:18: tasks[0].steps[1].request:"), "\(unset.output)")
            #expect(unset.output.contains("environment variable 'WHICH' is not set"), "\(unset.output)")
            let validated = try Self.local(["validate", file, "--var", "WHO=alice"], in: fixture.directory)
            #expect(validated.status == 2 && validated.output.contains("'WHICH' is not set"))

            for bad in ["WHICH", "1X=2", "A-B=3", "=x"] {
                let refused = try Self.local(["run", file, "--var", bad], in: fixture.directory)
                #expect(refused.status == 2, "--var \(bad): \(refused.output)")
                #expect(refused.output.contains("expected NAME=VALUE"), "\(refused.output)")
            }
        }

        @Test func startSendsVarsToTheDaemonWhichHasNoneOfItsOwn() throws {
            let fixture = try DaemonFixture()
            var environment = ProcessInfo.processInfo.environment
            environment["WHICH"] = "V404"   // the daemon's own value must never be used
            try fixture.startDaemon(environment: environment)
            let target = try TargetProcess(directory: fixture.directory)
            let file = "\(fixture.directory)/vars.yaml"
            try Self.scenario(host: target.host, users: 2, duration: "2s").write(
                toFile: file, atomically: true, encoding: .utf8)
            let started = try fixture.loadctl([
                "start", file, "--wait", "--json", "--var", "WHICH=V3", "--var", "WHO=bob",
            ])
            #expect(started.status == 0, "\(started.output)")
            let summary = try Self.decodeSummary(started.output)
            #expect(summary.total.failures == 0)
            #expect((summary.endpoints.first { $0.name == "by var" }?.requests ?? 0) > 5)
            // Without the value the client refuses before sending anything: the daemon never sees it.
            let refused = try fixture.loadctl(["start", file, "--var", "WHO=bob"])
            #expect(refused.status == 2 && refused.output.contains("'WHICH' is not set"), "\(refused.output)")
        }

        @Test func theDaemonRefusesBadVarsAndAnUnsetEnvByName() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let scenario = "host: http://127.0.0.1:9\ntasks: [ { request: \"GET /{{env.WHICH}}\" } ]"
            func start(_ vars: Any) throws -> DaemonHTTPReply {
                let body = try JSONSerialization.data(withJSONObject: ["scenario": scenario, "vars": vars])
                return try fixture.post("/v1/runs", String(decoding: body, as: UTF8.self))
            }
            let badName = try start(["1x": "a"])
            #expect(badName.status == 400 && badName.text.contains("vars.1x"), "\(badName.text)")
            let notText = try start(["WHICH": 3])
            #expect(notText.status == 400 && notText.text.contains("vars"), "\(notText.text)")
            let unset = try start([String: String]())
            #expect(unset.status == 400 && unset.text.contains("scenario.yaml:2:"), "\(unset.text)")
            #expect(unset.text.contains("environment variable 'WHICH' is not set"))
            #expect(try fixture.status().run == nil)
        }

        @Test func aFleetRunGivesEveryWorkerTheVarsAndEachUserItsToken() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            let file = "\(fleet.master.directory)/vars.yaml"
            try Self.scenario(host: target.host, users: 4, duration: "3s").write(
                toFile: file, atomically: true, encoding: .utf8)
            let started = try fleet.master.loadctl(["start", file, "--json", "--var", "WHICH=V2", "--var", "WHO=carol"])
            #expect(started.status == 0, "\(started.output)")
            let info = try JSONDecoder().decode(RunInfo.self, from: Data(started.output.utf8))
            let merged = try finishedSummary(info.id, on: fleet.master)
            let own = try ["w1", "w2"].map { try finishedSummary(info.id, on: fleet.worker($0)) }
            #expect(merged.total.failures == 0, "\(merged.failuresByReason)")
            for summary in own {
                #expect(summary.total.failures == 0)
                #expect((summary.endpoints.first { $0.name == "/api/me" }?.requests ?? 0) > 5)
                #expect((summary.endpoints.first { $0.name == "by var" }?.requests ?? 0) > 5)
                #expect(summary.endpoints.first { $0.name == "/api/login" }?.requests == 2)
            }
            // The checks table merges across the fleet: the master's counts are the workers' sums.
            let check = #"$.status == "ok""#
            let masterPasses = merged.checks?.first { $0.check == check }?.passes ?? 0
            let workerPasses = own.map { $0.checks?.first { $0.check == check }?.passes ?? 0 }.reduce(0, +)
            #expect(masterPasses > 10 && masterPasses == workerPasses)
        }
    }
}
