import Histogram

/// Latencies in microseconds, 1 µs … 1 h at 3 significant digits (the design's range).
typealias LatencyHistogram = Histogram<UInt64>

extension Histogram where Count == UInt64 {
    static func latency() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                          numberOfSignificantValueDigits: .three)
    }
}
