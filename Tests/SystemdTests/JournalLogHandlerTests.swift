import Logging
import Synchronization
import Testing

@testable import SystemdSupport

/// The record → journal fields mapping, observed through the handler's sink.
@Suite struct JournalLogHandlerTests {
    /// Collects what the handler would have sent to journald, one `[KEY=value]` list per record.
    final class Recorder: Sendable {
        private let entries = Mutex<[[String]]>([])
        var all: [[String]] { entries.withLock { $0 } }

        func logger(label: String = "loadd.test", metadata: Logger.Metadata = [:]) -> Logger {
            var handler = JournalLogHandler(label: label, identifier: "loadd") { [self] fields in
                entries.withLock { $0.append(fields) }
            }
            handler.logLevel = .trace
            handler.metadata = metadata
            return Logger(label: label, factory: { _ in handler })
        }

        /// The single recorded entry as a dictionary; fails if a field repeats.
        func onlyEntry() throws -> [String: String] {
            let entry = try #require(all.count == 1 ? all.first : nil, "expected exactly one entry, got \(all.count)")
            var fields: [String: String] = [:]
            for assignment in entry {
                let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                try #require(parts.count == 2, "not KEY=value: \(assignment)")
                try #require(fields[String(parts[0])] == nil, "field \(parts[0]) repeats")
                fields[String(parts[0])] = String(parts[1])
            }
            return fields
        }
    }

    @Test func messagePriorityIdentifierAndCodeLocationAreSet() throws {
        let recorder = Recorder()
        let line = #line + 1
        recorder.logger().warning("p95 above threshold")
        let fields = try recorder.onlyEntry()
        #expect(fields["MESSAGE"] == "p95 above threshold")
        #expect(fields["PRIORITY"] == "4")
        #expect(fields["SYSLOG_IDENTIFIER"] == "loadd")
        #expect(fields["CODE_LINE"] == "\(line)")
        #expect(fields["CODE_FILE"]?.hasSuffix("JournalLogHandlerTests.swift") == true)
        #expect(fields["CODE_FUNC"] == #function)
    }

    @Test(arguments: [
        (Logger.Level.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"),
        (.warning, "4"), (.error, "3"), (.critical, "2"),
    ])
    func levelsMapToSyslogPriorities(level: Logger.Level, priority: String) throws {
        let recorder = Recorder()
        recorder.logger().log(level: level, "x")
        #expect(try recorder.onlyEntry()["PRIORITY"] == priority)
    }

    @Test func metadataKeysBecomeUpperCaseJournalFields() throws {
        let recorder = Recorder()
        recorder.logger(metadata: ["loadd_node": "n1"]).info(
            "run started", metadata: ["loadd_run_id": "r-42", "loadd_role": "master", "users": "200"])
        let fields = try recorder.onlyEntry()
        #expect(fields["LOADD_RUN_ID"] == "r-42")
        #expect(fields["LOADD_ROLE"] == "master")
        #expect(fields["LOADD_NODE"] == "n1")
        #expect(fields["USERS"] == "200")
    }

    @Test func theRecordsMetadataWinsOverTheHandlersAndTheProvidersValues() throws {
        let recorder = Recorder()
        var logger = recorder.logger(metadata: ["loadd_run_id": "handler"])
        logger.handler.metadataProvider = .init { ["loadd_run_id": "provider", "loadd_node": "provider"] }
        logger.info("x", metadata: ["loadd_run_id": "record"])
        let fields = try recorder.onlyEntry()
        #expect(fields["LOADD_RUN_ID"] == "record")
        #expect(fields["LOADD_NODE"] == "provider")
    }

    @Test(arguments: [
        ("loadd.run-id", "LOADD_RUN_ID"),
        ("_private", "PRIVATE"),   // a leading _ marks trusted fields only journald may set
        ("9lives", "LIVES"),   // journald rejects a leading digit
        ("Ünïcode key", "N_CODE_KEY"),   // non-ASCII letters become _
        ("message", "META_MESSAGE"),   // would collide with the record's own MESSAGE
        (String(repeating: "k", count: 80), String(repeating: "K", count: 64)),
    ])
    func keysAreSanitizedIntoValidFieldNames(key: String, field: String) throws {
        let recorder = Recorder()
        recorder.logger().info("x", metadata: [key: "v"])
        #expect(try recorder.onlyEntry()[field] == "v")
    }

    @Test func aKeyWithNothingUsableIsDropped() throws {
        let recorder = Recorder()
        recorder.logger().info("x", metadata: ["__": "v", "-": "w"])
        #expect(try recorder.onlyEntry().count == 6)
    }

    @Test func nestedMetadataBecomesOneFieldPerLeaf() throws {
        let recorder = Recorder()
        recorder.logger().info("x", metadata: ["http": ["status": "503", "method": "GET"], "tags": ["a", "b"]])
        let fields = try recorder.onlyEntry()
        #expect(fields["HTTP_STATUS"] == "503")
        #expect(fields["HTTP_METHOD"] == "GET")
        #expect(fields["TAGS"] == Logger.MetadataValue.array(["a", "b"]).description)
    }

    @Test func multiLineMessagesAreKeptWhole() throws {
        let recorder = Recorder()
        recorder.logger().error("first\nsecond")
        #expect(try recorder.onlyEntry()["MESSAGE"] == "first\nsecond")
    }
}
