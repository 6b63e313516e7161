import Histogram
import Protocol

@testable import Engine

/// One second of `GET /a` as an engine thread hands it over: `requests` requests of 1 ms each, no
/// failures. The fixture of the aggregator's and the ledger's tests.
func interval(second: Int, requests: UInt64) -> IntervalStats {
    var histogram = LatencyHistogram()
    for _ in 0..<requests { histogram.record(1000) }
    let row = EndpointInterval(
        key: EndpointKey(method: "GET", name: "/a"), requests: requests, failures: 0,
        bytes: 0, latency: SparseHistogram(histogram), serviceTime: SparseHistogram(histogram),
        failureReasons: [])
    return IntervalStats(
        second: second, users: 1, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000, threads: 1,
        endpoints: [row])
}
