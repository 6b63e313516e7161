import Foundation
import Protocol
import Testing

@testable import Report

/// The report's fixes from the review of its screenshots.
@Suite struct HTMLReportReviewTests {
    @Test func aFailureRateThresholdShowsAPercentage() {
        #expect(HTMLReport.formatThresholdActual(0.002914, expression: "failure_rate < 1%") == "0.29 %")
        #expect(HTMLReport.formatThresholdActual(153.2, expression: "p95 < 150ms") == "153 ms")
        #expect(HTMLReport.formatThresholdActual(12.5, expression: " rps > 10") == "12.50 req/s")
        #expect(HTMLReport.formatThresholdActual(3, expression: "failures < 5") == "3")
        let html = HTMLReport.render(Fixture.summary())
        #expect(html.contains("0.50 %"))
    }

    @Test func theLastPartialSecondIsNotDrawn() {
        var summary = Fixture.summary()
        // Measured 2.4 s from 1_700_000_000: the second ending at …003 is only partly measured.
        summary.startedAt = 1_700_000_000
        summary.durationS = 2.4
        summary.history = (0..<3).map {
            HistorySample(
                second: $0, timestamp: 1_700_000_001 + $0, users: 10, requests: $0 == 2 ? 4 : 100, failures: 0,
                medianMs: 1, p95Ms: 2, p99Ms: 3, maxMs: 4, avgMs: 1, generatorCpu: 0.1)
        }
        let html = HTMLReport.render(summary)
        #expect(html.contains("last second ended part-way"))
        // The requests chart's axis tops out at the full seconds' 100, and no point sits at 4.
        #expect(!html.contains(">2 s</text>"))
        summary.durationS = 3
        #expect(!HTMLReport.render(summary).contains("part-way"))
    }

    @Test func aLogScaleLatencyChartHasPowerOfTenTicks() {
        var summary = Fixture.summary()
        summary.history = (0..<3).map {
            HistorySample(
                second: $0, timestamp: 1_700_000_001 + $0, users: 10, requests: 100, failures: 0,
                medianMs: 2, p95Ms: 40, p99Ms: 900, maxMs: 1000, avgMs: 5, generatorCpu: 0.1)
        }
        summary.durationS = 60
        let html = HTMLReport.render(summary)
        #expect(html.contains("log scale"))
        for tick in ["1", "10", "100", "1000"] { #expect(html.contains(">\(tick)</text>")) }
        let axis = ChartAxis.logarithmic([2, 900])
        #expect(axis.fraction(1) == 0 && axis.fraction(1000) == 1)
    }

    @Test func theHeaderHasStartAndEndAndTheChartsFillThePage() {
        let html = HTMLReport.render(Fixture.summary())
        #expect(html.contains("<dt>Started</dt><dd>2023-11-14 22:13:20 UTC</dd>"))
        #expect(html.contains("<dt>Ended</dt><dd>2023-11-14 22:14:20 UTC</dd>"))
        #expect(html.contains("viewBox=\"0 0 1160.0 260.0\""))
        #expect(!html.contains("max-height: 260px"))
    }

    @Test func failuresShowFirstAndLastSeenWhenRecorded() {
        var summary = Fixture.summary()
        summary.failuresByReason[0].firstSeen = 1_700_000_005
        summary.failuresByReason[0].lastSeen = 1_700_000_050
        let html = HTMLReport.render(summary)
        #expect(html.contains("First seen") && html.contains("2023-11-14 22:14:10 UTC"))
        #expect(!HTMLReport.render(Fixture.summary()).contains("First seen"))
    }

    @Test func taskRatiosResetsAndFileLinksAreShown() {
        var summary = Fixture.summary()
        summary.tasks = [
            TaskRatio(task: 1, weight: 3, ratio: 0.75, requests: ["GET /", "POST /post/[id]"]),
            TaskRatio(task: 2, weight: 1, ratio: 0.25, requests: ["GET /"]),
        ]
        summary.statsResetAt = [1_700_000_030]
        let html = HTMLReport.render(summary, files: ["summary.json", "stats.csv"])
        #expect(html.contains("Task ratio") && html.contains("75.0 %") && html.contains("GET / → POST /post/[id]"))
        #expect(html.contains("Statistics were reset mid-run at 2023-11-14 22:13:50 UTC"))
        #expect(html.contains("<a href=\"stats.csv\">stats.csv</a>"))
        #expect(!HTMLReport.render(Fixture.summary()).contains("id=\"files\""))
    }
}

/// A run a restarted loadd carried on (`RunResume`): its gap is a break in the lines, said in words.
@Suite struct ResumedRunReportTests {
    @Test func theChartsLinesBreakAtARestartsGapAndTheReportSaysSo() throws {
        var summary = Fixture.summary(passed: true)
        summary.history = [0, 1, 2, 8, 9, 10].map { second in
            HistorySample(
                second: second, timestamp: 1_700_000_001 + second, users: 10, requests: 40, failures: 0,
                medianMs: 2, p95Ms: 6, p99Ms: 9, maxMs: 12, avgMs: 3, generatorCpu: 0.5)
        }
        summary.durationS = 6.5
        summary.resumes = [
            RunResume(restartedAt: 1_700_000_002, resumedAt: 1_700_000_008, gapFrom: 3, gapTo: 8, gapS: 5.5)
        ]
        let html = HTMLReport.render(summary)
        let marker = "<polyline class=\"line requests\" points=\""
        #expect(html.components(separatedBy: marker).count - 1 == 2, "one line before the gap, one after")
        #expect(html.contains("5.5 s without load (no points, the lines break)"))
        #expect(html.contains("after 1 restart of loadd: 5.5 s without load, not counted as measured"))
        #expect(SummaryTable.header(summary).first?.contains("resumed after 1 restart (5.5 s gap)") == true)
    }
}
