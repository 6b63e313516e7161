/// How often a running test's stored reports are redrawn. Each redraw renders the whole
/// per-second history, so at a fixed period a soak test's cost would grow with its length (a day
/// in, `summary.json` alone is megabytes a second). The period grows with the history instead,
/// which keeps the cost per second flat: the files every second for the first 10 minutes, every
/// 6 s after an hour, every 2.4 min after a day; the HTML page every 10 s, then every n / 60 s.
public enum RedrawSchedule {
    /// `summary.json` and the CSVs, for a history of `seconds` samples.
    public static func resultsPeriod(historySeconds seconds: Int) -> Duration {
        .seconds(max(1, seconds / 600))
    }

    /// The HTML page, whose charts cost more to draw than the CSVs' rows.
    public static func reportPeriod(historySeconds seconds: Int) -> Duration {
        .seconds(max(10, seconds / 60))
    }

    /// True when a file last written `elapsed` ago, with `period`, is due again (or was never written).
    public static func isDue(since elapsed: Duration?, period: Duration) -> Bool {
        elapsed.map { $0 >= period } ?? true
    }
}
