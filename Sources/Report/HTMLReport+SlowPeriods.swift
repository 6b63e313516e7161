import Protocol

extension HTMLReport {
    /// The summary's slow or lost periods (`SlowPeriod`): when, how long, why, how bad, which failures,
    /// and the nearest mark. Empty when the run had none.
    static func slowPeriods(_ summary: RunSummary) -> String {
        guard let periods = summary.slowPeriods, !periods.isEmpty else { return "" }
        var table = HTMLTable([
            .init(header: "From (UTC)"), .init(header: "Seconds into the run", numeric: true),
            .init(header: "Length", numeric: true), .init(header: "Why"), .init(header: "Worst p99", numeric: true),
            .init(header: "Max", numeric: true), .init(header: "Requests", numeric: true),
            .init(header: "Failures"), .init(header: "Nearest mark"),
        ])
        for period in periods {
            let failures =
                period.failuresByReason.isEmpty
                ? "\(period.failures)"
                : "\(period.failures): "
                    + period.failuresByReason.map { "\($0.count) \($0.reason)" }.joined(separator: ", ")
            table.append(
                [
                    formatUTC(period.startedAt), "\(period.startS)–\(period.endS)", "\(period.durationS) s",
                    period.causes.map(\.rawValue).joined(separator: ", "),
                    period.requests == 0 ? "–" : formatDuration(ms: period.worstP99Ms),
                    period.requests == 0 ? "–" : formatDuration(ms: period.maxMs), "\(period.requests)", failures,
                    period.nearestMark.map { "\($0.text) (\(SlowPeriodText.offset($0.offsetS)))" } ?? "",
                ], className: "slow-period")
        }
        var notes = [
            "Seconds whose p99 or failed share passed the scenario's report: bounds, or in which nothing "
                + "completed while requests were outstanding (hang); touching seconds merged."
        ]
        if let more = summary.slowPeriodsNotListed { notes.append("\(more) more periods are not listed.") }
        return section("slow-periods", "Slow or lost periods", table.render() + paragraphs(notes))
    }
}

/// Words shared by the HTML and text renderings of slow periods.
enum SlowPeriodText {
    /// `3.2 s before` / `0.5 s after` / `at the start`: where a mark lies against a period's start.
    static func offset(_ seconds: Double) -> String {
        if abs(seconds) < 0.05 { return "at the start" }
        return formatFixed(abs(seconds), decimals: 1) + (seconds < 0 ? " s before" : " s after")
    }
}
