import Protocol

extension HTMLReport {
    /// The run's marks as a table (number, time, seconds into the run, text); the numbers are those drawn
    /// at the top of each chart's mark line. Empty when the run has none.
    static func marks(_ summary: RunSummary) -> String {
        guard let marks = summary.marks, !marks.isEmpty else { return "" }
        var table = HTMLTable([
            .init(header: "#", numeric: true), .init(header: "Time (UTC)"),
            .init(header: "Seconds into the run", numeric: true), .init(header: "Mark"),
        ])
        for (index, mark) in marks.enumerated() {
            table.append(
                [
                    "\(index + 1)", formatUTC(Int(mark.unixTime.rounded(.down))),
                    formatFixed(mark.elapsedS, decimals: 1), mark.text,
                ], className: "mark")
        }
        return section("marks", "Marks", table.render())
    }
}
