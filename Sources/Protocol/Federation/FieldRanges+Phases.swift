/// The ranges of an endpoint row's timing phases (`EndpointPhases`) in a `stats` frame.
extension FieldRanges {
    /// A phase histogram's values are bucket indices of `PhaseBuckets`.
    public static let phaseBucket: ClosedRange<UInt64> = 0...UInt64(PhaseBuckets.count - 1)
    /// One phase summed over an interval's requests, µs: `count` requests of at most the latency
    /// range each (about 1.5 × 10^19, below 2^64: the sum a worker sends cannot have wrapped).
    public static let phaseSumMicros: ClosedRange<UInt64> = 0...(count.upperBound * latencyMicros.upperBound)
}

extension EndpointPhases {
    /// Each phase's sum, bucket indices, counts and their total, and the bytes, within range.
    func checkRanges(_ check: RangeCheck) throws(FieldRangeError) {
        for phase in TimingPhase.allCases {
            let sample = self[phase]
            try check.uint("phases.\(phase.key).sum_us", sample.sumMicros, FieldRanges.phaseSumMicros)
            let buckets = sample.buckets
            guard buckets.values.count == buckets.counts.count else {
                throw FieldRangeError(
                    field: "\(check.kind).phases.\(phase.key).buckets",
                    problem: "\(buckets.values.count) values but \(buckets.counts.count) counts")
            }
            var total: UInt64 = 0
            for i in buckets.values.indices {
                try check.uint("phases.\(phase.key).buckets value", buckets.values[i], FieldRanges.phaseBucket)
                try check.uint("phases.\(phase.key).buckets count", buckets.counts[i], FieldRanges.count)
                total += buckets.counts[i]   // both ≤ 2^32 here: cannot overflow
                try check.uint("phases.\(phase.key).buckets total", total, FieldRanges.count)
            }
        }
        try check.uint("phases.bytes_sent", bytesSent, FieldRanges.bytes)
        try check.uint("phases.bytes_received", bytesReceived, FieldRanges.bytes)
    }
}
