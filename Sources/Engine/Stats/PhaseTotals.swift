import Protocol

/// Run-to-date timing phases of one endpoint (or of all, for the total row): counts per
/// `PhaseBuckets` bucket for each phase, their sums and the bytes. Beside `EndpointTotals`' latency
/// histograms; merged by adding counts at the same index, so a fleet's merge is exact.
struct PhaseTotals {
    /// `phase * PhaseBuckets.count + bucket`; empty until the first answered request.
    private var counts: [UInt64] = []
    private var sums = [UInt64](repeating: 0, count: TimingPhase.allCases.count)
    private var requests: UInt64 = 0
    private var bytesSent: UInt64 = 0
    private var bytesReceived: UInt64 = 0

    /// Adds an interval's phases. They may come from another node: bucket indices past the layout
    /// land in its last bucket and every sum saturates (`checkRanges` refuses such frames first).
    mutating func add(_ phases: EndpointPhases?) {
        guard let phases else { return }
        if counts.isEmpty { counts = Array(repeating: 0, count: PhaseWindow.stride) }
        for phase in TimingPhase.allCases {
            let sample = phases[phase]
            sums[phase.rawValue] = sums[phase.rawValue].saturatingAdd(sample.sumMicros)
            let base = phase.rawValue * PhaseBuckets.count
            var answered: UInt64 = 0
            for i in sample.buckets.values.indices where i < sample.buckets.counts.count {
                let index = base + Int(min(sample.buckets.values[i], UInt64(PhaseBuckets.count - 1)))
                counts[index] = counts[index].saturatingAdd(sample.buckets.counts[i])
                answered = answered.saturatingAdd(sample.buckets.counts[i])
            }
            // Every phase counts each answered request once; the first phase says how many there were.
            if phase == .dns { requests = requests.saturatingAdd(answered) }
        }
        bytesSent = bytesSent.saturatingAdd(phases.bytesSent)
        bytesReceived = bytesReceived.saturatingAdd(phases.bytesReceived)
    }

    mutating func add(_ other: PhaseTotals) {
        guard !other.counts.isEmpty else { return }
        if counts.isEmpty { counts = Array(repeating: 0, count: PhaseWindow.stride) }
        for i in counts.indices { counts[i] = counts[i].saturatingAdd(other.counts[i]) }
        for i in sums.indices { sums[i] = sums[i].saturatingAdd(other.sums[i]) }
        requests = requests.saturatingAdd(other.requests)
        bytesSent = bytesSent.saturatingAdd(other.bytesSent)
        bytesReceived = bytesReceived.saturatingAdd(other.bytesReceived)
    }

    /// The heap bytes the counts hold (the memory budget's measure).
    var heapBytes: Int { counts.capacity * MemoryLayout<UInt64>.stride }

    /// Mean and p95 of each phase; `nil` before any answered request.
    func summary() -> PhaseSummary? {
        guard requests > 0, !counts.isEmpty else { return nil }
        func figures(_ phase: TimingPhase) -> PhaseFigures {
            let base = phase.rawValue * PhaseBuckets.count
            let buckets = counts[base..<(base + PhaseBuckets.count)]
            let total = buckets.reduce(0 as UInt64) { $0.saturatingAdd($1) }
            guard total > 0 else { return PhaseFigures(meanMs: 0, p95Ms: 0, nonzero: 0) }
            // The value at or below which 95 % of the requests lie, as the latency percentiles count.
            let rank = max(1, UInt64((Double(total) * 0.95).rounded(.up)))
            var seen: UInt64 = 0
            var p95 = PhaseBuckets.count - 1
            for (offset, count) in buckets.enumerated() {
                seen = seen.saturatingAdd(count)
                if seen >= rank { p95 = offset; break }
            }
            return PhaseFigures(
                meanMs: Double(sums[phase.rawValue]) / Double(total) / 1000,
                p95Ms: PhaseBuckets.middle(at: p95) / 1000, nonzero: total - buckets[base])
        }
        return PhaseSummary(
            dns: figures(.dns), connect: figures(.connect), tls: figures(.tls), ttfb: figures(.ttfb),
            transfer: figures(.transfer), requests: requests, bytesSent: bytesSent,
            bytesReceived: bytesReceived)
    }
}
