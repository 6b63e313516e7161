import Protocol

/// The last `RecentWindow.span` closed seconds of a run, each kept whole (per-endpoint counts and
/// the total's merged latency histogram) so "current" figures are exact: each endpoint's own rate
/// and the window's percentiles, not the run's averages apportioned. Costs a few histograms.
struct RecentSeconds: Sendable {
    struct Second: Sendable {
        var index: Int
        /// Per endpoint slot (shorter when later endpoints had no request that second).
        var requests: [UInt64]
        var failures: [UInt64]
        var latency: LatencyHistogram
    }

    /// Ascending by `index`, at most `RecentWindow.span`.
    private(set) var seconds: [Second] = []

    /// Keeps `second` if it is among the newest; seconds may close out of order (a late reporter).
    mutating func add(_ second: Second) {
        let at = seconds.firstIndex { $0.index > second.index } ?? seconds.endIndex
        seconds.insert(second, at: at)
        if seconds.count > RecentWindow.span { seconds.removeFirst(seconds.count - RecentWindow.span) }
    }

    mutating func removeAll() { seconds.removeAll() }

    /// Requests and failures per second of endpoint `slot` over the window.
    func rate(slot: Int) -> (requests: Double, failures: Double) {
        guard !seconds.isEmpty else { return (0, 0) }
        var requests: UInt64 = 0
        var failures: UInt64 = 0
        for second in seconds where slot < second.requests.count {
            requests = requests.saturatingAdd(second.requests[slot])
            failures = failures.saturatingAdd(second.failures[slot])
        }
        let n = Double(seconds.count)
        return (Double(requests) / n, Double(failures) / n)
    }

    /// The whole window, all endpoints together; `nil` before the first second closed.
    func window() -> RecentWindow? {
        guard !seconds.isEmpty else { return nil }
        var latency = LatencyHistogram()
        var requests: UInt64 = 0
        var failures: UInt64 = 0
        for second in seconds {
            latency.add(second.latency)
            requests = second.requests.reduce(requests) { $0.saturatingAdd($1) }
            failures = second.failures.reduce(failures) { $0.saturatingAdd($1) }
        }
        let n = Double(seconds.count)
        let values = latency.percentilesAndMean([50, 95, 99]).values.map { Double($0) / 1000 }
        return RecentWindow(
            seconds: seconds.count, requestsPerS: Double(requests) / n, failuresPerS: Double(failures) / n,
            medianMs: values[0], p95Ms: values[1], p99Ms: values[2])
    }
}
