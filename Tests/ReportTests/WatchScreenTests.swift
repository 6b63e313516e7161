import Protocol
import Testing

@testable import Report

/// `loadctl status --watch`'s frame: compact, fitted to the terminal, never a verdict mid-run.
@Suite struct WatchScreenTests {
    static func status(endpoints: Int, state: RunState = .running, passed: Bool = false) -> NodeStatus {
        var summary = Fixture.summary(passed: passed)
        summary.endpoints = (0..<endpoints).map { i in
            var row = Fixture.endpoint("GET", "/item/\(i)", requests: UInt64(100 + i), failures: 0, median: 2)
            row.currentRps = Double(i)
            return row
        }
        summary.recent = RecentWindow(
            seconds: 5, requestsPerS: 1812, failuresPerS: 0.4, medianMs: 3.1, p95Ms: 9, p99Ms: 14)
        let run = RunInfo(
            id: RunID(rawValue: "r-42"), scenario: "shop", host: "http://127.0.0.1:8080", state: state,
            startedAt: 1_700_000_000, endedAt: nil, users: 60, requests: 3000, failures: 12)
        var status = NodeStatus(
            node: NodeID(rawValue: "n1"), role: "standalone", version: "1", run: run, summary: summary,
            workers: nil, openFilesLimit: 1024, maxUsers: 900)
        status.summary?.users = 30
        return status
    }

    @Test func aBigTableIsCutToTheTerminalWithTheHeaderKept() {
        let lines = WatchScreen.render(Self.status(endpoints: 40), rows: 30, columns: 100)
        #expect(lines.count <= 29)
        #expect(lines.allSatisfy { $0.count <= 100 })
        #expect(lines[0].hasPrefix("RUNNING r-42"))
        #expect(lines[1].contains("users 30 live / 60 target"))
        #expect(lines[2].contains("now (last 5 s): 1812 req/s"))
        #expect(lines[2].contains("p99 14.0ms"))
        let more = lines.first { $0.contains("more") }
        #expect(more != nil)
        // The busiest endpoint now comes first: /item/39 at 39 req/s.
        let firstRow = lines.firstIndex { $0.contains("/item/") }.map { lines[$0] } ?? ""
        #expect(firstRow.contains("/item/39"))
        #expect(lines.last?.contains("Aggregated") == true)
        let shown = lines.filter { $0.contains("/item/") }.count
        #expect(more?.contains("… \(40 - shown) more") == true)
    }

    @Test func aSmallTableIsShownWhole() {
        let lines = WatchScreen.render(Self.status(endpoints: 3), rows: 30, columns: 100)
        #expect(lines.filter { $0.contains("/item/") }.count == 3)
        #expect(!lines.contains { $0.contains("more") })
    }

    @Test func midRunAFailingThresholdIsSoFarNotFailed() {
        let lines = WatchScreen.render(Self.status(endpoints: 3, passed: false), rows: 30, columns: 100)
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("FAILED"))
        #expect(text.contains("thresholds so far: 1 of 2 hold"))
    }

    @Test func aFinishedRunShowsItsVerdict() {
        let lines = WatchScreen.render(Self.status(endpoints: 3, state: .failed), rows: 30, columns: 100)
        #expect(lines.joined(separator: "\n").contains("verdict: FAILED"))
    }

    @Test func aNarrowTerminalCutsLinesInsteadOfWrapping() {
        let lines = WatchScreen.render(Self.status(endpoints: 5), rows: 12, columns: 40)
        #expect(lines.count <= 11)
        #expect(lines.allSatisfy { $0.count <= 40 })
        #expect(lines[0].hasPrefix("RUNNING"))
    }

    @Test func theScheduleLagP99AndTheGeneratorLimitedFlagAreInTheHeader() {
        var status = Self.status(endpoints: 3)
        status.summary?.total.lag = ScheduleLag(medianMs: 0.04, p99Ms: 0.21, maxMs: 1.5)
        let quiet = WatchScreen.render(status, rows: 30, columns: 120)
        #expect(quiet[1].contains("lag p99 0.21ms"), "\(quiet[1])")
        #expect(!quiet.contains { $0.contains("GENERATOR-LIMITED") })

        status.summary?.generator.scheduleLagLimited = "schedule lag p99 12.5 ms is above 5.0 ms\n(5 ms or a tenth …)"
        let limited = WatchScreen.render(status, rows: 30, columns: 120)
        let flag = limited.firstIndex {
            $0.hasPrefix("GENERATOR-LIMITED: schedule lag p99 12.5 ms is above 5.0 ms (5 ms")
        }
        // Above the table, so a cut table never hides it; one line, fitted like every other.
        #expect(flag != nil && flag! < (limited.firstIndex { $0.hasPrefix("Type") } ?? 0), "\(limited)")
        #expect(limited.allSatisfy { $0.count <= 120 })
    }

    @Test func longEndpointNamesAreShortenedSoTheLatencyColumnsStayOnScreen() {
        var status = Self.status(endpoints: 3)
        status.summary?.endpoints[0].name = "/a/very/long/endpoint/name/that/goes/on/and/on/and/on/for/ever"
        let lines = WatchScreen.render(status, rows: 30, columns: 100)
        let header = lines.first { $0.hasPrefix("Type") } ?? ""
        #expect(header.hasSuffix("p99"), "\(header)")
        #expect(lines.contains { $0.contains("/a/very/long/") && $0.contains("…") && $0.contains("/for/ever") })
        #expect(WatchScreen.shortened("/abcdefghij", 7) == "/ab…hij")
    }
}
