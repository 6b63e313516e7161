import Protocol

/// One engine thread's timing phases for one window, per endpoint: counts per `PhaseBuckets` bucket
/// for each of the five phases, their sums, and the bytes sent and received. Part of `WindowStats`
/// (thread-confined while filled).
///
/// An endpoint's counts are one flat array of `TimingPhase.allCases.count × PhaseBuckets.count`
/// 32-bit counts (4.7 KiB), made on its first answered request and zeroed, not freed, at each window's
/// end while the endpoint stays in use — so steady state allocates nothing — and given back after a
/// window without one (cold), as the latency histograms' pages are.
struct PhaseWindow {
    /// `TimingPhase.allCases.count`, as a constant: read on every record, where a lazily initialised
    /// static would cost a once-check (`init` asserts they agree).
    static var phases: Int { 5 }
    static var stride: Int { phases * PhaseBuckets.count }

    private(set) var counts: [[UInt32]]
    /// `endpoint * phases + phase`: µs summed.
    private var sums: [UInt64]
    private var sent: [UInt64]
    private var received: [UInt64]
    private var answered: [UInt64]

    init(endpoints: Int) {
        assert(Self.phases == TimingPhase.allCases.count)
        counts = Array(repeating: [], count: endpoints)
        sums = Array(repeating: 0, count: endpoints * Self.phases)
        sent = Array(repeating: 0, count: endpoints)
        received = Array(repeating: 0, count: endpoints)
        answered = Array(repeating: 0, count: endpoints)
    }

    /// One answered request's phases, µs, in `TimingPhase` order.
    @inline(__always)
    mutating func record(
        endpoint: Int, dns: UInt64, connect: UInt64, tls: UInt64, ttfb: UInt64, transfer: UInt64,
        bytesSent: UInt64, bytesReceived: UInt64
    ) {
        if counts[endpoint].isEmpty { counts[endpoint] = Array(repeating: 0, count: Self.stride) }
        let base = endpoint * Self.phases
        sums[base] &+= dns
        sums[base + 1] &+= connect
        sums[base + 2] &+= tls
        sums[base + 3] &+= ttfb
        sums[base + 4] &+= transfer
        counts[endpoint].withUnsafeMutableBufferPointer { buckets in
            buckets[PhaseBuckets.index(of: dns)] &+= 1
            buckets[PhaseBuckets.count + PhaseBuckets.index(of: connect)] &+= 1
            buckets[2 * PhaseBuckets.count + PhaseBuckets.index(of: tls)] &+= 1
            buckets[3 * PhaseBuckets.count + PhaseBuckets.index(of: ttfb)] &+= 1
            buckets[4 * PhaseBuckets.count + PhaseBuckets.index(of: transfer)] &+= 1
        }
        sent[endpoint] &+= bytesSent
        received[endpoint] &+= bytesReceived
        answered[endpoint] &+= 1
    }

    /// The wire form of `endpoint`'s phases in this window, `nil` when none of its requests was answered.
    func sample(endpoint: Int) -> EndpointPhases? {
        guard answered[endpoint] > 0 else { return nil }
        var phases = EndpointPhases()
        let buckets = counts[endpoint]
        for phase in TimingPhase.allCases {
            var histogram = SparseHistogram()
            let start = phase.rawValue * PhaseBuckets.count
            for index in 0..<PhaseBuckets.count where buckets[start + index] > 0 {
                histogram.values.append(UInt64(index))
                histogram.counts.append(UInt64(buckets[start + index]))
            }
            phases[phase] = PhaseSample(sumMicros: sums[endpoint * Self.phases + phase.rawValue], buckets: histogram)
        }
        phases.bytesSent = sent[endpoint]
        phases.bytesReceived = received[endpoint]
        return phases
    }

    /// The heap bytes `endpoint`'s counts hold (the memory budget's measure).
    func heapBytes(endpoint: Int) -> Int { counts[endpoint].capacity * MemoryLayout<UInt32>.stride }

    /// Empties the window for reuse; an endpoint that had no answered request gives its counts back.
    mutating func clear() {
        for endpoint in counts.indices {
            if answered[endpoint] == 0 {
                if !counts[endpoint].isEmpty { counts[endpoint] = [] }
                continue
            }
            counts[endpoint].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for phase in 0..<Self.phases { sums[endpoint * Self.phases + phase] = 0 }
            sent[endpoint] = 0
            received[endpoint] = 0
            answered[endpoint] = 0
        }
    }
}
