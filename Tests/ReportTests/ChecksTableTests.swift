import Foundation
import Protocol
import Testing

@testable import Report

/// The checks table (k6's) in every rendering of a summary: text, HTML, JSON.
struct ChecksTableTests {
    static func summary() -> RunSummary {
        var summary = Fixture.summary()
        summary.checks = [
            CheckTally(method: "GET", name: "/api/me", check: #"$.status == "ok""#, passes: 990, fails: 10),
            CheckTally(method: "GET", name: "/api/me", check: "max_ms 200", passes: 1000, fails: 0),
        ]
        summary.skippedSteps = 7
        return summary
    }

    @Test func theTextSummaryListsEachCheckWithPassesFailsAndShare() {
        let text = SummaryTable.render(Self.summary())
        let lines = text.split(separator: "\n").map(String.init)
        let start = try! #require(lines.firstIndex(of: "Checks"))
        let failing = try! #require(lines[start...].first { $0.contains(#"$.status == "ok""#) })
        #expect(
            failing.hasPrefix("✗") && failing.contains("990") && failing.contains("10") && failing.contains("99.0 %"))
        let passing = try! #require(lines[start...].first { $0.contains("max_ms 200") })
        #expect(passing.hasPrefix("✓") && passing.contains("1000") && passing.contains("100.0 %"))
        #expect(
            text.contains("7 steps skipped, not sent: an earlier step of the same iteration failed to extract a value"))
        #expect(!SummaryTable.render(Fixture.summary()).contains("Checks"))
    }

    @Test func theHTMLReportAndTheJSONCarryTheSameRows() throws {
        let html = HTMLReport.render(Self.summary())
        #expect(html.contains("id=\"checks\""))
        #expect(html.contains("$.status == &quot;ok&quot;") || html.contains("$.status == &#34;ok&#34;"))
        #expect(html.contains("7 steps skipped"))
        let json = SummaryJSON.encode(Self.summary())
        #expect(json.contains("\"skipped_steps\" : 7") || json.contains("\"skipped_steps\":7"))
        let back = try SummaryJSON.decode(json)
        #expect(back.checks == Self.summary().checks)
        #expect(back.skippedSteps == 7)
    }
}
