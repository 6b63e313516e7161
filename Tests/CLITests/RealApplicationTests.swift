import Foundation
import Protocol
import TestSupport
import Testing

/// The checkout this test file lives in (Tests/CLITests/ is two levels down).
private let checkout = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Real binaries for the transport part of "real applications": HAR import, a CA file that travels
/// to the daemon with `loadctl start`, and the demo over HTTP/2.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RealApplicationTests {
    private func loadctl(
        _ arguments: [String], in directory: String,
        timeout: Duration = .seconds(60)
    ) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            DaemonBinaries.loadctl, arguments, outputPath: "\(directory)/loadctl-\(UUID().uuidString).log")
        guard let status = child.waitForExit(timeout: timeout) else {
            throw DaemonTestError("loadctl \(arguments) did not finish: \(child.output)")
        }
        return (status, child.output)
    }

    /// `loadctl convert HAR`: its standard output alone (the notes go to standard error).
    private func convert(_ har: String, into file: String) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonBinaries.loadctl)
        process.arguments = ["convert", har]
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func aConvertedRecordingValidatesAsItIsAndRunsAgainstTheTarget() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let scenario = "\(fixture.directory)/shop.yaml"
        let converted = try convert("\(checkout)/Tests/Fixtures/har/shop-session.har", into: scenario)
        #expect(converted.status == 0, "\(converted.errors)")
        #expect(converted.errors.contains("static assets"), "\(converted.errors)")
        let validated = try loadctl(["validate", scenario], in: fixture.directory)
        let written = (try? String(contentsOfFile: scenario, encoding: .utf8)) ?? ""
        #expect(validated.status == 0, "\(validated.output)\n\(written)")
        #expect(validated.output.contains("4 endpoints"), "\(validated.output)")
        let run = try loadctl(
            [
                "run", scenario, "--host", target.host, "--users", "2", "--duration", "2s",
                "--json", "--quiet", "--threads", "1",
            ], in: fixture.directory)
        #expect(run.status == 0, "\(run.output)")
        let summary = try JSONDecoder().decode(
            RunSummary.self, from: Data(run.output.utf8[run.output.utf8.firstIndex(of: UInt8(ascii: "{"))!...]))
        #expect(summary.total.requests >= 8 && summary.total.failures == 0, "\(run.output)")
        #expect(Set(summary.endpoints.map(\.name)).isSuperset(of: ["/Test/V1", "/login", "/metrics"]))

        let bad = "\(fixture.directory)/bad.har"
        try #"{"log": {"entries": [{"startedDateTime": 7}]}}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try convert(bad, into: "\(fixture.directory)/bad.yaml")
        #expect(refused.status == 2)
        #expect(
            refused.errors.contains("log.entries[0].startedDateTime: expected a string, got a number"),
            "\(refused.errors)")
    }

    @Test(.enabled(if: TestCA.available, "needs the openssl command"))
    func startSendsTheCAFileToTheDaemonAndTheRunVerifiesTheTargetWithIt() throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let fixture = try DaemonFixture()
        let port = try freeLoopbackPort()
        let target = try ChildProcess(
            DaemonBinaries.loadctl,
            ["target", "--listen", "127.0.0.1:\(port)", "--tls-cert", ca.serverCert, "--tls-key", ca.serverKey],
            outputPath: "\(fixture.directory)/tls-target.log")
        defer { target.signal(SIGTERM); _ = target.waitForExit() }
        try eventually("the TLS target to listen on \(port)") { canConnect(port: port) }
        try fixture.startDaemon()
        // The scenario and its CA sit in the CA's folder; the daemon reads neither path itself.
        let file = "\(ca.directory)/tls.yaml"
        try """
        name: tls-bundle
        host: https://127.0.0.1:\(port)
        users: 2
        spawn_rate: 20
        wait: { constant: 10ms }
        tls: { ca_file: ca.pem }
        tasks: [ { request: GET /Test/V1 } ]
        thresholds: [ "failures == 0" ]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try fixture.loadctl(["start", file, "--duration", "1s", "--wait"])
        #expect(run.status == 0, "\(run.output)\n\(target.output)")
        #expect(run.output.contains("PASSED"), "\(run.output)")

        // Without the CA the same target fails with libcurl's words, not a bare "TLS error".
        try String(
            try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
                of: "tls: { ca_file: ca.pem }\n", with: "")
        )
        .write(toFile: file, atomically: true, encoding: .utf8)
        let untrusted = try fixture.loadctl(["start", file, "--duration", "1s", "--wait"])
        #expect(untrusted.status == 1, "\(untrusted.output)")
        #expect(untrusted.output.contains("SSL certificate problem"), "\(untrusted.output)")

        // A CA file that is not there is named with its line and column, before anything is sent.
        try """
        host: https://127.0.0.1:\(port)
        tls:
          ca_file: nowhere.pem
        tasks: [ { request: GET / } ]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let missing = try fixture.loadctl(["start", file])
        #expect(missing.status == 2)
        #expect(
            missing.output.contains("tls.yaml:3:12") && missing.output.contains("nowhere.pem: it does not exist"),
            "\(missing.output)")
    }

    @Test(.enabled(if: TestCA.available, "needs the openssl command"))
    func aFleetsWorkersVerifyTheTargetWithTheCAFileTheMasterForwards() throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let fleet = try FleetCluster()
        let port = try freeLoopbackPort()
        let target = try ChildProcess(
            DaemonBinaries.loadctl,
            ["target", "--listen", "127.0.0.1:\(port)", "--tls-cert", ca.serverCert, "--tls-key", ca.serverKey],
            outputPath: "\(fleet.master.directory)/tls-target.log")
        defer { target.signal(SIGTERM); _ = target.waitForExit() }
        try eventually("the TLS target to listen on \(port)") { canConnect(port: port) }
        try fleet.addWorker("w1")
        try fleet.waitForWorkers(["w1"])
        let file = "\(ca.directory)/fleet-tls.yaml"
        try """
        name: fleet-tls
        host: https://127.0.0.1:\(port)
        users: 2
        spawn_rate: 20
        wait: { constant: 10ms }
        http: 2
        tls: { ca_file: ca.pem }
        tasks: [ { request: GET /Test/V1 } ]
        thresholds: [ "failures == 0" ]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try fleet.master.loadctl(["start", file, "--duration", "2s", "--wait", "--json"])
        #expect(run.status == 0, "\(run.output)")
        let summary = try JSONDecoder().decode(
            RunSummary.self, from: Data(run.output.utf8[run.output.utf8.firstIndex(of: UInt8(ascii: "{"))!...]))
        let id = try #require(summary.run)
        let own = try finishedSummary(id, on: fleet.worker("w1"))
        #expect(
            own.total.requests > 0 && own.total.failures == 0,
            "the worker ran the users over TLS: \(own.failuresByReason)")
    }

    @Test func theDemoRunsOverHTTP2WhenAsked() throws {
        let fixture = try DaemonFixture()
        let demo = try loadctl(
            ["demo", "--http2", "--duration", "2s", "--users", "4", "--threads", "1"], in: fixture.directory)
        #expect(demo.status == 0, "\(demo.output)")
        #expect(demo.output.contains("over HTTP/2 on"), "\(demo.output)")
        #expect(!demo.output.contains("answered 0 requests"), "\(demo.output)")
    }
}
