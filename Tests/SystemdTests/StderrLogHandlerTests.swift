import Logging
import Testing

@testable import SystemdSupport

@Suite struct StderrLogHandlerTests {
    private func line(_ message: Logger.Message, level: Logger.Level = .info, metadata: Logger.Metadata = [:]) -> String
    {
        let event = LogEvent(
            level: level, message: message, metadata: nil, source: nil, file: "f.swift", function: "f()", line: 1)
        return StderrLogHandler.format(event: event, label: "loadd", metadata: metadata, time: "T")
    }

    @Test func aRecordIsTimeLevelLabelAndMessage() {
        #expect(line("listening", level: .notice) == "T notice loadd: listening")
    }

    @Test func metadataFollowsAsSortedKeyValuePairs() {
        #expect(
            line("run started", metadata: ["users": "200", "loadd_run_id": "r-42"])
                == "T info loadd: run started loadd_run_id=r-42 users=200")
    }

    @Test func valuesThatWouldSplitBadlyAreQuoted() {
        #expect(line("x", metadata: ["reason": "p95 > 150ms"]) == #"T info loadd: x reason="p95 > 150ms""#)
        #expect(line("x", metadata: ["q": #"a"b"#]) == #"T info loadd: x q="a\"b""#)
        #expect(line("x", metadata: ["eq": "a=b"]) == #"T info loadd: x eq="a=b""#)
        #expect(line("x", metadata: ["empty": ""]) == #"T info loadd: x empty="""#)
        #expect(line("x", metadata: ["nl": "a\nb"]) == #"T info loadd: x nl="a\nb""#)
    }

    @Test func aMultiLineMessageStaysOnOneLine() {
        #expect(line("first\nsecond") == #"T info loadd: first\nsecond"#)
    }

    @Test func nestedMetadataIsFlattenedLikeTheJournalFields() {
        #expect(line("x", metadata: ["http": ["status": "503"]]) == "T info loadd: x http_status=503")
    }

    @Test func timestampsAreUTCWithMilliseconds() throws {
        let stamp = StderrLogHandler.now()
        let regex = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#)
        #expect(stamp.wholeMatch(of: regex) != nil, "\(stamp)")
    }
}
