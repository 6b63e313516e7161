import Protocol

/// The checks table (k6's): per request and check, how many responses passed and failed it, and the
/// steps a failed extraction skipped. Rendered in the terminal summary and the HTML report; `--json`
/// carries the same rows as `checks` and `skipped_steps`.
public enum ChecksTable {
    /// One row per check, in the order the scenario wrote them.
    static func rows(_ checks: [CheckTally]) -> [[String]] {
        checks.map { tally in
            let (sum, overflow) = tally.passes.addingReportingOverflow(tally.fails)
            let total = overflow ? UInt64.max : sum
            let share = total == 0 ? "-" : formatFixed(100 * Double(tally.passes) / Double(total), decimals: 1) + " %"
            return [
                tally.fails == 0 ? "✓" : "✗", tally.method, tally.name, tally.check, "\(tally.passes)",
                "\(tally.fails)", share,
            ]
        }
    }

    static let headers = ["", "Method", "Name", "Check", "Passes", "Fails", "Passed"]

    /// The text section, empty when the run had no checks and skipped nothing.
    static func text(_ summary: RunSummary) -> [String] {
        var lines: [String] = []
        if let checks = summary.checks, !checks.isEmpty {
            var table = TextTable([
                .init(header: headers[0], alignment: .left),
                .init(header: headers[1], alignment: .left, startsGroup: true),
                .init(header: headers[2], alignment: .left),
                .init(header: headers[3], alignment: .left, startsGroup: true),
                .init(header: headers[4], alignment: .right, startsGroup: true),
                .init(header: headers[5], alignment: .right),
                .init(header: headers[6], alignment: .right),
            ])
            for row in rows(checks) { table.append(row) }
            lines = ["Checks"] + table.render()
        }
        if let line = skippedLine(summary) { lines.append(line) }
        return lines
    }

    static func skippedLine(_ summary: RunSummary) -> String? {
        guard let skipped = summary.skippedSteps, skipped > 0 else { return nil }
        return
            "\(skipped) step\(skipped == 1 ? "" : "s") skipped, not sent: an earlier step of the same iteration failed to extract a value"
    }
}

extension HTMLReport {
    static func checks(_ summary: RunSummary) -> String? {
        guard summary.checks?.isEmpty == false || summary.skippedSteps != nil else { return nil }
        var body = ""
        if let checks = summary.checks, !checks.isEmpty {
            var table = HTMLTable(
                ChecksTable.headers.enumerated().map { HTMLTable.Column(header: $1, numeric: $0 >= 4) })
            for row in ChecksTable.rows(checks) { table.append(row) }
            body += table.render()
        }
        if let line = ChecksTable.skippedLine(summary) { body += paragraphs([line]) }
        return section("checks", "Checks", body)
    }
}
