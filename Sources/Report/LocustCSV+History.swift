import Protocol

extension LocustCSV {
    /// One row of `PREFIX_stats_history.csv`, filled as Locust 2.47 fills it without `--csv-full-history`
    /// (`StatsCSVFileWriter._stats_history_data_rows`):
    /// - `Requests/s`, `Failures/s`: that second's own counts, six decimals (Locust writes `:2f`; its figure is
    ///   a moving average over about ten seconds, loadd's is the second itself).
    /// - the eleven percentile columns: whole milliseconds of the run so far (Locust's `use_current=False`:
    ///   its aggregated row's percentiles are the run's, so `100%` is the running maximum); `N/A` until a
    ///   request has completed.
    /// - `Total …`: counts and the median as integers, average, min and max milliseconds and the average
    ///   content size as decimals, all over the run so far.
    /// A partial last second is left out by `history` (see `HistorySample.partial`).
    static func historyRow(_ sample: HistorySample, legacy: inout LegacyTotals) -> [String] {
        let lead = [
            "\(sample.timestamp)", "\(sample.users)", "", "Aggregated",
            formatFixed(Double(sample.requests), decimals: 6), formatFixed(Double(sample.failures), decimals: 6),
        ]
        guard let soFar = sample.soFar else { return lead + legacy.row(sample) }
        let percentiles =
            soFar.requests == 0
            ? Array(repeating: notAvailable, count: SummaryTable.percentileHeaders.count)
            : soFar.percentilesMs.map(wholeMs)
        // Before the first request Locust writes `0,0,0,0.0,0,0,0`: min, max and content size as integers.
        let none = soFar.requests == 0
        return lead + percentiles + [
            "\(soFar.requests)", "\(soFar.failures)", wholeMs(soFar.medianMs), ms(soFar.avgMs),
            none ? "0" : ms(soFar.minMs), none ? "0" : ms(soFar.maxMs),
            none ? "0" : formatFixed(soFar.avgBytes, decimals: 2),
        ]
    }

    /// Summaries stored before loadd kept `so_far` have only each second's median, p95, p99 and max: the
    /// percentile columns are that second's, and what cannot be rebuilt from per-second figures is `N/A`.
    struct LegacyTotals {
        var requests: UInt64 = 0
        var failures: UInt64 = 0
        var latencySum = 0.0
        var maxMs = 0.0

        mutating func row(_ sample: HistorySample) -> [String] {
            requests = Self.saturatingSum(requests, sample.requests)
            failures = Self.saturatingSum(failures, sample.failures)
            latencySum += sample.avgMs * Double(sample.requests)
            if sample.requests > 0 { maxMs = max(maxMs, sample.maxMs) }
            let na = LocustCSV.notAvailable
            let whole = LocustCSV.wholeMs
            let percentiles =
                sample.requests == 0
                ? Array(repeating: na, count: SummaryTable.percentileHeaders.count)
                : [
                    whole(sample.medianMs), na, na, na, na, whole(sample.p95Ms), na, whole(sample.p99Ms), na, na,
                    whole(sample.maxMs),
                ]
            let average = requests == 0 ? 0 : latencySum / Double(requests)
            return percentiles + ["\(requests)", "\(failures)", na, LocustCSV.ms(average), na, LocustCSV.ms(maxMs), na]
        }

        private static func saturatingSum(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? .max : sum
        }
    }
}
