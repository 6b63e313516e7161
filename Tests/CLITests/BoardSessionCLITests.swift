import Foundation
import Protocol
import Testing

/// `examples/board-session.yaml` as a user runs it: real `loadctl` binaries, the real target process.
@Suite(.serialized, .timeLimit(.minutes(3))) struct BoardSessionCLITests {
    private let example =
        URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        + "/examples/board-session.yaml"

    private func loadctl(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            DaemonBinaries.loadctl, arguments, outputPath: "\(directory)/loadctl-\(UUID().uuidString).log")
        guard let status = child.waitForExit(timeout: .seconds(60)) else {
            throw DaemonTestError("loadctl \(arguments) did not finish: \(child.output)")
        }
        return (status, child.output)
    }

    @Test func theBoardSessionExampleValidatesAndPassesAgainstLoadctlTarget() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let validated = try loadctl(["validate", example], in: fixture.directory)
        #expect(validated.status == 0, "\(validated.output)")

        let run = try loadctl(
            [
                "run", example, "--host", target.host, "--duration", "2s", "--json", "--quiet",
                "--threads", "1",
            ], in: fixture.directory)
        #expect(run.status == 0, "\(run.output)")
        let jsonStart = try #require(run.output.firstIndex(of: "{"))
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(run.output[jsonStart...].utf8))
        #expect(summary.passed && summary.total.failures == 0)
        #expect(summary.endpoints.first { $0.name == "login" }?.requests == 8)
    }

    @Test func moreUsersThanAccountsIsRefusedBeforeTheRunStarts() throws {
        let fixture = try DaemonFixture()
        let refused = try loadctl(
            ["run", example, "--host", "http://127.0.0.1:1", "--users", "9", "--quiet"],
            in: fixture.directory)
        #expect(refused.status == 2)
        #expect(
            refused.output.contains(
                "data mode unique gives each user its own row: 9 users need 9 rows, "
                    + "the data file has 8 rows"), "\(refused.output)")
    }
}
