import Foundation
import Protocol
import TestSupport
import Testing

/// Every `loadctl` command family exits with the README's codes, with the real binaries:
/// 0 passed, 1 test failed, 2 usage or scenario error (argument-parser's own included),
/// 3 daemon unreachable, 4 refused by the daemon, with a one-line reason.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ExitCodeTests {
    private func loadctl(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            DaemonBinaries.loadctl, arguments, outputPath: "\(directory)/\(UUID().uuidString).log")
        guard let status = child.waitForExit(timeout: .seconds(30)) else {
            throw DaemonTestError("loadctl \(arguments) did not finish: \(child.output)")
        }
        return (status, child.output)
    }

    private func scenario(_ host: String, path: String, thresholds: String?) -> String {
        """
        name: exit-codes
        host: \(host)
        users: 1
        spawn_rate: 10
        duration: 1s
        wait: { constant: 20ms }
        tasks:
          - request: GET \(path)
        \(thresholds.map { "thresholds: [ \"\($0)\" ]" } ?? "")
        """
    }

    @Test func runExitsZeroPassedOneFailedTwoForUsageAndScenarioErrors() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let dir = fixture.directory
        try scenario(target.host, path: "/Test/V1", thresholds: "failures == 0").write(
            toFile: "\(dir)/ok.yaml", atomically: true, encoding: .utf8)
        try scenario(target.host, path: "/no/such/page", thresholds: nil).write(
            toFile: "\(dir)/404.yaml", atomically: true, encoding: .utf8)
        try scenario(target.host, path: "/no/such/page", thresholds: "failure_rate <= 100%")
            .write(toFile: "\(dir)/accepted.yaml", atomically: true, encoding: .utf8)
        try "users: many\n".write(toFile: "\(dir)/bad.yaml", atomically: true, encoding: .utf8)

        let passed = try loadctl(["run", "\(dir)/ok.yaml", "--quiet", "--threads", "1"], in: dir)
        #expect(passed.status == 0, "\(passed.output)")
        // Failures and no thresholds fail the run, as Locust's exit status does.
        let failed = try loadctl(["run", "\(dir)/404.yaml", "--threads", "1"], in: dir)
        #expect(failed.status == 1, "\(failed.output)")
        #expect(
            failed.output.contains("requests failed and no threshold says which failures are acceptable"),
            "\(failed.output)")
        #expect(failed.output.contains("\nFAILED\n"), "\(failed.output)")
        // A threshold that accepts the failures decides instead.
        let accepted = try loadctl(["run", "\(dir)/accepted.yaml", "--quiet", "--threads", "1"], in: dir)
        #expect(accepted.status == 0, "\(accepted.output)")
        let badScenario = try loadctl(["run", "\(dir)/bad.yaml"], in: dir)
        #expect(badScenario.status == 2, "\(badScenario.output)")
        let missingArgument = try loadctl(["run"], in: dir)
        #expect(missingArgument.status == 2, "\(missingArgument.output)")
        #expect(missingArgument.output.contains("Usage"), "\(missingArgument.output)")
        let unknownOption = try loadctl(["run", "\(dir)/ok.yaml", "--no-such-option"], in: dir)
        #expect(unknownOption.status == 2, "\(unknownOption.output)")
        let unknownCommand = try loadctl(["no-such-command"], in: dir)
        #expect(unknownCommand.status == 2, "\(unknownCommand.output)")
        for help in [["--help"], ["run", "--help"], ["help", "runs"]] {
            let answer = try loadctl(help, in: dir)
            #expect(answer.status == 0, "\(help): \(answer.output)")
            #expect(answer.output.contains("USAGE"), "\(help): \(answer.output)")
        }
    }

    @Test func validateExitsZeroForAGoodScenarioAndTwoForABadOneOrBadUsage() throws {
        let fixture = try DaemonFixture()
        let dir = fixture.directory
        try "host: http://127.0.0.1:1\nusers: 1\ntasks: [ { request: GET / } ]\n"
            .write(toFile: "\(dir)/ok.yaml", atomically: true, encoding: .utf8)
        try "users: many\n".write(toFile: "\(dir)/bad.yaml", atomically: true, encoding: .utf8)
        #expect(try loadctl(["validate", "\(dir)/ok.yaml"], in: dir).status == 0)
        let bad = try loadctl(["validate", "\(dir)/bad.yaml"], in: dir)
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.output.contains("bad.yaml:1:"), "\(bad.output)")
        let usage = try loadctl(["validate"], in: dir)
        #expect(usage.status == 2, "\(usage.output)")
    }

    @Test func daemonCommandsExitThreeUnreachableTwoBadInputFourRefusedAndZeroDone() throws {
        let fixture = try DaemonFixture()
        let dir = fixture.directory
        for command in [["status"], ["stop"], ["runs"], ["runs", "prune"]] {
            let answer = try loadctl(command + ["--socket", fixture.socket], in: dir)
            #expect(answer.status == 3, "\(command): \(answer.output)")
        }
        try fixture.startDaemon()
        let target = try TargetProcess(directory: dir)
        #expect(try fixture.loadctl(["status"]).status == 0)
        // Nothing runs: the daemon answers 409, loadctl says refused and why, on one line, and exits 4.
        for command in [["stop"], ["users", "2"], ["rate", "5"], ["reset"]] {
            let answer = try fixture.loadctl(command)
            #expect(answer.status == 4, "\(command): \(answer.output)")
            let first = answer.output.split(separator: "\n").first.map(String.init) ?? ""
            #expect(
                first.hasPrefix("loadctl: refused: loadd: cannot ")
                    || first.hasPrefix("loadctl: refused: loadd: no run is going"),
                "\(command): \(answer.output)")
        }
        #expect(try fixture.loadctl(["users", "-1"]).status == 2)
        #expect(try fixture.loadctl(["report", "20000101-000000-0000"]).status == 2)
        #expect(try fixture.loadctl(["start", "\(dir)/missing.yaml"]).status == 2)
        #expect(try fixture.loadctl(["start", "--no-such-flag"]).status == 2)

        try target.scenario(users: 1).write(toFile: "\(dir)/long.yaml", atomically: true, encoding: .utf8)
        let started = try fixture.loadctl(["start", "\(dir)/long.yaml"])
        #expect(started.status == 0, "\(started.output)")
        let again = try fixture.loadctl(["start", "\(dir)/long.yaml"])
        #expect(again.status == 4, "\(again.output)")
        #expect(again.output.contains("loadctl: refused: loadd: run "), "\(again.output)")
        #expect(try fixture.loadctl(["users", "2"]).status == 0)
        #expect(try fixture.loadctl(["stop"]).status == 0)
        try eventually("the run's verdict") { try fixture.status().run?.state == .passed }
        #expect(try fixture.loadctl(["stop"]).status == 4)
    }
}
