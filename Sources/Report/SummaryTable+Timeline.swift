import Protocol

extension SummaryTable {
    /// The run's marks and slow periods as lines for the terminal report: `Marks:` then `Slow or lost
    /// periods:`, each period with its span, causes, worst p99, failures and nearest mark.
    static func timeline(_ summary: RunSummary) -> [String] {
        var lines: [String] = []
        if let marks = summary.marks, !marks.isEmpty {
            lines.append("Marks:")
            lines += marks.enumerated().map {
                "  \($0.offset + 1). \(formatFixed($0.element.elapsedS, decimals: 1)) s  \($0.element.text)"
            }
        }
        if let periods = summary.slowPeriods, !periods.isEmpty {
            lines.append("Slow or lost periods:")
            for period in periods {
                var line =
                    "  \(period.startS)–\(period.endS) s (\(period.durationS) s): "
                    + period.causes.map(\.rawValue).joined(separator: ", ")
                if period.requests > 0 { line += ", worst p99 \(formatDuration(ms: period.worstP99Ms))" }
                if period.failures > 0 { line += ", \(period.failures) failed" }
                if let mark = period.nearestMark {
                    line += "; nearest mark \"\(mark.text)\" \(SlowPeriodText.offset(mark.offsetS))"
                }
                lines.append(line)
            }
            if let more = summary.slowPeriodsNotListed { lines.append("  … and \(more) more") }
        }
        return lines
    }
}
