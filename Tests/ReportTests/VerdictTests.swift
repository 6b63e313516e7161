import Foundation
import Protocol
import Report
import Testing

/// The verdict every report prints: INTERRUPTED beats PASSED, a run with failures and no thresholds
/// says why it FAILED, and a run whose every request failed is marked.
@Suite struct VerdictTests {
    static func allFailed(thresholds: Bool) -> RunSummary {
        var summary = Fixture.summary(passed: true, generatorBound: false)
        summary.total.requests = 30_897
        summary.total.failures = 30_897
        if !thresholds { summary.thresholds = [] }
        return summary
    }

    @Test func anInterruptedRunSaysInterruptedInTheTableTheJSONAndTheHTML() throws {
        let summary = Verdict.interrupted(Fixture.summary(passed: true), reason: "loadd was killed")
        #expect(!summary.passed)
        #expect(Verdict.word(summary) == "INTERRUPTED")
        let table = SummaryTable.render(summary)
        #expect(table.hasSuffix("INTERRUPTED\n"))
        #expect(table.contains("INTERRUPTED: loadd was killed"))
        let html = HTMLReport.render(summary)
        #expect(html.contains(#"<section id="verdict" class="verdict interrupted">"#))
        #expect(html.contains(#"<p class="word">INTERRUPTED</p>"#))
        #expect(!html.contains(#"<p class="word">PASSED</p>"#))
        let decoded = try SummaryJSON.decode(SummaryJSON.encode(summary))
        #expect(decoded.interrupted == "loadd was killed")
        #expect(!decoded.passed)
    }

    @Test func aRunWithFailuresAndNoThresholdsFailsWithItsReasonInTheTableTheJSONAndTheHTML() throws {
        // The engine sets `passed` false for failures without thresholds; every report says why.
        var summary = Self.allFailed(thresholds: false)
        summary.passed = false
        let table = SummaryTable.render(summary)
        #expect(table.contains("WARNING: 30897 requests failed and no threshold says which failures are acceptable"))
        #expect(table.contains("WARNING: every request failed (30897 of 30897)"))
        #expect(table.hasSuffix("FAILED\n"))
        let html = HTMLReport.render(summary)
        #expect(html.contains("30897 requests failed and no threshold says which failures are acceptable"))
        #expect(html.contains(#"<p class="word">FAILED</p>"#))
        let decoded = try SummaryJSON.decode(SummaryJSON.encode(summary))
        #expect(!decoded.passed)
        #expect(decoded.warnings?.first?.hasPrefix("30897 requests failed and no threshold") == true)
    }

    @Test func theAllFailedMarkStandsAloneWhenThresholdsJudgedTheRun() {
        let warnings = Verdict.warnings(Self.allFailed(thresholds: true))
        #expect(warnings == ["every request failed (30897 of 30897)"])
    }

    @Test func aRunWithSomeSuccessesOrNoRequestsHasNoWarning() {
        #expect(Verdict.warnings(Fixture.summary()).isEmpty)
        var empty = Fixture.summary()
        empty.total.requests = 0
        empty.total.failures = 0
        #expect(Verdict.warnings(empty).isEmpty)
    }
}
