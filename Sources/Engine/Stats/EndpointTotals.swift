import Protocol

/// Run-to-date counts and histograms of one endpoint (or of all, for the total row).
struct EndpointTotals {
    var requests: UInt64 = 0
    var failures: UInt64 = 0
    var bytes: UInt64 = 0
    var latency = LatencyHistogram()
    var serviceTime = LatencyHistogram()
    var lag = LatencyHistogram()
    /// Typed until the summary is rendered (`FailureText`).
    var failureReasons: [FailureReason: UInt64] = [:]
    var phases = PhaseTotals()
    /// An interval's counts; its histograms come separately (`addHistograms`), batched per endpoint.
    mutating func addCounts(_ interval: EndpointInterval) {
        // Saturating: the counts may come from another node, and a hostile one may say 2^64 − 1.
        requests = requests.saturatingAdd(interval.requests)
        failures = failures.saturatingAdd(interval.failures)
        bytes = bytes.saturatingAdd(interval.bytes)
        phases.add(interval.phases)
        for tally in interval.failureReasons {
            failureReasons[tally.reason] = failureReasons[tally.reason, default: 0].saturatingAdd(tally.count)
        }
    }

    mutating func addHistograms(
        latency rowLatency: SparseHistogram, serviceTime rowServiceTime: SparseHistogram,
        lag rowLag: SparseHistogram? = nil
    ) {
        rowLatency.add(into: &latency)
        rowServiceTime.add(into: &serviceTime)
        rowLag?.add(into: &lag)
    }

    mutating func add(_ other: EndpointTotals) {
        requests = requests.saturatingAdd(other.requests)
        failures = failures.saturatingAdd(other.failures)
        bytes = bytes.saturatingAdd(other.bytes)
        latency.add(other.latency)
        serviceTime.add(other.serviceTime)
        lag.add(other.lag)
        phases.add(other.phases)
        for (reason, count) in other.failureReasons {
            failureReasons[reason] = failureReasons[reason, default: 0].saturatingAdd(count)
        }
    }

    /// The summary row; `seconds` is the measured span rates are taken over.
    func summary(key: EndpointKey, seconds: Double, currentRps: Double) -> EndpointSummary {
        var row = EndpointSummary(method: key.method, name: key.name)
        row.requests = requests
        row.failures = failures
        row.currentRps = currentRps
        if seconds > 0 {
            row.rps = Double(requests) / seconds
            row.failuresPerS = Double(failures) / seconds
        }
        if requests > 0 { row.avgBytes = Double(bytes) / Double(requests) }
        row.phases = phases.summary()
        // Empty while the run's first second is still open (histograms merge when it closes).
        guard latency.totalCount > 0 else { return row }
        let (values, mean) = latency.percentilesAndMean([50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99])
        let ms = values.map { Double($0) / 1000 }
        (row.medianMs, row.p66Ms, row.p75Ms, row.p80Ms, row.p90Ms) = (ms[0], ms[1], ms[2], ms[3], ms[4])
        (row.p95Ms, row.p98Ms, row.p99Ms, row.p999Ms, row.p9999Ms) = (ms[5], ms[6], ms[7], ms[8], ms[9])
        row.avgMs = mean / 1000
        row.minMs = Double(latency.min) / 1000
        row.maxMs = Double(latency.max) / 1000
        let service = serviceTime.percentilesAndMean([50, 95, 99]).values.map { Double($0) / 1000 }
        (row.serviceMedianMs, row.serviceP95Ms, row.serviceP99Ms) = (service[0], service[1], service[2])
        if lag.totalCount > 0 {
            let lagMs = lag.percentilesAndMean([50, 99]).values.map { Double($0) / 1000 }
            row.lag = ScheduleLag(medianMs: lagMs[0], p99Ms: lagMs[1], maxMs: Double(lag.max) / 1000)
        }
        return row
    }
}
