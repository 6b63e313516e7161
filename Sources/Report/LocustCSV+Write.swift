import Protocol

extension LocustCSV {
    /// Writes `PREFIX_stats.csv`, `PREFIX_stats_history.csv`, `PREFIX_failures.csv` and `PREFIX_exceptions.csv`
    /// (Locust's four files), replacing older files, and `PREFIX_marks.csv` when the run has marks; returns the
    /// paths written. Throws a `ReportError` naming the file that could not be written and why (its `path` holds it).
    @discardableResult
    public static func write(_ summary: RunSummary, prefix: String) throws -> [String] {
        try ReportFile.write(stats(summary), to: prefix + "_stats.csv")
        try ReportFile.write(history(summary), to: prefix + "_stats_history.csv")
        try ReportFile.write(failures(summary), to: prefix + "_failures.csv")
        try ReportFile.write(exceptions(summary), to: prefix + "_exceptions.csv")
        var written = ["stats", "stats_history", "failures", "exceptions"].map { "\(prefix)_\($0).csv" }
        if summary.marks?.isEmpty == false {
            try ReportFile.write(marks(summary), to: prefix + "_marks.csv")
            written.append(prefix + "_marks.csv")
        }
        return written
    }
}
