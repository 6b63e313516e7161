import Protocol

/// The parts that explain the verdict — thresholds, failures, fleet events, the generator's own load —
/// worded as in the terminal report.
extension HTMLReport {
    /// Shown even when empty: in a kept report, "none" is a finding, and a missing section looks like a bug.
    static func thresholds(_ results: [ThresholdResult]) -> String {
        guard !results.isEmpty else { return section("thresholds", "Thresholds", paragraphs(["No thresholds set."])) }
        var table = HTMLTable([
            .init(header: "Result"), .init(header: "Threshold"), .init(header: "Applies to"),
            .init(header: "Actual", numeric: true),
        ])
        for result in results {
            table.append(
                [
                    result.passed ? "✓ PASS" : "✗ FAIL", result.expression,
                    result.endpoint.map(\.description) ?? "all requests",
                    formatThresholdActual(result.actual, expression: result.expression),
                ],
                className: result.passed ? "pass" : "fail")
        }
        return section("thresholds", "Thresholds", table.render())
    }

    /// Most frequent first, as in the terminal report and the failures CSV.
    static func failures(_ failures: [FailureCount]) -> String {
        guard !failures.isEmpty else { return section("failures", "Failures", paragraphs(["No failures."])) }
        // First/last seen exist from the summaries that record them on; older ones show the counts alone.
        let seen = failures.contains { $0.firstSeen != nil }
        var columns: [HTMLTable.Column] = [
            .init(header: "Occurrences", numeric: true), .init(header: "Method"), .init(header: "Name"),
            .init(header: "Error"),
        ]
        if seen { columns += [.init(header: "First seen"), .init(header: "Last seen")] }
        var table = HTMLTable(columns)
        for failure in SummaryTable.sortedFailures(failures) {
            var row = ["\(failure.count)", failure.method, failure.name, failure.reason]
            if seen { row += [failure.firstSeen.map(formatUTC) ?? "", failure.lastSeen.map(formatUTC) ?? ""] }
            table.append(row)
        }
        return section("failures", "Failures", table.render())
    }

    static func fleetEvents(_ events: [FleetEvent]) -> String {
        var table = HTMLTable([.init(header: "Second", numeric: true), .init(header: "Event")])
        for event in events { table.append(["\(event.second) s", event.message]) }
        return section("fleet-events", "Fleet events", table.render())
    }

    static func generatorWarning(_ lines: [String]) -> String {
        "<section id=\"generator\" class=\"warning\">\n"
            + paragraphs(lines.map { String($0.drop { $0 == " " }) }) + "</section>"
    }
}
