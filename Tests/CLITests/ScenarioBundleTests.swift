import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// The daemon reads no path a client names: `loadctl start` sends the data files with the
    /// scenario, and `--remote-files` reads only under `data_dir:`.
    @Suite struct ScenarioBundles {
        static let secret = "s3cret-first-line-must-not-leak"

        static func scenario(host: String, csv: String) -> String {
            """
            name: bundle
            host: \(host)
            users: 2
            spawn_rate: 20
            wait: { constant: 10ms }
            data: { csv: \(csv) }
            tasks:
              - request: GET /Test/V1?u={{data.user}}
            """
        }

        @Test(.enabled(if: HostTools.canDropPrivileges, "needs root and setpriv to run loadd as nobody"))
        func loadctlSendsADataFileOnlyTheClientCanRead() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            // The daemon runs as nobody; the CSV sits in a folder only root may enter.
            chmod(fixture.directory, 0o755)
            let state = fixture.stateDir
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            chown(state, 65534, 65534)
            let sockets = "\(fixture.directory)/sock"
            try FileManager.default.createDirectory(atPath: sockets, withIntermediateDirectories: true)
            chown(sockets, 65534, 65534)
            let socket = "\(sockets)/loadd.sock"
            let privateFolder = "\(fixture.directory)/private"
            try FileManager.default.createDirectory(atPath: privateFolder, withIntermediateDirectories: true)
            chmod(privateFolder, 0o700)
            try "user\nalice\nbob\n".write(toFile: "\(privateFolder)/users.csv", atomically: true, encoding: .utf8)
            let file = "\(privateFolder)/scenario.yaml"
            try Self.scenario(host: target.host, csv: "users.csv").write(
                toFile: file, atomically: true, encoding: .utf8)

            var env = ProcessInfo.processInfo.environment
            env["LOADD_LOG"] = "stderr"
            let daemon = try ChildProcess(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", DaemonBinaries.loadd,
                    "--socket", socket, "--state-dir", state, "--threads", "1",
                ],
                environment: env, outputPath: "\(fixture.directory)/nobody.log")
            try eventually("loadd (as nobody) to serve") {
                guard daemon.process.isRunning else { throw DaemonTestError("loadd exited: \(daemon.output)") }
                return (try? DaemonHTTP.request(socket, "GET", "/v1/status").status) == 200
            }
            let ctl = try ChildProcess(
                DaemonBinaries.loadctl, ["start", file, "--duration", "1s", "--wait", "--socket", socket],
                outputPath: "\(fixture.directory)/ctl.log")
            let status = ctl.waitForExit(timeout: .seconds(30))
            #expect(status == 0, "\(ctl.output)\n\(daemon.output)")
            #expect(ctl.output.contains("PASSED"), "\(ctl.output)")
        }

        @Test func aRawStartNamingAnAbsolutePathIsRefusedWithoutItsContents() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let secretFile = "\(fixture.directory)/secret.csv"
            try "\(Self.secret),x\n1,2\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
            let reply = try fixture.startRaw(
                StartRunRequest(
                    scenario: Self.scenario(host: "http://127.0.0.1:1", csv: secretFile),
                    file: "\(fixture.directory)/s.yaml"))
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.text.contains("was not sent with the scenario"), "\(reply.text)")
            #expect(!reply.text.contains(Self.secret))
            // Even with --remote-files, a path outside data_dir is refused by name.
            let remote = try fixture.startRaw(
                StartRunRequest(
                    scenario: Self.scenario(host: "http://127.0.0.1:1", csv: secretFile), file: "s.yaml",
                    remoteFiles: true))
            #expect(remote.status == 400, "\(remote.text)")
            #expect(
                remote.text.contains("outside the data directory") || remote.text.contains("does not exist"),
                "\(remote.text)")
            #expect(!remote.text.contains(Self.secret))
            let climbing = try fixture.startRaw(
                StartRunRequest(
                    scenario: Self.scenario(host: "http://127.0.0.1:1", csv: "../secret.csv"), file: "s.yaml",
                    remoteFiles: true))
            #expect(climbing.status == 400, "\(climbing.text)")
            #expect(climbing.text.contains("'..'"), "\(climbing.text)")
            #expect(try fixture.get("/v1/status").status == 200)
        }

        @Test func remoteFilesAreReadFromTheDataDirectory() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let dataDir = "\(fixture.directory)/data"
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
            try "user\nalice\n".write(toFile: "\(dataDir)/users.csv", atomically: true, encoding: .utf8)
            try fixture.startDaemon(fixture.config("data_dir: \(dataDir)\n"))
            // The scenario lives elsewhere and names the file relative to data_dir.
            let file = "\(fixture.directory)/elsewhere.yaml"
            try Self.scenario(host: target.host, csv: "users.csv").write(
                toFile: file, atomically: true, encoding: .utf8)
            let run = try fixture.loadctl(["start", file, "--remote-files", "--duration", "1s", "--wait"])
            #expect(run.status == 0, "\(run.output)")
            // Without the flag, loadctl reads from the scenario's folder, where there is no such file.
            let local = try fixture.loadctl(["start", file, "--duration", "1s"])
            #expect(local.status == 2, "\(local.output)")
            #expect(local.output.contains("users.csv: it does not exist"), "\(local.output)")
        }

        @Test func unreadableDataFilesGetPlainMessagesAndNeverTheirContents() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let fifo = "\(fixture.directory)/pipe.csv"
            #expect(mkfifo(fifo, 0o600) == 0)
            let big = "\(fixture.directory)/big.csv"
            #expect(FileManager.default.createFile(atPath: big, contents: nil))
            #expect(truncate(big, off_t(ControlAPI.maxBundleBytes + 1)) == 0)
            let cases: [(csv: String, phrase: String)] = [
                (fifo, "is a FIFO"), ("/dev/zero", "is a device"), (fixture.directory, "is a directory"),
                ("\(fixture.directory)/missing.csv", "does not exist"), (big, "more than the"),
            ]
            for (csv, phrase) in cases {
                let file = "\(fixture.directory)/case.yaml"
                try Self.scenario(host: "http://127.0.0.1:1", csv: csv).write(
                    toFile: file, atomically: true, encoding: .utf8)
                let started = ContinuousClock.now
                let result = try fixture.loadctl(["start", file], timeout: .seconds(20))
                #expect(result.status == 2, "\(csv): \(result.output)")
                #expect(result.output.contains(phrase), "\(csv): \(result.output)")
                #expect(!result.output.contains("NSCocoaErrorDomain"), "\(result.output)")
                #expect(started.duration(to: .now) < .seconds(10), "\(csv) took too long")
            }
            // The scenario itself as a FIFO: refused by its type, not waited on.
            for command in ["start", "validate"] {
                let log = "\(fixture.directory)/\(command)-fifo.log"
                let arguments = command == "start" ? [command, fifo, "--socket", fixture.socket] : [command, fifo]
                let child = try ChildProcess(DaemonBinaries.loadctl, arguments, outputPath: log)
                #expect(child.waitForExit(timeout: .seconds(10)) == 2, "\(command): \(child.output)")
                #expect(child.output.contains("it is a FIFO"), "\(command): \(child.output)")
            }
            // A bundle over the cap sent by hand is refused by the daemon as well.
            let oversized = StartRunRequest(
                scenario: Self.scenario(host: "http://127.0.0.1:1", csv: "a.csv"), file: "s.yaml",
                files: ["a.csv": Data(count: ControlAPI.maxBundleBytes + 1)])
            let reply = try fixture.startRaw(oversized)
            #expect(reply.status == 413, "\(reply.status) \(reply.text)")
            #expect(try fixture.get("/v1/status").status == 200)
        }
    }
}
