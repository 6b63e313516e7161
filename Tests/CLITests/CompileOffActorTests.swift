import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// A scenario compiles off the run manager: `status` and `stop` answer within a second while a
    /// large one compiles, and status says so.
    @Suite struct CompileOffActor {
        /// A legal scenario with a data file large enough to take seconds to compile in a debug build.
        static func largeScenario(in fixture: DaemonFixture, host: String) throws -> String {
            var csv = "user,token\n"
            csv.reserveCapacity(12_000_000)
            for row in 0..<600_000 { csv += "user\(row),t\(row &* 7919)\n" }
            try csv.write(toFile: "\(fixture.directory)/big-users.csv", atomically: true, encoding: .utf8)
            let file = "\(fixture.directory)/large.yaml"
            try """
            name: large
            host: \(host)
            users: 1
            spawn_rate: 10
            wait: { constant: 50ms }
            data: { csv: big-users.csv }
            tasks:
              - request: GET /Test/V1?u={{data.user}}&t={{data.token}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }

        @Test func statusAnswersWithinASecondWhileALargeScenarioCompiles() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let file = try Self.largeScenario(in: fixture, host: target.host)
            let probe = StatusProbe(socket: fixture.socket)
            let start = try ChildProcess(
                DaemonBinaries.loadctl, ["start", file, "--socket", fixture.socket],
                outputPath: "\(fixture.directory)/start.log")
            let exit = start.waitForExit(timeout: .seconds(90))
            let seen = probe.finish()
            #expect(exit == 0, "\(start.output)")
            #expect(seen.failures.isEmpty, "\(seen.failures)")
            #expect(seen.slowest < .seconds(1), "slowest status: \(seen.slowest)")
            #expect(seen.sawCompiling, "status never showed the scenario compiling")
            _ = try fixture.post("/v1/runs/current/stop")
            try fixture.waitUntilIdle()
        }

        @Test func aStopWhileCompilingAnswersAtOnceAndTheRunNeverStarts() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let file = try Self.largeScenario(in: fixture, host: target.host)
            let start = try ChildProcess(
                DaemonBinaries.loadctl, ["start", file, "--socket", fixture.socket],
                outputPath: "\(fixture.directory)/start.log")
            try eventually("the scenario to be compiling", timeout: .seconds(60)) {
                try fixture.status().compiling != nil
            }
            let asked = ContinuousClock.now
            let stop = try fixture.post("/v1/runs/current/stop")
            #expect(asked.duration(to: .now) < .seconds(1))
            #expect(stop.status == 409, "\(stop.text)")
            #expect(stop.text.contains("will not start"), "\(stop.text)")
            let exit = start.waitForExit(timeout: .seconds(90))
            #expect(exit != 0, "\(start.output)")
            #expect(start.output.contains("cancelled"), "\(start.output)")
            let status = try fixture.status()
            #expect(status.compiling == nil && status.run == nil, "\(status)")
        }

        @Test func aStageTargetBeyondAnyUserCountIsRefusedByName() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let scenario = """
                host: http://127.0.0.1:1
                stages:
                  - { duration: 1s, target: 9223372036854775807 }
                tasks:
                  - request: GET /
                """
            let reply = try fixture.startRaw(StartRunRequest(scenario: scenario, file: "stages.yaml"))
            #expect((400..<500).contains(reply.status), "\(reply.status) \(reply.text)")
            #expect(reply.text.contains("target"), "\(reply.text)")
            #expect(try fixture.get("/v1/status").status == 200)
        }
    }
}
