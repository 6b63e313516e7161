import Protocol

/// The three CSV files Locust writes with `--csv PREFIX`, with Locust's exact headers, so dashboards and
/// scripts built for Locust read loadd's results unchanged.
///
/// Number formats: request and failure counts and the median and percentile columns are whole milliseconds,
/// as Locust writes them (so a sub-millisecond target shows 0 there; the JSON summary keeps the decimals).
/// Average, min and max latency have three decimals (microseconds, what loadd measures); rates and content size
/// two. Locust's history writes its rates with six decimals, and so does this.
public enum LocustCSV {
    /// Header of `PREFIX_stats.csv`.
    public static let statsHeader =
        [
            "Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
            "Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s",
        ] + SummaryTable.percentileHeaders

    /// Header of `PREFIX_stats_history.csv`.
    public static let historyHeader =
        ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"]
        + SummaryTable.percentileHeaders
        + [
            "Total Request Count", "Total Failure Count", "Total Median Response Time", "Total Average Response Time",
            "Total Min Response Time", "Total Max Response Time", "Total Average Content Size",
        ]

    /// Appended to the history header for open-model runs only, so closed-model files keep
    /// Locust's exact shape.
    public static let droppedColumn = "Dropped Iterations"

    /// Header of `PREFIX_failures.csv`.
    public static let failuresHeader = ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"]

    /// Header of `PREFIX_exceptions.csv`: Locust lists its Python exceptions there; loadd has none, so
    /// the file is this header alone and `--csv` writes the same four files Locust does.
    public static let exceptionsHeader = ["Count", "Message", "Traceback", "Nodes"]

    /// Locust's marker for a figure it does not have.
    static let notAvailable = "N/A"

    /// `PREFIX_stats.csv`: one row per endpoint by name then method, then the `Aggregated` row with an empty Type.
    public static func stats(_ summary: RunSummary) -> String {
        let rows =
            SummaryTable.sorted(summary.endpoints).map { statsRow(type: $0.method, $0) }
            + [statsRow(type: "", SummaryTable.aggregated(summary.total))]
        return CSV.document(header: statsHeader, rows: rows)
    }

    private static func statsRow(type: String, _ entry: EndpointSummary) -> [String] {
        // As Locust: an endpoint without requests has no percentiles, not percentiles of zero.
        let percentiles =
            entry.requests == 0
            ? Array(repeating: notAvailable, count: SummaryTable.percentileHeaders.count)
            : SummaryTable.percentileValues(entry).map(wholeMs)
        // Locust writes min, max and content size as the integer 0 before the first request, floats after.
        let none = entry.requests == 0
        return [
            type, entry.name, "\(entry.requests)", "\(entry.failures)", wholeMs(entry.medianMs), ms(entry.avgMs),
            none ? "0" : ms(entry.minMs), none ? "0" : ms(entry.maxMs),
            none ? "0" : formatFixed(entry.avgBytes, decimals: 2),
            formatFixed(entry.rps, decimals: 2), formatFixed(entry.failuresPerS, decimals: 2),
        ] + percentiles
    }

    /// `PREFIX_stats_history.csv`: one `Aggregated` row per second, as Locust writes without `--csv-full-history`.
    /// Its columns and their meaning are in `LocustCSV+History.swift`.
    public static func history(_ summary: RunSummary) -> String {
        let rows = summary.history.sorted(by: { $0.second < $1.second }).filter { $0.partial != true }
        let openModel = summary.openModel != nil
        var legacy = LegacyTotals()
        let lines = rows.map { sample in
            historyRow(sample, legacy: &legacy) + (openModel ? ["\(sample.dropped ?? 0)"] : [])
        }
        return CSV.document(header: historyHeader + (openModel ? [droppedColumn] : []), rows: lines)
    }

    /// `PREFIX_failures.csv`: one row per endpoint and reason, most frequent first.
    public static func failures(_ summary: RunSummary) -> String {
        let rows = SummaryTable.sortedFailures(summary.failuresByReason).map {
            [
                $0.method, $0.name, $0.reason, "\($0.count)",
                $0.firstSeen.map(formatISO8601UTC) ?? "", $0.lastSeen.map(formatISO8601UTC) ?? "",
            ]
        }
        return CSV.document(header: failuresHeader, rows: rows)
    }

    /// `PREFIX_exceptions.csv`: Locust's header and no rows.
    public static func exceptions(_ summary: RunSummary) -> String {
        CSV.document(header: exceptionsHeader, rows: [])
    }

    static func wholeMs(_ value: Double) -> String { formatFixed(value, decimals: 0) }
    static func ms(_ value: Double) -> String { formatFixed(value, decimals: 3) }
}
