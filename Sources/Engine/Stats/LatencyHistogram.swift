import Histogram

/// Latencies in microseconds, 1 µs … 1 h at 3 significant digits (the design's range).
typealias LatencyHistogram = Histogram<UInt64>

extension Histogram where Count == UInt64 {
    static func latency() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                          numberOfSignificantValueDigits: .three)
    }
}

extension Histogram where Count == UInt64 {
    /// `valueAtPercentile` for several percentiles (ascending) and `mean`, in one walk over the
    /// buckets instead of one walk each: a summary asks for eleven figures, every second, for every
    /// endpoint (and the library's own walk is not specialized, so it is slow as well as repeated).
    func percentilesAndMean(_ percentiles: [Double]) -> (values: [UInt64], mean: Double) {
        var results = [UInt64](repeating: 0, count: percentiles.count)
        guard totalCount > 0 else { return (results, 0) }
        // The same count targets valueAtPercentile computes (one ulp down, rounded up, at least 1).
        let targets = percentiles.map { percentile -> UInt64 in
            let clamped = Swift.min(Swift.max(percentile.nextDown, 0), 100)
            return Swift.max(1, UInt64((clamped * Double(totalCount) / 100).rounded(.up)))
        }
        var next = 0
        var running: UInt64 = 0
        var total = 0.0
        for bucket in recordedValues() {
            running += bucket.count
            total += Double(medianEquivalentForValue(bucket.value)) * Double(bucket.count)
            while next < targets.count && running >= targets[next] {
                results[next] = Swift.max(Swift.min(bucket.value, maxRecorded), self.min)   // as valueAtPercentile clamps
                next += 1
            }
        }
        for (i, percentile) in percentiles.enumerated() {
            if percentile == 0 { results[i] = self.min } else if percentile >= 100 { results[i] = maxRecorded }
        }
        return (results, total / Double(totalCount))
    }
}
