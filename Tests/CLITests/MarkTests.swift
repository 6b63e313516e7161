import Foundation
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// `loadctl mark` / `POST /v1/marks` against a real daemon and a real fleet: marks reach the JSON
    /// summary, `marks.csv`, the HTML page as elements, the run's log lines, and a fleet's master.
    @Suite struct Marks {
        /// Waits until the run's history has passed `second`, so a mark made there lies on the charts.
        private func waitForHistory(on node: DaemonFixture, beyond second: Double) throws {
            try eventually("the history to pass second \(second)") {
                let last = try node.status().summary?.history.last?.second ?? -1
                return Double(last) > second
            }
        }

        @Test func twoMarksReachTheJSONTheMarksCSVTheHTMLAndTheLogWithTheRunID() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            #expect(try fixture.post("/v1/marks", #"{"text": "too early"}"#).status == 409)
            let info = try fixture.startRun(target.scenario(users: 2)).decode(RunInfo.self)
            try waitForHistory(on: fixture, beyond: 0)

            let first = try fixture.loadctl(["mark", "rollout web v2 started"])
            #expect(first.status == 0 && first.output.contains("rollout web v2 started"), "\(first.output)")
            let second = try fixture.post("/v1/marks", #"{"text": "rollout, \"done\""}"#)
            #expect(second.status == 201, "\(second.text)")
            let mark = try second.decode(RunMark.self)
            try waitForHistory(on: fixture, beyond: mark.elapsedS)

            // Refusals name the field and the bound.
            let long = String(repeating: "x", count: RunMark.maxTextCharacters + 1)
            let tooLong = try fixture.post("/v1/marks", #"{"text": "\#(long)"}"#)
            #expect(
                tooLong.status == 400 && tooLong.text.contains("text: at most 200 characters, got 201"),
                "\(tooLong.text)")
            #expect(try fixture.post("/v1/marks", #"{"text": "  "}"#).text.contains("text: must not be empty"))
            #expect(try fixture.post("/v1/marks", #"{"txt": "typo"}"#).status == 400)
            let cli = try fixture.loadctl(["mark", ""])
            #expect(cli.status != 0 && cli.output.contains("text: must not be empty"), "\(cli.output)")

            #expect(try fixture.post("/v1/runs/current/stop").status == 200)
            let summary = try finishedSummary(info.id, on: fixture)
            let marks = try #require(summary.marks)
            #expect(marks.map(\.text) == ["rollout web v2 started", "rollout, \"done\""])
            #expect(marks[0].elapsedS <= marks[1].elapsedS && marks[0].elapsedS > 0)

            let folder = "\(fixture.stateDir)/runs/\(info.id)"
            let csv = try String(contentsOfFile: "\(folder)/marks.csv", encoding: .utf8).components(separatedBy: "\r\n")
            #expect(csv[0] == "Timestamp,Time,Seconds Into Run,Mark")
            #expect(
                csv[1].hasSuffix(",rollout web v2 started") && csv[2].hasSuffix(",\"rollout, \"\"done\"\"\""), "\(csv)")
            let html = try String(contentsOfFile: "\(folder)/report.html", encoding: .utf8)
            let charts = html.components(separatedBy: "<figure class=\"chart\">").count - 1
            #expect(charts >= 1)
            #expect(html.components(separatedBy: "<g class=\"mark\" data-mark=\"1\">").count - 1 == charts)
            #expect(html.components(separatedBy: "<g class=\"mark\" data-mark=\"2\">").count - 1 == charts)
            #expect(html.contains("<section id=\"marks\">") && html.contains("rollout, &quot;done&quot;"))

            // `loadctl report --csv` writes the marks beside Locust's four files.
            let report = try fixture.loadctl(["report", info.id.rawValue, "--csv", fixture.directory])
            #expect(report.status == 0 && report.output.contains("\(info.id)_marks.csv"), "\(report.output)")

            // The log line carries the run id as metadata (journald: the LOADD_RUN_ID field).
            let log = try #require(fixture.daemon?.output)
            let lines = log.split(separator: "\n").filter { $0.contains(" mark ") || $0.contains(": mark ") }
            #expect(lines.count == 2 && lines.allSatisfy { $0.contains("loadd_run_id=\(info.id)") }, "\(log)")
        }

        @Test func aFleetsMasterKeepsTheMarksAndAWorkerSendsYouToIt() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            let info = try fleet.master.startRun(target.scenario(users: 4)).decode(RunInfo.self)
            try eventually("the users to be split") { try fleet.shares() == ["w1": 2, "w2": 2] }
            try waitForHistory(on: fleet.master, beyond: 0)

            #expect(try fleet.master.loadctl(["mark", "scaled web to 5 pods"]).status == 0)
            #expect(try fleet.master.post("/v1/marks", #"{"text": "scaled back to 3"}"#).status == 201)
            let onWorker = try fleet.worker("w1").post("/v1/marks", #"{"text": "not here"}"#)
            #expect(
                onWorker.status == 409 && onWorker.text.contains("its master keeps the run's marks"), "\(onWorker.text)"
            )
            #expect(try fleet.master.status().summary?.marks?.count == 2)

            #expect(try fleet.master.post("/v1/runs/current/stop").status == 200)
            let merged = try finishedSummary(info.id, on: fleet.master)
            #expect(merged.marks?.map(\.text) == ["scaled web to 5 pods", "scaled back to 3"])
            #expect(merged.total.requests > 0)
            #expect(try finishedSummary(info.id, on: fleet.worker("w1")).marks == nil)
            let csv = try String(contentsOfFile: "\(fleet.master.stateDir)/runs/\(info.id)/marks.csv", encoding: .utf8)
            #expect(csv.contains("scaled web to 5 pods") && csv.contains("scaled back to 3"))
        }
    }
}
