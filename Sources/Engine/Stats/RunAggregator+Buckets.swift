import Protocol

extension PagedHistogram {
    /// This histogram cut at `LatencyBuckets.boundsMicros`: each HDR bucket counts under the first
    /// bound at or above its highest equivalent value (HDR keeps 3 significant digits, so a value
    /// within 0.1 % above a bound may count in the next one). Walks the pages once.
    func buckets() -> LatencyBuckets {
        let bounds = LatencyBuckets.boundsMicros
        var perBound = [UInt64](repeating: 0, count: bounds.count)
        var sum = 0.0
        var bound = 0
        forEachBucket { value, count in
            while bound < bounds.count && value > bounds[bound] { bound += 1 }
            if bound < bounds.count { perBound[bound] = perBound[bound].saturatingAdd(count) }
            let (low, width) = Self.range(at: Self.index(of: value))
            sum += Double(low + width / 2) * Double(count)
        }
        var cumulative = perBound
        for i in cumulative.indices.dropFirst() { cumulative[i] = cumulative[i].saturatingAdd(cumulative[i - 1]) }
        return LatencyBuckets(cumulative: cumulative, count: totalCount, sumMicros: sum)
    }
}

extension RunAggregator {
    /// Every endpoint's latency and service-time histograms over the measured span, at the fixed
    /// bounds of a Prometheus histogram; in key order.
    public func endpointBuckets() -> [EndpointBuckets] {
        keys.indices.map { i in
            EndpointBuckets(
                key: keys[i], latency: totals[i].latency.buckets(), serviceTime: totals[i].serviceTime.buckets())
        }.sorted { $0.key < $1.key }
    }
}
