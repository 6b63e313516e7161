import Glibc
import Logging
import Testing

@testable import SystemdSupport

@Suite struct LoggingSetupTests {
    private let stderrFile = FileIdentity(device: 25, inode: 4711)

    @Test func journalWhenJournalStreamNamesOurStderr() {
        #expect(LoggingSetup.choose(override: nil, journalStream: "25:4711", stderrIdentity: stderrFile) == .journal)
    }

    @Test func stderrWhenStderrWasRedirectedAwayFromTheJournal() {
        // A child of a systemd service inherits JOURNAL_STREAM even with its stderr sent to a file.
        #expect(LoggingSetup.choose(override: nil, journalStream: "25:9999", stderrIdentity: stderrFile) == .stderr)
        #expect(LoggingSetup.choose(override: nil, journalStream: "25:4711", stderrIdentity: nil) == .stderr)
    }

    @Test func stderrWithoutJournalStreamOrWhenItIsMalformed() {
        #expect(LoggingSetup.choose(override: nil, journalStream: nil, stderrIdentity: stderrFile) == .stderr)
        for bad in ["", "25", "25:", ":4711", "25:4711:1", "x:y"] {
            #expect(LoggingSetup.choose(override: nil, journalStream: bad, stderrIdentity: stderrFile) == .stderr)
        }
    }

    @Test func loaddLogForcesEitherBackend() {
        #expect(LoggingSetup.choose(override: "journal", journalStream: nil, stderrIdentity: nil) == .journal)
        #expect(
            LoggingSetup.choose(override: "stderr", journalStream: "25:4711", stderrIdentity: stderrFile) == .stderr)
        #expect(
            LoggingSetup.choose(override: "syslog", journalStream: "25:4711", stderrIdentity: stderrFile) == .journal)
    }

    @Test func stderrIdentityIsWhatFstatReports() throws {
        var info = stat()
        try #require(fstat(STDERR_FILENO, &info) == 0)
        let identity = try #require(LoggingSetup.fileIdentity(of: STDERR_FILENO))
        #expect(identity == FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
        #expect(FileIdentity(journalStream: "\(info.st_dev):\(info.st_ino)") == identity)
    }

    @Test func handlersCarryTheRequestedLevel() {
        #expect(LoggingSetup.makeHandler(label: "l", level: .debug, backend: .journal) is JournalLogHandler)
        #expect(LoggingSetup.makeHandler(label: "l", level: .debug, backend: .stderr) is StderrLogHandler)
        #expect(LoggingSetup.makeHandler(label: "l", level: .warning, backend: .stderr).logLevel == .warning)
    }
}
