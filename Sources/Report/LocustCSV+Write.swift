import Protocol

extension LocustCSV {
    /// Writes `PREFIX_stats.csv`, `PREFIX_stats_history.csv` and `PREFIX_failures.csv`, replacing older files.
    /// Throws a `ReportError` naming the file that could not be written and why (its `path` holds it).
    public static func write(_ summary: RunSummary, prefix: String) throws {
        try ReportFile.write(stats(summary), to: prefix + "_stats.csv")
        try ReportFile.write(history(summary), to: prefix + "_stats_history.csv")
        try ReportFile.write(failures(summary), to: prefix + "_failures.csv")
    }
}
