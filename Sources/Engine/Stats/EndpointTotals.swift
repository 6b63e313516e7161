import Histogram
import Protocol

/// Run-to-date counts and histograms of one endpoint (or of all, for the total row).
struct EndpointTotals {
    var requests: UInt64 = 0
    var failures: UInt64 = 0
    var bytes: UInt64 = 0
    var latency = LatencyHistogram.latency()
    var serviceTime = LatencyHistogram.latency()
    var failureReasons: [String: UInt64] = [:]

    mutating func add(_ interval: EndpointInterval) {
        requests += interval.requests
        failures += interval.failures
        bytes += interval.bytes
        interval.latency.add(into: &latency)
        interval.serviceTime.add(into: &serviceTime)
        for tally in interval.failureReasons { failureReasons[tally.reason, default: 0] += tally.count }
    }

    mutating func add(_ other: EndpointTotals) {
        requests += other.requests
        failures += other.failures
        bytes += other.bytes
        if other.latency.totalCount > 0 { latency.add(other.latency) }
        if other.serviceTime.totalCount > 0 { serviceTime.add(other.serviceTime) }
        for (reason, count) in other.failureReasons { failureReasons[reason, default: 0] += count }
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
        guard latency.totalCount > 0 else { return row }
        func ms(_ percentile: Double) -> Double { Double(latency.valueAtPercentile(percentile)) / 1000 }
        row.medianMs = ms(50)
        row.p66Ms = ms(66)
        row.p75Ms = ms(75)
        row.p80Ms = ms(80)
        row.p90Ms = ms(90)
        row.p95Ms = ms(95)
        row.p98Ms = ms(98)
        row.p99Ms = ms(99)
        row.p999Ms = ms(99.9)
        row.p9999Ms = ms(99.99)
        row.avgMs = latency.mean / 1000
        row.minMs = Double(latency.min) / 1000
        row.maxMs = Double(latency.max) / 1000
        row.serviceMedianMs = Double(serviceTime.valueAtPercentile(50)) / 1000
        row.serviceP95Ms = Double(serviceTime.valueAtPercentile(95)) / 1000
        row.serviceP99Ms = Double(serviceTime.valueAtPercentile(99)) / 1000
        row.avgBytes = Double(bytes) / Double(requests)
        return row
    }
}
