import Foundation
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// The open model through the daemon: `rate` override, `loadctl rate`, and the model guard on `users`.
    @Suite struct OpenModel {
        @Test func openModelRunTakesARateChangeAndRefusesAUserCount() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let scenario = """
                name: open
                host: \(target.host)
                tasks: [ { request: GET /Test/V2 } ]
                """
            let started = try fixture.startRun(scenario, overrides: RunOverrides(duration: "20s", rate: 50))
            #expect(started.status == 201)
            try eventually("requests to be counted") { (try fixture.status().summary?.total.requests ?? 0) > 0 }
            #expect(try fixture.status().summary?.openModel?.targetRate == 50)

            let users = try fixture.post("/v1/runs/current/users", #"{"users": 3}"#)
            #expect(users.status == 409)
            #expect(try users.decode(APIError.self).error.contains("open model"))

            let changed = try fixture.loadctl(["rate", "120"])
            #expect(changed.status == 0, "\(changed.output)")
            try eventually("the new rate") { try fixture.status().summary?.openModel?.targetRate == 120 }

            #expect(try fixture.post("/v1/runs/current/rate", #"{"rate": "fast"}"#).status == 400)
            // A rate past the scenario's range is refused by name mid-run, as `validate` refuses it in a file.
            let huge = try fixture.loadctl(["rate", "1e15"])
            #expect(huge.status == 2, "\(huge.output)")
            #expect(huge.output.contains("rate: must be 0 or 0.001…10000000 per second"), "\(huge.output)")
            #expect(try fixture.status().summary?.openModel?.targetRate == 120)
            #expect(try fixture.post("/v1/runs/current/stop").status == 200)
            try eventually("the run's verdict") { try fixture.status().run?.state == .passed }
            let run = try #require(try fixture.status().run)
            let summary = try fixture.get("/v1/runs/\(run.id)").decode(RunSummary.self)
            #expect(summary.openModel?.dropped == 0)
            let history = try String(
                contentsOfFile: "\(fixture.stateDir)/runs/\(run.id)/stats_history.csv", encoding: .utf8)
            #expect(history.hasPrefix("Timestamp,") && history.contains(",Dropped Iterations\r\n"))
        }
    }
}
