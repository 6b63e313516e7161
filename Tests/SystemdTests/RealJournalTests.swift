import Foundation
import Glibc
import Logging
import SystemdSupport
import Testing

extension ProcessStateTests {
    /// `JournalLogHandler` against a real systemd-journald, end to end.
    ///
    /// libsystemd always writes to /run/systemd/journal/socket, so the journald must own that path in a
    /// private mount namespace: `scripts/test-journal.sh` sets that up and runs this test binary again,
    /// filtered to `emitEntriesForTheJournalTest`, which does the logging inside the namespace.
    @Suite struct RealJournalTests {
        @Test(.enabled(if: journalSandboxAvailable, "needs root, unshare, systemd-journald and journalctl"))
        func entriesReachARealJournaldWithTheirFields() throws {
            let runID = "r-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let (entries, log) = try runInJournalSandbox(
                testFilter: "emitEntriesForTheJournalTest", environment: [journalRunIDVariable: runID])
            let ours = entries.filter { $0["LOADD_RUN_ID"] as? String == runID }
            #expect(ours.count == 2, "journal entries: \(entries)\nhelper output:\n\(log)")
            let warning = try #require(ours.first { $0["PRIORITY"] as? String == "4" })
            #expect(warning["MESSAGE"] as? String == "sandbox warning")
            #expect(warning["SYSLOG_IDENTIFIER"] as? String == "loadd")
            #expect(warning["LOADD_ROLE"] as? String == "worker")
            #expect((warning["CODE_FILE"] as? String)?.hasSuffix("RealJournalTests.swift") == true)
            #expect(warning["_TRANSPORT"] as? String == "journal", "sent natively, not via stderr")
            let error = try #require(ours.first { $0["PRIORITY"] as? String == "3" })
            #expect(error["MESSAGE"] as? String == "two\nlines")
        }

        /// Runs only inside the sandbox, where `scripts/test-journal.sh` sets the run id variable.
        @Test(.enabled(if: ProcessInfo.processInfo.environment[journalRunIDVariable] != nil))
        func emitEntriesForTheJournalTest() throws {
            let runID = try #require(ProcessInfo.processInfo.environment[journalRunIDVariable])
            #expect(LoggingSetup.currentBackend() == .journal, "the script sets LOADD_LOG=journal")
            let logger = Logger(label: "loadd.test") { label in
                LoggingSetup.makeHandler(label: label, level: .info, backend: .journal)
            }
            logger.warning("sandbox warning", metadata: ["loadd_run_id": "\(runID)", "loadd_role": "worker"])
            logger.error("two\nlines", metadata: ["loadd_run_id": "\(runID)"])
            logger.debug("below the level", metadata: ["loadd_run_id": "\(runID)"])
        }
    }
}

/// Carries the run id into the helper; its presence is what enables the helper test.
private let journalRunIDVariable = "LOADD_JOURNAL_TEST_RUN_ID"

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private let journalSandboxAvailable: Bool = {
    let tools = ["/usr/bin/unshare", "/usr/bin/journalctl", "/usr/bin/timeout"]
    let journald = ["/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald"]
    return getuid() == 0 && tools.allSatisfy { access($0, X_OK) == 0 }
        && journald.contains { access($0, X_OK) == 0 }
        && access(repositoryRoot.appendingPathComponent("scripts/test-journal.sh").path, X_OK) == 0
}()

/// Runs this test binary, filtered to one test, under `scripts/test-journal.sh`, and returns the
/// journal entries the script printed plus the child's own output for failure messages.
private func runInJournalSandbox(
    testFilter: String, environment: [String: String]
) throws -> (entries: [[String: Any]], log: String) {
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let process = Process()
    process.executableURL = repositoryRoot.appendingPathComponent("scripts/test-journal.sh")
    process.arguments = ["-t", "120", "--", executable, "--testing-library", "swift-testing", "--filter", testFilter]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let output = Pipe()
    // The helper's chatter goes to a file: reading two pipes one after the other could deadlock.
    let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("loadd-journal-\(getpid()).log")
    _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: logURL) }
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: logURL)
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    try #require(process.terminationStatus == 0, "test-journal.sh exited \(process.terminationStatus):\n\(log)")
    let entries = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
    return (entries, log)
}
