import Foundation
import TestSupport
import Testing

/// User-facing paths of `loadctl` outside a run: a daemon that is not there, and the target's knobs.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LoadctlEdgeTests {
    private func run(
        _ executable: String, _ arguments: [String], in directory: String
    ) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments, outputPath: "\(directory)/\(UUID().uuidString).log")
        guard let status = child.waitForExit(timeout: .seconds(20)) else {
            throw DaemonTestError("\(arguments) did not finish: \(child.output)")
        }
        return (status, child.output)
    }

    @Test func daemonCommandsSayWhatToDoWhenNoDaemonListens() throws {
        let fixture = try DaemonFixture()
        let result = try run(DaemonBinaries.loadctl, ["status", "--socket", fixture.socket], in: fixture.directory)
        #expect(result.status == 3)
        #expect(result.output.contains("cannot reach loadd at \(fixture.socket): no such socket"))
        #expect(result.output.contains("systemctl status loadd"))
    }

    /// `start` reads the scenario as `run` and `validate` do: a byte a scenario cannot hold is refused,
    /// located by line and column, before the daemon is contacted.
    @Test(arguments: ["start", "run", "validate"])
    func aBadByteInTheScenarioIsLocatedByEveryCommandThatReadsIt(command: String) throws {
        let fixture = try DaemonFixture()
        let file = "\(fixture.directory)/bad.yaml"
        try Data(
            "name: x\nhost: http://127.0.0.1:1\ntasks: [ { request: GET /\u{FF} } ]\n".utf8.map {
                $0 == 0xC3 ? 0xFF : $0
            }
        )
        .write(to: URL(fileURLWithPath: file))
        let arguments = command == "start" ? [command, file, "--socket", fixture.socket] : [command, file]
        let result = try run(DaemonBinaries.loadctl, arguments, in: fixture.directory)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("\(file):3:"), "\(result.output)")
        #expect(result.output.contains("invalid UTF-8"), "\(result.output)")
    }

    @Test func targetKnobsFromTheCommandLineShapeItsAnswers() throws {
        let fixture = try DaemonFixture()
        let port = try freeLoopbackPort()
        let target = try ChildProcess(
            DaemonBinaries.loadctl,
            [
                "target", "--listen", "127.0.0.1:\(port)", "--error-fraction", "0.5",
                "--error-status", "503", "--delay", "5ms",
            ],
            outputPath: "\(fixture.directory)/target.log")
        try eventually("the target to listen") { canConnect(port: port) }
        var codes: [String] = []
        for _ in 0..<2 {
            let reply = try run(
                "/usr/bin/curl",
                [
                    "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:\(port)/Test/V2",
                ], in: fixture.directory)
            codes.append(reply.output)
        }
        // Fractions are exact by count: with 0.5, every second request fails.
        #expect(codes == ["200", "503"])
        let control = try run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/control"], in: fixture.directory)
        #expect(control.output.contains("\"error_status\":503"), "\(control.output)")
        target.signal(SIGTERM)
        #expect(target.waitForExit() == 0)

        let bad = try run(
            DaemonBinaries.loadctl, ["target", "--listen", "127.0.0.1:\(port)", "--slow-fraction", "2"],
            in: fixture.directory)
        #expect(bad.status != 0)
        #expect(bad.output.contains("shares between 0 and 1"))
    }
}
