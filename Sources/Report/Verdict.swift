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

    /// Lines that explain or qualify the verdict, shown by the table, the JSON and the HTML alike:
    /// why a run without thresholds failed (any failed request fails it, as Locust's exit status
    /// does), and a run in which every request failed.
    public static func warnings(_ summary: RunSummary) -> [String] {
        var lines: [String] = []
        let total = summary.total
        if summary.thresholds.isEmpty && total.failures > 0 && !summary.passed && summary.interrupted == nil
            && summary.abortReason == nil
        {
            lines.append(failedWithoutThresholds(total.failures))
        }
        if total.requests > 0 && total.failures >= total.requests {
            lines.append("every request failed (\(total.failures) of \(total.requests))")
        }
        return lines
    }

    /// The reason a run with failures and no thresholds FAILED.
    public static func failedWithoutThresholds(_ failures: UInt64) -> String {
        "\(failures) request\(failures == 1 ? "" : "s") failed and no threshold says which failures are acceptable: "
            + "FAILED (add e.g. `thresholds: [\"failure_rate < 1%\"]` to accept some)"
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
