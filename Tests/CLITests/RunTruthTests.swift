import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// Reports tell what happened under faults: a killed daemon's run says INTERRUPTED, a run whose
    /// every request failed says so, and a run whose files are broken is listed as damaged.
    @Suite struct RunTruth {
        @Test func aRunCutShortByKill9IsReportedInterruptedNotPassed() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            // Not resumed (`resume_within: 0`): this is about a run that never reaches its end.
            let daemon = try fixture.startDaemon(fixture.withoutResume())
            let started = try fixture.startRun(target.scenario(users: 2))
            #expect(started.status == 201, "\(started.text)")
            let id = try started.decode(RunInfo.self).id
            // Wait until a summary with requests is on disk, then kill without a chance to write more.
            let summaryPath = "\(fixture.stateDir)/runs/\(id.rawValue)/summary.json"
            try eventually("a stored summary with requests") {
                let decoder = JSONDecoder()
                decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                    positiveInfinity: "inf",
                    negativeInfinity: "-inf", nan: "nan")
                let data = try Data(contentsOf: URL(fileURLWithPath: summaryPath))
                return try decoder.decode(RunSummary.self, from: data).total.requests > 0
            }
            daemon.signal(SIGKILL)
            _ = daemon.waitForExit()
            try fixture.startDaemon(fixture.withoutResume())

            let runs = try fixture.loadctl(["runs"])
            #expect(runs.output.contains("interrupted"), "\(runs.output)")
            let report = try fixture.loadctl(["report", id.rawValue])
            #expect(report.status == 0, "\(report.output)")
            let lastLine = report.output.split(separator: "\n").last.map(String.init)
            #expect(lastLine == "INTERRUPTED", "\(report.output)")
            #expect(report.output.contains("INTERRUPTED: loadd ended while the run was going"))
            let page = "\(fixture.directory)/report.html"
            #expect(try fixture.loadctl(["report", id.rawValue, "--html", page]).status == 0)
            let html = try String(contentsOfFile: page, encoding: .utf8)
            #expect(html.contains("<p class=\"word\">INTERRUPTED</p>"))
            #expect(!html.contains("<p class=\"word\">PASSED</p>"))
            let stored = try String(
                contentsOfFile: "\(fixture.stateDir)/runs/\(id.rawValue)/report.html", encoding: .utf8)
            #expect(stored.contains("INTERRUPTED"))
        }

        @Test func aRunWhoseEveryRequestFailedWithoutThresholdsFailsAndIsMarked() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let file = "\(fixture.directory)/all-404.yaml"
            try """
            name: all-404
            host: \(target.host)
            users: 1
            spawn_rate: 10
            duration: 1s
            wait: { constant: 20ms }
            tasks:
              - request: GET /no/such/page
            """.write(toFile: file, atomically: true, encoding: .utf8)
            let table = try fixture.loadctl(["start", file, "--wait"])
            // Failures and no thresholds: FAILED and exit 1, as Locust does; the report says why.
            #expect(table.status == 1, "\(table.output)")
            #expect(
                table.output.contains("requests failed and no threshold says which failures are acceptable"),
                "\(table.output)")
            #expect(table.output.contains("WARNING: every request failed"), "\(table.output)")
            #expect(table.output.contains("\nFAILED\n"), "\(table.output)")
            let id = try #require(try fixture.status().run?.id)
            let json = try fixture.loadctl(["report", id.rawValue, "--json"])
            #expect(json.output.contains("every request failed"), "\(json.output)")
            let page = "\(fixture.directory)/all.html"
            _ = try fixture.loadctl(["report", id.rawValue, "--html", page])
            #expect(try String(contentsOfFile: page, encoding: .utf8).contains("WARNING: every request failed"))
        }

        @Test func damagedRunFilesAreListedWithTheReasonAndNotServedAsResults() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let started = try fixture.startRun(target.scenario(users: 1, duration: "1s"))
            let id = try started.decode(RunInfo.self).id
            try fixture.waitUntilIdle()
            let folder = "\(fixture.stateDir)/runs/\(id.rawValue)"
            let summary = try String(contentsOfFile: "\(folder)/summary.json", encoding: .utf8)
            try String(summary.prefix(summary.count / 2)).write(
                toFile: "\(folder)/summary.json", atomically: true, encoding: .utf8)
            // A second run whose run.json is garbage.
            let broken = "20990101-000000-dead"
            try FileManager.default.createDirectory(
                atPath: "\(fixture.stateDir)/runs/\(broken)", withIntermediateDirectories: true)
            try "{ not json".write(
                toFile: "\(fixture.stateDir)/runs/\(broken)/run.json", atomically: true, encoding: .utf8)

            let runs = try fixture.get("/v1/runs").decode([RunInfo].self)
            let truncated = try #require(runs.first { $0.id == id })
            #expect(truncated.state == .damaged)
            #expect(truncated.damage?.contains("summary.json is truncated") == true, "\(truncated)")
            let garbage = try #require(runs.first { $0.id.rawValue == broken })
            #expect(garbage.state == .damaged)
            #expect(garbage.damage?.contains("run.json") == true)
            let listed = try fixture.loadctl(["runs"])
            #expect(listed.output.contains("run \(broken) is damaged: run.json"), "\(listed.output)")

            let reply = try fixture.get("/v1/runs/\(id.rawValue)")
            #expect(reply.status >= 400, "\(reply.text)")
            #expect(reply.text.contains("damaged"))
            let report = try fixture.loadctl(["report", id.rawValue])
            #expect(report.status != 0)
        }
    }
}
