import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// `Tests/Fixtures/hostile/*.yaml`: scenarios written to break a loader or a daemon. Each file's
/// first line is `# expect: <substring>` (validate exits 2 and prints it) or `# expect: ok`.
enum HostileCorpus {
    struct Entry: CustomStringConvertible, Sendable {
        var path: String
        /// `nil` when the file is expected to validate.
        var expected: String?
        var description: String { (path as NSString).lastPathComponent }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile").path

    static let entries: [Entry] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            let path = "\(folder)/\(name)"
            guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? handle.close() }
            let head = String(decoding: (try? handle.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
            let first = head.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            guard first.hasPrefix("# expect:") else { return nil }
            let expected = first.dropFirst("# expect:".count).trimmingCharacters(in: .whitespaces)
            return Entry(path: path, expected: expected == "ok" ? nil : expected)
        }
    }()

    static var isPresent: Bool { !entries.isEmpty }
}

extension DaemonTests {
    @Suite(.enabled(if: HostileCorpus.isPresent, "no Tests/Fixtures/hostile/*.yaml with an `# expect:` line"))
    struct HostileScenarios {
        @Test(arguments: HostileCorpus.entries)
        func validateRefusesOrAcceptsAsTheFileExpects(_ entry: HostileCorpus.Entry) throws {
            let log = NSTemporaryDirectory() + "validate-\(UUID().uuidString).log"
            defer { unlink(log) }
            let child = try ChildProcess(DaemonBinaries.loadctl, ["validate", entry.path], outputPath: log)
            let status = try #require(
                child.waitForExit(timeout: .seconds(60)), "validate did not finish: \(child.output)")
            if let expected = entry.expected {
                #expect(status == 2, "\(child.output)")
                #expect(child.output.contains(expected), "wanted '\(expected)' in: \(child.output)")
            } else {
                #expect(status == 0, "\(child.output)")
            }
        }

        /// One daemon for the whole corpus, in a network namespace with only loopback so that no
        /// hostile `host:` reaches beyond the machine; status is polled throughout.
        @Test(.enabled(if: HostTools.canIsolateNetwork, "needs root, unshare and ip for a loopback-only namespace"))
        func theDaemonRefusesClearlyOrRunsEachFileAndKeepsAnswering() throws {
            let fixture = try DaemonFixture()
            var env = ProcessInfo.processInfo.environment
            env["LOADD_LOG"] = "stderr"
            let daemon = try ChildProcess(
                "/usr/bin/unshare",
                [
                    "-n", "/bin/sh", "-c", "ip link set lo up && exec \"$0\" \"$@\"", DaemonBinaries.loadd,
                    "--socket", fixture.socket, "--state-dir", fixture.stateDir, "--threads", "1",
                ],
                environment: env, outputPath: "\(fixture.directory)/loadd.log")
            try eventually("loadd to serve in its namespace") {
                guard daemon.process.isRunning else { throw DaemonTestError("loadd exited: \(daemon.output)") }
                return (try? fixture.get("/v1/status").status) == 200
            }
            let probe = StatusProbe(socket: fixture.socket)
            var problems: [String] = []
            for entry in HostileCorpus.entries {
                // Through loadctl: the client reads the data files and compiles first.
                let viaCLI = try fixture.loadctl(["start", entry.path, "--duration", "2s"], timeout: .seconds(90))
                problems += try Self.judge("\(entry) via loadctl", exit: viaCLI.status, output: viaCLI.output, fixture)
                // Raw, as any socket client could send it: the daemon compiles it itself.
                // A JSON body carries text only: invalid UTF-8 arrives as U+FFFD, NUL bytes as they are.
                let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: entry.path)), as: UTF8.self)
                let raw = try fixture.startRaw(
                    StartRunRequest(
                        scenario: text, file: entry.path,
                        overrides: RunOverrides(duration: "2s")))
                let rawExit: Int32 = raw.status == 201 ? 0 : (400..<500).contains(raw.status) ? 2 : 1
                problems += try Self.judge(
                    "\(entry) raw", exit: rawExit, output: "HTTP \(raw.status) \(raw.text)", fixture)
            }
            let seen = probe.finish()
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            #expect(seen.failures.isEmpty, "\(seen.failures)")
            #expect(seen.slowest < .seconds(1), "slowest status while the corpus ran: \(seen.slowest)")
            #expect(daemon.process.isRunning, "\(daemon.output)")
        }

        /// A refusal must be a clear 4xx (exit 2); a run that started is stopped and must end.
        static func judge(_ name: String, exit: Int32, output: String, _ fixture: DaemonFixture) throws -> [String] {
            switch exit {
            case 0:
                _ = try? fixture.post("/v1/runs/current/stop")
                try fixture.waitUntilIdle()
                return []
            case 2:
                let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
                if text.isEmpty { return ["\(name): refused without a reason"] }
                if text.contains("internal error") { return ["\(name): \(text)"] }
                return []
            default:
                return ["\(name): exit \(exit): \(output)"]
            }
        }
    }
}
