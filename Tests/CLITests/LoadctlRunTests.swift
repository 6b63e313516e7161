import Foundation
import Protocol
import Testing

/// The checkout this test file lives in (Tests/CLITests/ is two levels down).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// `loadctl run`, `validate` and `demo` as users type them: real binary, real target, exit codes.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LoadctlRunTests {
    /// Runs loadctl with `arguments` in `directory`; its status and everything it printed.
    private func loadctl(
        _ arguments: [String], in directory: String, timeout: Duration = .seconds(60)
    ) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            DaemonBinaries.loadctl, arguments, outputPath: "\(directory)/loadctl-\(UUID().uuidString).log")
        guard let status = child.waitForExit(timeout: timeout) else {
            throw DaemonTestError("loadctl \(arguments) did not finish: \(child.output)")
        }
        return (status, child.output)
    }

    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func exitStatusFollowsThresholdsAndJSONAndCSVsAreWritten() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let file = "\(fixture.directory)/mix.yaml"
        try write(
            """
            name: cli-mix
            host: \(target.host)
            users: 4
            duration: 2s
            tasks:
              - { weight: 3, request: GET /Test/V1 }
              - { weight: 1, request: GET /Test/V3 }
            thresholds: [ "failure_rate < 1%", "p95 < 2s" ]
            """, to: file)
        let passed = try loadctl(
            ["run", file, "--json", "--quiet", "--threads", "1", "--csv", "\(fixture.directory)/out"],
            in: fixture.directory)
        #expect(passed.status == 0, "\(passed.output)")
        let jsonStart = try #require(passed.output.firstIndex(of: "{"))
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(passed.output[jsonStart...].utf8))
        #expect(summary.passed && summary.total.requests > 0)
        #expect(summary.endpoints.map(\.name) == ["/Test/V1", "/Test/V3"])
        for suffix in ["stats", "stats_history", "failures"] {
            let csv = try String(contentsOfFile: "\(fixture.directory)/out_\(suffix).csv", encoding: .utf8)
            #expect(!csv.isEmpty)
        }

        let failing = try loadctl(
            ["run", file, "--quiet", "--threads", "1", "--duration", "1s", "--users", "2"],
            in: fixture.directory)
        #expect(failing.status == 0)
        try write(
            try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
                of: "p95 < 2s", with: "rps > 1000000"),
            to: file)
        let failed = try loadctl(["run", file, "--quiet", "--threads", "1", "--duration", "1s"], in: fixture.directory)
        #expect(failed.status == 1, "\(failed.output)")
        #expect(failed.output.contains("FAIL") && failed.output.hasSuffix("FAILED\n"))
    }

    @Test func htmlReportIsWrittenAfterTheRunAndAnUnwritablePathIsNamed() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let file = "\(fixture.directory)/html.yaml"
        try write(
            """
            name: cli-html
            host: \(target.host)
            users: 2
            duration: 2s
            tasks: [ { request: GET /Test/V2 } ]
            thresholds: [ "failures == 0" ]
            """, to: file)
        let report = "\(fixture.directory)/report.html"
        let passed = try loadctl(["run", file, "--quiet", "--threads", "1", "--html", report], in: fixture.directory)
        #expect(passed.status == 0, "\(passed.output)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        for text in [
            "<!DOCTYPE html>", "cli-html", "/Test/V2", "Aggregated", "<p class=\"word\">PASSED</p>", "<polyline",
        ] {
            #expect(html.contains(text), "report.html lacks \(text)")
        }

        let unwritable = "/nonexistent-dir/x.html"
        let refused = try loadctl(
            ["run", file, "--quiet", "--threads", "1", "--duration", "1s", "--html", unwritable],
            in: fixture.directory)
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("cannot write \(unwritable): No such file or directory"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: unwritable))
    }

    @Test func anUnreachableTargetFailsTheRunQuickly() throws {
        let fixture = try DaemonFixture()
        let port = try freeLoopbackPort()
        let file = "\(fixture.directory)/down.yaml"
        try write(
            "host: http://127.0.0.1:\(port)\nusers: 2\nduration: 1m\ntasks: [ { request: GET /Test/V1 } ]\n", to: file)
        let started = ContinuousClock.now
        let result = try loadctl(["run", file, "--quiet", "--threads", "1"], in: fixture.directory)
        #expect(result.status == 1)
        #expect(result.output.contains("target unreachable: connection refused"))
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func aBadScenarioIsExitStatusTwoWithFileLineAndField() throws {
        let fixture = try DaemonFixture()
        let file = "\(fixture.directory)/bad.yaml"
        try write(
            "host: http://127.0.0.1:1\nusers: 2\nduration: soon\ntasks: [ { weight: 0, request: GET /a } ]\n", to: file)
        for command in [["validate", file], ["run", file]] {
            let result = try loadctl(command, in: fixture.directory)
            #expect(result.status == 2)
            #expect(result.output.contains("bad.yaml:3:11: duration:"))
            #expect(result.output.contains("bad.yaml:4:20: tasks[0].weight:"))
        }
        let good = try loadctl(["validate", "\(repositoryRoot)/examples/iot-metrics.yaml"], in: fixture.directory)
        #expect(good.status == 0, "\(good.output)")
    }

    @Test func openModelRunFromTheCommandLine() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let file = "\(fixture.directory)/rate.yaml"
        try write("host: \(target.host)\nduration: 2s\ntasks: [ { request: GET /Test/V2 } ]\n", to: file)
        let result = try loadctl(
            ["run", file, "--rate", "200", "--json", "--quiet", "--threads", "1"], in: fixture.directory)
        #expect(result.status == 0, "\(result.output)")
        let jsonStart = try #require(result.output.firstIndex(of: "{"))
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(result.output[jsonStart...].utf8))
        #expect(summary.openModel?.targetRate == 200)
        #expect(abs(summary.total.rps - 200) < 20)
    }

    @Test func demoRunsAgainstTheBuiltInTargetAndPasses() throws {
        let fixture = try DaemonFixture()
        let report = "\(fixture.directory)/demo.html"
        let result = try loadctl(
            ["demo", "--duration", "3s", "--users", "10", "--threads", "1", "--html", report],
            in: fixture.directory)
        #expect(result.status == 0, "\(result.output)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        for name in ["/Test/V1", "/Test/V2", "/Test/V3", "/Test/V4", "Aggregated", "PASSED"] {
            #expect(result.output.contains(name))
            #expect(html.contains(name), "demo.html lacks \(name)")
        }
    }
}
