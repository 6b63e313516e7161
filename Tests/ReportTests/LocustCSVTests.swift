import Foundation
import Protocol
import Report
import Testing

private func lines(_ csv: String) -> [String] {
    csv.components(separatedBy: "\r\n")
}

@Test func headersMatchLocustExactly() {
    let summary = Fixture.summary()
    #expect(
        lines(LocustCSV.stats(summary))[0] == "Type,Name,Request Count,Failure Count,Median Response Time,"
            + "Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
            + "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%")
    #expect(
        lines(LocustCSV.history(summary))[0] == "Timestamp,User Count,Type,Name,Requests/s,Failures/s,"
            + "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,"
            + "Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,"
            + "Total Average Content Size")
    #expect(lines(LocustCSV.failures(summary))[0] == "Method,Name,Error,Occurrences,First Seen,Last Seen")
    #expect(lines(LocustCSV.exceptions(summary)) == ["Count,Message,Traceback,Nodes", ""])
}

@Test func rowsEndInCRLFLikePythonsCSVWriter() {
    let csv = LocustCSV.failures(Fixture.summary())
    #expect(csv.hasSuffix("\r\n"))
    #expect(!csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
}

@Test func statsRowsAreSortedThenAggregatedWithEmptyType() {
    let rows = lines(LocustCSV.stats(Fixture.summary()))
    #expect(rows.count == 6)   // header, three endpoints, Aggregated, and the empty string after the last CRLF
    #expect(rows[1] == "GET,/,2400,12,1,1.357,0.309,12.340,512.00,40.00,0.20,1,1,2,2,2,4,5,6,10,11,12")
    #expect(rows[2].hasPrefix("POST,/post/[id],600,0,46,"))
    #expect(rows[3].hasPrefix("GET,\"/search?q=a,b \"\"quoted\"\"\",0,0,0,"))
    #expect(rows[3].hasSuffix(",N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A"))
    #expect(rows[4].hasPrefix(",Aggregated,3000,12,2,"))
}

@Test func fieldsWithCommaQuoteOrNewlineAreQuotedMinimally() {
    var summary = Fixture.summary()
    summary.failuresByReason = [
        FailureCount(method: "GET", name: "/a,b", reason: "said \"no\"", count: 3),
        FailureCount(method: "GET", name: "/plain", reason: "line1\nline2", count: 1),
    ]
    let rows = lines(LocustCSV.failures(summary))
    #expect(rows[1] == "GET,\"/a,b\",\"said \"\"no\"\"\",3,,")
    #expect(rows[2] == "GET,/plain,\"line1\nline2\",1,,")
}

@Test func historyIsChronologicalWithRunningTotals() {
    let rows = lines(LocustCSV.history(Fixture.summary())).dropFirst().filter { !$0.isEmpty }.map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    #expect(rows.map { $0[0] } == ["1700000000", "1700000001", "1700000002"])
    #expect(rows.map { $0[1] } == ["50", "100", "200"])
    #expect(rows.allSatisfy { $0[2] == "" && $0[3] == "Aggregated" })
    #expect(rows[0][4] == "10.000000" && rows[0][5] == "1.000000")
    // 50% 66% 75% 80% 90% 95% 98% 99% 99.9% 99.99% 100%
    #expect(Array(rows[1][6...16]) == ["2", "N/A", "N/A", "N/A", "N/A", "6", "N/A", "9", "N/A", "N/A", "12"])
    #expect(rows[2][6...16].allSatisfy { $0 == "N/A" })   // a second without requests has no percentiles
    #expect(rows.map { $0[17] } == ["10", "50", "50"])
    #expect(rows.map { $0[18] } == ["1", "1", "1"])
    #expect(rows[1][19] == "N/A")
    #expect(rows[1][20] == "2.800")   // (10 × 2 + 40 × 3) / 50
    #expect(rows[1][21] == "N/A")
    #expect(rows.map { $0[22] } == ["20.000", "20.000", "20.000"])
    #expect(rows[1][23] == "N/A")
    #expect(rows.allSatisfy { $0.count == LocustCSV.historyHeader.count })
}

@Test func writeCreatesLocustsFourFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "report-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let summary = Fixture.summary()
    let prefix = dir.appendingPathComponent("run").path
    try LocustCSV.write(summary, prefix: prefix)
    #expect(try String(contentsOfFile: prefix + "_stats.csv", encoding: .utf8) == LocustCSV.stats(summary))
    #expect(try String(contentsOfFile: prefix + "_stats_history.csv", encoding: .utf8) == LocustCSV.history(summary))
    #expect(try String(contentsOfFile: prefix + "_failures.csv", encoding: .utf8) == LocustCSV.failures(summary))
    #expect(
        try String(contentsOfFile: prefix + "_exceptions.csv", encoding: .utf8) == "Count,Message,Traceback,Nodes\r\n")
}

@Test func writeToAMissingDirectoryNamesThePath() {
    let prefix = "/nonexistent-loadd-dir/run"
    let error = #expect(throws: ReportError.self) { try LocustCSV.write(Fixture.summary(), prefix: prefix) }
    #expect(error?.path == prefix + "_stats.csv")
    #expect(error?.description == "cannot write \(prefix)_stats.csv: No such file or directory")
}
