import Foundation
import Protocol
import Testing

@testable import Report

@Suite struct HTMLReportTests {
    /// The HTML between `<section id="ID">` and its `</section>`.
    private func section(_ id: String, of html: String) throws -> String {
        let start = try #require(html.range(of: "<section id=\"\(id)\""), "no section \(id)")
        let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// A table row as HTMLTable writes it: Type and Name as text, every later cell numeric.
    private func row(_ cells: [String]) -> String {
        "<tr>"
            + cells.enumerated().map { index, cell in
                index < 2 ? "<td>\(cell)</td>" : "<td class=\"num\">\(cell)</td>"
            }.joined() + "</tr>"
    }

    /// The points of every polyline of one series, each line as its list of (x, y).
    private func lines(_ className: String, in html: String) -> [[(x: Double, y: Double)]] {
        let marker = "<polyline class=\"line \(className)\" points=\""
        return html.components(separatedBy: marker).dropFirst().map { rest in
            rest.prefix { $0 != "\"" }.split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }
        }
    }

    private static let markup = #"<script>alert("x")</script> & co"#
    private static let escapedMarkup = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"

    @Test func requestTableHasEveryEndpointSortedAndTheAggregatedRowWithItsNumbers() throws {
        let table = try section("requests", of: HTMLReport.render(Fixture.summary()))
        #expect(
            table.contains(
                "<th>Type</th><th>Name</th><th class=\"num\"># reqs</th><th class=\"num\"># fails</th>"
                    + "<th class=\"num\">Avg</th><th class=\"num\">Min</th><th class=\"num\">Max</th>"
                    + "<th class=\"num\">Median</th><th class=\"num\">req/s</th><th class=\"num\">failures/s</th>"))
        let home = row(["GET", "/", "2400", "12(0.50%)", "1.36", "0.31", "12.3", "1.23", "40.00", "0.20"])
        let post = row(["POST", "/post/[id]", "600", "0(0.00%)", "50.2", "11.4", "456", "45.6", "10.00", "0.00"])
        let search = row([
            "GET", "/search?q=a,b &quot;quoted&quot;", "0", "0(0.00%)", "0.00", "0.00", "0.00", "0.00",
            "0.00", "0.00",
        ])
        let aggregated =
            "<tfoot>\n"
            + row([
                "", "Aggregated", "3000", "12(0.40%)", "2.20", "0.50", "456", "2.00",
                "50.00", "0.20",
            ])
        for expected in [home, post, search, aggregated] { #expect(table.contains(expected), "missing \(expected)") }
        let order = try [home, post, search, aggregated].map { try #require(table.range(of: $0)).lowerBound }
        #expect(order == order.sorted())
    }

    @Test func percentileTableHasLocustsColumnsAndNAForAnEndpointWithoutRequests() throws {
        let table = try section("percentiles", of: HTMLReport.render(Fixture.summary()))
        for header in ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"] {
            #expect(table.contains("<th class=\"num\">\(header)</th>"))
        }
        #expect(
            table.contains(
                row([
                    "", "Aggregated", "2.00", "2.40", "2.80", "3.00", "4.00", "6.00", "8.00", "10.0",
                    "16.0", "18.0", "456", "3000",
                ])))
        #expect(
            table.contains(
                row(
                    ["GET", "/search?q=a,b &quot;quoted&quot;"]
                        + Array(repeating: "N/A", count: 11) + ["0"])))
    }

    @Test func textFromTheSummaryAppearsOnlyEscaped() throws {
        var summary = Fixture.summary(abortReason: Self.markup)
        summary.scenario = Self.markup
        summary.host = Self.markup
        summary.endpoints.append(Fixture.endpoint("GET", Self.markup, requests: 5, failures: 1, median: 3))
        summary.failuresByReason.append(FailureCount(method: "GET", name: Self.markup, reason: Self.markup, count: 1))
        summary.thresholds.append(
            ThresholdResult(
                expression: Self.markup, endpoint: EndpointKey(method: "GET", name: Self.markup),
                actual: 1, passed: false))
        summary.fleetEvents = [FleetEvent(second: 3, message: Self.markup)]
        let html = HTMLReport.render(summary)
        #expect(!html.contains(Self.markup))
        #expect(!html.contains("<script"))
        #expect(!html.contains("alert(\"x\")"))
        // title, h1, scenario, host, abort reason, two table rows, failure name and reason, threshold and
        // its scope, fleet event
        #expect(html.components(separatedBy: Self.escapedMarkup).count - 1 >= 12)
        #expect(htmlEscaped(#"a&b<c>d"e'f"#) == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
    }

    @Test func thePageFetchesNothingAndRunsNoScript() throws {
        let html = HTMLReport.render(Fixture.summary())
        for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "javascript:"] {
            #expect(!html.lowercased().contains(forbidden), "page contains \(forbidden)")
        }
        #expect(html.firstMatch(of: try Regex(#"\son[a-z]+\s*="#)) == nil, "an event-handler attribute")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"))
    }

    @Test func anEmptyHistorySaysSoAndPrintsNoNaNOrInfinity() throws {
        var summary = Fixture.summary()
        summary.history = []
        let html = HTMLReport.render(summary)
        #expect(try section("charts", of: html).contains("No per-second history in this summary."))
        #expect(!html.contains("<svg"))
        let nonFinite = try Regex(#"\b(nan|NaN|-?inf|Infinity)\b"#)
        #expect(html.firstMatch(of: nonFinite) == nil)
    }

    @Test func aSingleSecondOfHistoryIsDrawnAsDotsWithoutDividingByZero() throws {
        var summary = Fixture.summary()
        summary.history = [
            HistorySample(
                second: 0, timestamp: 1_700_000_000, users: 5, requests: 7, failures: 0,
                medianMs: 2, p95Ms: 3, p99Ms: 4, maxMs: 5, avgMs: 2, generatorCpu: 0.1)
        ]
        let html = HTMLReport.render(summary)
        let nonFinite = try Regex(#"\b(nan|NaN|-?inf|Infinity)\b"#)
        #expect(html.firstMatch(of: nonFinite) == nil)
        #expect(!html.contains("<polyline"))
        for series in ["requests", "failures", "median", "p95", "p99", "users"] {
            #expect(html.contains("<circle class=\"dot \(series)\""), "no dot for \(series)")
        }
    }

    @Test func aLineHasOnePointPerSecondOfHistoryInTimeOrder() throws {
        let summary = Fixture.summary()
        let html = HTMLReport.render(summary)
        for series in ["requests", "failures", "users"] {
            let found = lines(series, in: html)
            #expect(found.count == 1)
            #expect(found.first?.count == summary.history.count, "\(series)")
            let xs = try #require(found.first).map(\.x)
            #expect(xs == xs.sorted() && Set(xs).count == xs.count)
        }
        // The fixture's last second has no requests: latency stops there instead of dropping to 0 ms
        // (in the linear chart and in the log-scale one).
        #expect(lines("median", in: html).map(\.count) == [2, 2])

        var long = Fixture.summary()
        long.history = (0..<90).map { second in
            HistorySample(
                second: second, timestamp: 1_700_000_000 + second, users: second, requests: UInt64(second * 10 + 5),
                failures: 0, medianMs: 1, p95Ms: 2, p99Ms: 3, maxMs: 4, avgMs: 1, generatorCpu: 0.2)
        }
        long.history[40].requests = 0
        long.durationS = 90
        let points = try #require(lines("requests", in: HTMLReport.render(long)).first)
        #expect(points.count == 90)
        // Every point inside the plot: larger values higher up (smaller y), the busiest second at the top tick.
        #expect(points.allSatisfy { $0.y >= 10 && $0.y <= 230 })
        #expect(points[89].y < points[1].y)
        #expect(lines("median", in: HTMLReport.render(long)).map(\.count) == [40, 49, 40, 49])
    }

    @Test func axesEndOnARoundNumberAboveTheDataWithAFewTicks() {
        #expect(ChartAxis.fromZero(to: 41).ticks == [0, 20, 40, 60])
        #expect(ChartAxis.fromZero(to: 40).ticks == [0, 10, 20, 30, 40])
        #expect(ChartAxis.fromZero(to: 0.7).ticks.map(formatQuantity) == ["0", "0.2", "0.4", "0.6", "0.8"])
        #expect(ChartAxis.fromZero(to: 0).ticks == [0, 1])
        #expect(ChartAxis.fromZero(to: .nan).ticks == [0, 1])
        let single = ChartAxis.seconds(from: 7, to: 7)
        #expect(single.lower == 7 && single.upper == 8 && single.ticks == [7, 8])
        #expect(ChartAxis.seconds(from: 0, to: 89).ticks == [0, 20, 40, 60, 80])
    }

    @Test func aFailedRunsBannerSaysFailedWithTheAbortReason() throws {
        let failed = try section(
            "verdict",
            of: HTMLReport.render(
                Fixture.summary(passed: false, abortReason: "target unreachable: connection refused")))
        #expect(failed.contains("class=\"verdict failed\""))
        #expect(failed.contains("<p class=\"word\">FAILED</p>"))
        #expect(failed.contains("ABORTED: target unreachable: connection refused"))
        #expect(failed.contains("1 of 2 thresholds failed"))

        let passed = try section("verdict", of: HTMLReport.render(Fixture.summary(passed: true)))
        #expect(passed.contains("<p class=\"word\">PASSED</p>"))
        #expect(!passed.contains("FAILED") && !passed.contains("ABORTED"))
    }

    @Test func headerNamesTheRunAndItsStartInUTC() throws {
        let header = try #require(HTMLReport.render(Fixture.summary()).components(separatedBy: "</header>").first)
        for fact in [
            "<dt>Run</dt><dd>r-42</dd>", "<dt>Scenario</dt><dd>shop</dd>",
            "<dt>Host</dt><dd>http://127.0.0.1:8080</dd>", "<dt>Started</dt><dd>2023-11-14 22:13:20 UTC</dd>",
            "<dt>Measured</dt><dd>60.0 s</dd>", "<dt>Users</dt><dd>200</dd>",
        ] {
            #expect(header.contains(fact), "missing \(fact)")
        }
        #expect(formatUTC(0) == "1970-01-01 00:00:00 UTC")
        #expect(formatUTC(1_709_164_799) == "2024-02-28 23:59:59 UTC")
        #expect(formatUTC(1_709_164_800) == "2024-02-29 00:00:00 UTC")
        #expect(formatUTC(-1) == "1969-12-31 23:59:59 UTC")
        #expect(formatUTC(-86_400) == "1969-12-31 00:00:00 UTC")
    }

    @Test func thresholdsFailuresAndTheGeneratorWarningAreShownAsInTheTerminalReport() throws {
        let html = HTMLReport.render(Fixture.summary())
        let thresholds = try section("thresholds", of: html)
        #expect(
            thresholds.contains(
                "<tr class=\"pass\"><td>✓ PASS</td><td>p95 &lt; 150ms</td><td>all requests</td>"
                    + "<td class=\"num\">6.00 ms</td></tr>"))
        #expect(
            thresholds.contains(
                "<tr class=\"fail\"><td>✗ FAIL</td><td>failure_rate &lt; 0.001</td>"
                    + "<td>GET /</td><td class=\"num\">0.50 %</td></tr>"))
        let failures = try section("failures", of: html)
        let first = try #require(failures.range(of: "HTTP 500"))
        let second = try #require(failures.range(of: "timeout, after 5 s"))
        #expect(first.lowerBound < second.lowerBound)
        #expect(try section("generator", of: html).contains("WARNING: generator may be the bottleneck"))

        var quiet = Fixture.summary(passed: true, generatorBound: false)
        quiet.failuresByReason = []
        quiet.thresholds = []
        let calm = HTMLReport.render(quiet)
        #expect(!calm.contains("id=\"generator\"") && !calm.contains("WARNING"))
        #expect(try section("failures", of: calm).contains("No failures."))
        #expect(try section("thresholds", of: calm).contains("No thresholds set."))
    }

    @Test func openModelWarmUpAndFleetEventsAppearOnlyWhenPresent() throws {
        var summary = Fixture.summary()
        summary.openModel = OpenModelStats(targetRate: 2000, maxInFlight: 50, dropped: 17)
        summary.warmup = Fixture.endpoint("", "Aggregated", requests: 900, failures: 2, median: 4)
        summary.fleetEvents = [FleetEvent(second: 41, message: "worker w2 lost (killed); users re-split: w1 8")]
        let html = HTMLReport.render(summary)
        let shape = try section("load-shape", of: html)
        #expect(shape.contains("Open model: target 2000.0/s"))
        #expect(shape.contains("17 dropped iterations"))
        #expect(shape.contains("Warm-up (not counted above): 900 requests, 2 failures"))
        #expect(html.contains("<dt>Open model</dt><dd>target 2000.0/s, 200 iterations in flight</dd>"))
        #expect(
            try section("fleet-events", of: html)
                .contains("<td class=\"num\">41 s</td><td>worker w2 lost (killed); users re-split: w1 8</td>"))

        let plain = HTMLReport.render(Fixture.summary())
        #expect(!plain.contains("id=\"load-shape\"") && !plain.contains("id=\"fleet-events\""))
    }

    @Test func theSameSummaryRendersToTheSameBytes() throws {
        let summary = Fixture.summary(abortReason: "stopped")
        let first = HTMLReport.render(summary)
        #expect(first == HTMLReport.render(summary))
        #expect(first == HTMLReport.render(try SummaryJSON.decode(SummaryJSON.encode(summary))))
    }

    @Test func writeReplacesTheFileAndAMissingDirectoryNamesThePath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "report-\(UInt64.random(in: 0...UInt64.max)).html"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "an older, longer file that must not leave a tail behind".write(
            toFile: path, atomically: true, encoding: .utf8)
        try HTMLReport.write(Fixture.summary(), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == HTMLReport.render(Fixture.summary()))

        let missing = "/nonexistent-loadd-dir/report.html"
        let error = #expect(throws: ReportError.self) { try HTMLReport.write(Fixture.summary(), to: missing) }
        #expect(error?.path == missing)
        #expect(error?.description == "cannot write \(missing): No such file or directory")
    }
}
