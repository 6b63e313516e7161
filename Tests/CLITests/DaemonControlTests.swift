import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// The control API end to end: the real daemon, the real target, raw HTTP and the real `loadctl`.
    @Suite struct Control {
        @Test func startStatusUsersResetStopRunsAndReportRoundTripOverRawHTTP() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            #expect(try fixture.status().run == nil)

            let scenario = target.scenario(users: 4)
            let started = try fixture.startRun(scenario)
            #expect(started.status == 201)
            let info = try started.decode(RunInfo.self)
            #expect(info.state == .running)
            #expect(info.users == 4)
            #expect(RunIDShape.matches(info.id.rawValue))

            let second = try fixture.startRun(scenario)
            #expect(second.status == 409)
            #expect(try second.decode(APIError.self).error.contains(info.id.rawValue))

            try eventually("requests to be counted") { (try fixture.status().summary?.total.requests ?? 0) > 0 }
            let running = try fixture.status()
            #expect(running.run?.id == info.id)
            #expect(running.run?.state == .running)

            let users = try fixture.post("/v1/runs/current/users", #"{"users": 2, "spawn_rate": 20}"#)
            #expect(users.status == 200)
            #expect(try users.decode(RunInfo.self).users == 2)
            try eventually("the run to move to 2 users") { try fixture.status().summary?.users == 2 }

            let measuredFrom = try #require(try fixture.status().summary?.startedAt)
            #expect(try fixture.post("/v1/runs/current/reset").status == 200)
            // Reset restarts measuring at the next whole second: wait for requests counted since then.
            try eventually("requests counted after the reset") {
                let summary = try #require(try fixture.status().summary)
                return summary.startedAt > measuredFrom && summary.total.requests > 0
            }

            let stop = try fixture.post("/v1/runs/current/stop")
            #expect(stop.status == 200)
            #expect(try stop.decode(RunInfo.self).state == .stopping)
            try eventually("the run's verdict") { try fixture.status().run?.state == .passed }
            #expect(try fixture.post("/v1/runs/current/stop").status == 409)
            #expect(try fixture.post("/v1/runs/current/users", #"{"users": 1}"#).status == 409)

            let runs = try fixture.get("/v1/runs").decode([RunInfo].self)
            #expect(runs.map(\.id) == [info.id])
            #expect(runs.first?.state == .passed)
            #expect(runs.first?.endedAt != nil)
            #expect((runs.first?.requests ?? 0) > 0)

            let summary = try fixture.get("/v1/runs/\(info.id)").decode(RunSummary.self)
            #expect(summary.run == info.id)
            #expect(summary.total.requests > 0)
            #expect(summary.passed)

            let folder = "\(fixture.stateDir)/runs/\(info.id)"
            for name in [
                "scenario.yaml", "run.json", "summary.json", "stats.csv", "stats_history.csv", "failures.csv",
                "report.html",
            ] {
                #expect(FileManager.default.fileExists(atPath: "\(folder)/\(name)"), "\(name) missing")
            }
            #expect(try String(contentsOfFile: "\(folder)/scenario.yaml", encoding: .utf8) == scenario)
            #expect(
                try String(contentsOfFile: "\(folder)/stats.csv", encoding: .utf8).hasPrefix("Type,Name,Request Count"))
            // Rewritten with the summary, so the stored page carries the final verdict.
            let page = try String(contentsOfFile: "\(folder)/report.html", encoding: .utf8)
            for text in ["<dd>\(info.id)</dd>", "/Test/V1", "Aggregated", "<p class=\"word\">PASSED</p>"] {
                #expect(page.contains(text), "report.html lacks \(text)")
            }
            let stored = try JSONDecoder().decode(
                RunInfo.self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/run.json")))
            #expect(stored.state == .passed)
            #expect(try fixture.get("/v1/runs/20000101-000000-0000").status == 404)
        }

        @Test func fiftyConcurrentStatusCallsDuringARunAllSucceedAndTheRunGoesOn() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let info = try fixture.startRun(target.scenario(users: 4)).decode(RunInfo.self)
            try eventually("requests to be counted") { (try fixture.status().summary?.total.requests ?? 0) > 0 }

            // All 50 requests are sent before any answer is read, so the daemon has them all at once.
            let connections = try (0..<50).map { _ in try DaemonHTTP.connect(fixture.socket) }
            defer { for fd in connections { close(fd) } }
            for fd in connections { DaemonHTTP.send(fd, DaemonHTTP.requestBytes("GET", "/v1/status")) }
            let replies = try connections.map { try DaemonHTTP.readReply($0) }
            #expect(replies.allSatisfy { $0.status == 200 })
            #expect(try replies.allSatisfy { try $0.decode(NodeStatus.self).run?.id == info.id })

            let before = try #require(try fixture.status().summary?.total.requests)
            try eventually("the run to keep sending requests") {
                (try fixture.status().summary?.total.requests ?? 0) > before
            }
            #expect(try fixture.post("/v1/runs/current/stop").status == 200)
            try eventually("the run's verdict") { try fixture.status().run?.state == .passed }
            #expect(try fixture.status().summary?.total.failures == 0)
        }

        @Test func loadctlDrivesTheDaemonThroughEveryCommand() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let file = "\(fixture.directory)/scenario.yaml"
            try target.scenario(users: 3, duration: "2s", name: "loadctl-driven").write(
                toFile: file, atomically: true, encoding: .utf8)

            let waitedPage = "\(fixture.directory)/waited.html"
            let waited = try fixture.loadctl([
                "start", file, "--wait", "--json", "--html", waitedPage, "--csv", "\(fixture.directory)/waited",
            ])
            #expect(waited.status == 0, "\(waited.output)")
            #expect(waited.output.contains(#""passed" : true"#))
            #expect(try String(contentsOfFile: waitedPage, encoding: .utf8).contains("loadctl-driven"))
            #expect(FileManager.default.fileExists(atPath: "\(fixture.directory)/waited_stats.csv"))
            let noWait = try fixture.loadctl(["start", file, "--html", waitedPage])
            #expect(noWait.status != 0 && noWait.output.contains("add --wait"), "\(noWait.output)")

            let started = try fixture.loadctl(["start", file, "--duration", "1h"])
            #expect(started.status == 0, "\(started.output)")
            let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(RunIDShape.matches(id), "\(started.output)")
            let status = try fixture.loadctl(["status", "--json"])
            #expect(status.status == 0)
            #expect(status.output.contains(id))
            #expect(try fixture.loadctl(["users", "2"]).status == 0)
            #expect(try fixture.loadctl(["reset"]).status == 0)
            #expect(try fixture.loadctl(["stop"]).status == 0)
            try eventually("the run's verdict") { try fixture.status().run?.state == .passed }
            let secondStop = try fixture.loadctl(["stop"])
            #expect(secondStop.status == 4, "a refused action: \(secondStop.output)")
            #expect(secondStop.output.contains("no run is going"))

            let runs = try fixture.loadctl(["runs"])
            #expect(runs.status == 0)
            #expect(runs.output.contains(id))
            #expect(runs.output.contains("loadctl-driven"))
            let report = try fixture.loadctl(["report", id, "--json"])
            #expect(report.status == 0)
            #expect(report.output.contains(id))
            let csvFolder = "\(fixture.directory)/csv"
            try FileManager.default.createDirectory(atPath: csvFolder, withIntermediateDirectories: true)
            #expect(try fixture.loadctl(["report", id, "--csv", csvFolder]).status == 0)
            #expect(FileManager.default.fileExists(atPath: "\(csvFolder)/\(id)_stats.csv"))
            let page = "\(fixture.directory)/\(id).html"
            let html = try fixture.loadctl(["report", id, "--html", page])
            #expect(html.status == 0, "\(html.output)")
            #expect(html.output.contains("wrote \(page)"))
            #expect(try String(contentsOfFile: page, encoding: .utf8).contains("<dd>\(id)</dd>"))
            let unwritable = try fixture.loadctl(["report", id, "--html", "/nonexistent-dir/\(id).html"])
            #expect(unwritable.status == 2)
            #expect(unwritable.output.contains("cannot write /nonexistent-dir/\(id).html"))
            #expect(try fixture.loadctl(["report", "20000101-000000-0000"]).status != 0)
        }
    }
}

/// The shape of run ids: `20261122-184501-a3f9`.
enum RunIDShape {
    static func matches(_ text: String) -> Bool {
        text.wholeMatch(of: /\d{8}-\d{6}-[0-9a-f]{4}/) != nil
    }
}
