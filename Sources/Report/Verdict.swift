import Protocol

/// The verdict every report shows, in one place so the table, the JSON and the HTML page never
/// disagree: an interrupted run is INTERRUPTED whatever its thresholds said, because what it
/// measured stops short of what it was asked to measure.
public enum Verdict {
    /// `INTERRUPTED`, `PASSED` or `FAILED`.
    public static func word(_ summary: RunSummary) -> String {
        if summary.interrupted != nil { return "INTERRUPTED" }
        return summary.passed ? "PASSED" : "FAILED"
    }

    /// Findings that make a verdict suspect without changing it (the exit codes stay as they are):
    /// today, a run in which every request failed.
    public static func warnings(_ summary: RunSummary) -> [String] {
        var lines: [String] = []
        let total = summary.total
        if total.requests > 0 && total.failures >= total.requests {
            var line = "every request failed (\(total.failures) of \(total.requests))"
            if summary.thresholds.isEmpty {
                line += "; no threshold judged the run: add `thresholds: [\"failures == 0\"]` to fail it"
            }
            lines.append(line)
        }
        return lines
    }

    /// The summary marked interrupted (and so not passed), for a run whose daemon or fleet ended
    /// while it was going.
    public static func interrupted(_ summary: RunSummary, reason: String) -> RunSummary {
        var marked = summary
        marked.interrupted = reason
        marked.passed = false
        return marked
    }
}
