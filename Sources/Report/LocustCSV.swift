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
    public static let statsHeader = [
        "Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
        "Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s",
    ] + SummaryTable.percentileHeaders

    /// Header of `PREFIX_stats_history.csv`.
    public static let historyHeader = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"]
        + SummaryTable.percentileHeaders
        + [
            "Total Request Count", "Total Failure Count", "Total Median Response Time", "Total Average Response Time",
            "Total Min Response Time", "Total Max Response Time", "Total Average Content Size",
        ]

    /// Appended to the history header for open-model runs only, so closed-model files keep
    /// Locust's exact shape.
    public static let droppedColumn = "Dropped Iterations"

    /// Header of `PREFIX_failures.csv`.
    public static let failuresHeader = ["Method", "Name", "Error", "Occurrences"]

    /// Locust's marker for a figure it does not have.
    static let notAvailable = "N/A"

    /// `PREFIX_stats.csv`: one row per endpoint by name then method, then the `Aggregated` row with an empty Type.
    public static func stats(_ summary: RunSummary) -> String {
        let rows = SummaryTable.sorted(summary.endpoints).map { statsRow(type: $0.method, $0) }
            + [statsRow(type: "", SummaryTable.aggregated(summary.total))]
        return CSV.document(header: statsHeader, rows: rows)
    }

    private static func statsRow(type: String, _ entry: EndpointSummary) -> [String] {
        // As Locust: an endpoint without requests has no percentiles, not percentiles of zero.
        let percentiles = entry.requests == 0
            ? Array(repeating: notAvailable, count: SummaryTable.percentileHeaders.count)
            : SummaryTable.percentileValues(entry).map(wholeMs)
        return [
            type, entry.name, "\(entry.requests)", "\(entry.failures)", wholeMs(entry.medianMs), ms(entry.avgMs),
            ms(entry.minMs), ms(entry.maxMs), formatFixed(entry.avgBytes, decimals: 2),
            formatFixed(entry.rps, decimals: 2), formatFixed(entry.failuresPerS, decimals: 2),
        ] + percentiles
    }

    /// `PREFIX_stats_history.csv`: one `Aggregated` row per second, as Locust writes without `--csv-full-history`.
    ///
    /// A sample holds one second, so its counts are that second's rates. Per second loadd keeps the median, p95,
    /// p99 and max; the other percentile columns are `N/A`. The `Total` columns are running figures over the run
    /// so far: request and failure counts are sums, the average is weighted by requests and the max is the running
    /// maximum, all exact. A running median or min cannot be rebuilt from per-second figures, and samples carry no
    /// content size, so those three are `N/A` rather than a per-second number under a `Total` label.
    public static func history(_ summary: RunSummary) -> String {
        var totalRequests: UInt64 = 0
        var totalFailures: UInt64 = 0
        var latencySum = 0.0
        var totalMax = 0.0
        var rows: [[String]] = []
        for sample in summary.history.sorted(by: { $0.second < $1.second }) {
            totalRequests += sample.requests
            totalFailures += sample.failures
            latencySum += sample.avgMs * Double(sample.requests)
            if sample.requests > 0 { totalMax = max(totalMax, sample.maxMs) }
            let na = notAvailable
            let percentiles = sample.requests == 0
                ? Array(repeating: na, count: SummaryTable.percentileHeaders.count)
                : [wholeMs(sample.medianMs), na, na, na, na, wholeMs(sample.p95Ms), na, wholeMs(sample.p99Ms),
                   na, na, wholeMs(sample.maxMs)]
            let average = totalRequests == 0 ? 0 : latencySum / Double(totalRequests)
            rows.append(
                ["\(sample.timestamp)", "\(sample.users)", "", "Aggregated",
                 formatFixed(Double(sample.requests), decimals: 6), formatFixed(Double(sample.failures), decimals: 6)]
                    + percentiles
                    + ["\(totalRequests)", "\(totalFailures)", na, ms(average), na, ms(totalMax), na]
                    + (summary.openModel == nil ? [] : ["\(sample.dropped ?? 0)"]))
        }
        return CSV.document(header: historyHeader + (summary.openModel == nil ? [] : [droppedColumn]), rows: rows)
    }

    /// `PREFIX_failures.csv`: one row per endpoint and reason, most frequent first.
    public static func failures(_ summary: RunSummary) -> String {
        let rows = SummaryTable.sortedFailures(summary.failuresByReason).map {
            [$0.method, $0.name, $0.reason, "\($0.count)"]
        }
        return CSV.document(header: failuresHeader, rows: rows)
    }

    private static func wholeMs(_ value: Double) -> String { formatFixed(value, decimals: 0) }
    private static func ms(_ value: Double) -> String { formatFixed(value, decimals: 3) }
}
