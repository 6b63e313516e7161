import Foundation
import Testing

/// `Tests/Fixtures/locust-2.47/`: what Locust 2.47 itself wrote, and the reader script tools' way.
private let locustFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/locust-2.47").path
private let python3 = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : nil

/// `loadctl run --csv` against the built-in target, read as tools made for Locust's CSVs read them.
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: python3 != nil, "python3 is not installed"))
struct LocustCSVRunTests {
    @Test func aRealRunsCSVFilesReadLikeLocust247sWithFailuresFirstAndLastSeen() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let file = "\(fixture.directory)/locust.yaml"
        try """
        name: locust-shape
        host: \(target.host)
        users: 2
        duration: 3s
        wait: { constant: 20ms }
        tasks:
          - { weight: 3, request: GET /Test/V1 }
          - { weight: 1, request: GET /no-such-page }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let prefix = "\(fixture.directory)/out"
        let child = try ChildProcess(
            DaemonBinaries.loadctl, ["run", file, "--quiet", "--threads", "1", "--csv", prefix],
            outputPath: "\(fixture.directory)/loadctl.log")
        let status = try #require(child.waitForExit(timeout: .seconds(60)), "loadctl run did not finish")
        #expect(status == 1, "\(child.output)")   // the 404s fail the run; the files are written all the same

        let reader = try ChildProcess(
            python3!, ["\(locustFixture)/read_like_locust_tools.py", locustFixture, prefix],
            outputPath: "\(fixture.directory)/reader.log")
        #expect(reader.waitForExit(timeout: .seconds(30)) == 0, "\(reader.output)")

        let failures = try String(contentsOfFile: prefix + "_failures.csv", encoding: .utf8)
            .components(separatedBy: "\r\n")
        #expect(failures[0] == "Method,Name,Error,Occurrences,First Seen,Last Seen")
        let row = failures[1].split(separator: ",").map(String.init)
        #expect(row.count == 6 && row[1] == "/no-such-page", "\(failures)")
        let iso = #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/#
        #expect(
            row.count == 6 && row[4].wholeMatch(of: iso) != nil && row[5].wholeMatch(of: iso) != nil && row[4] <= row[5]
        )

        // Every second after the first request has every column filled; the cut-short last second is left out.
        let history = try String(contentsOfFile: prefix + "_stats_history.csv", encoding: .utf8)
            .components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
        #expect((2...3).contains(history.count), "\(history)")
        #expect(history.allSatisfy { !$0.contains("N/A") }, "\(history)")
        #expect(
            try String(contentsOfFile: prefix + "_exceptions.csv", encoding: .utf8)
                == "Count,Message,Traceback,Nodes\r\n")
    }
}
