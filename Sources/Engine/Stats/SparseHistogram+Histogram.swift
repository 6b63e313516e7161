import Protocol

extension SparseHistogram {
    /// The non-empty buckets of `histogram`; walks its pages once (off the hot path).
    init<Count>(_ histogram: PagedHistogram<Count>) {
        self.init()
        histogram.forEachBucket { value, count in
            values.append(value)
            counts.append(count)
        }
    }

    /// Adds these buckets into `histogram`, landing each count in the bucket it came from. Values
    /// and counts may come from another node: out-of-range values are clamped and counts saturate.
    func add(into histogram: inout LatencyHistogram) {
        histogram.add(values: values, counts: counts)
    }
}

extension WindowStats {
    /// The wire form of this window. Failure reasons stay typed (`FailureText` words them when a
    /// summary is rendered); `labels` name the checks table's rows.
    func interval(endpoints keys: [EndpointKey], labels: ResponseLabels = ResponseLabels()) -> IntervalStats {
        var rows: [EndpointInterval] = []
        for i in keys.indices where requests[i] > 0 {
            let reasons = failureReasons[i].map { ReasonTally(reason: $0.key, count: $0.value) }
            var row = EndpointInterval(
                key: keys[i], requests: requests[i], failures: failures[i], bytes: bytes[i],
                latency: SparseHistogram(latency[i]), serviceTime: SparseHistogram(serviceTime[i]),
                failureReasons: reasons)
            row.lag = SparseHistogram(lag[i])
            row.phases = phases.sample(endpoint: i)
            rows.append(row)
        }
        var interval = IntervalStats(
            second: second, users: users, dropped: dropped, cpuMicros: cpuMicros,
            wallMicros: wallMicros, threads: 1, endpoints: rows)
        interval.checks = checkTallies(labels)
        if skipped > 0 { interval.skipped = skipped }
        interval.newConnections = newConnections
        return interval
    }
}
