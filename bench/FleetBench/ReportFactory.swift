import Foundation
import Protocol

/// Synthetic one-second statistics shaped like a real worker's: `endpoints` rows `GET /e00…`, each
/// with `requests` requests whose latencies spread over about `buckets` HdrHistogram buckets between
/// 200 µs and 200 ms, most near the endpoint's median and a long tail. Built once; the fakes only
/// stamp the second. A few variants with other bucket values keep the master's merge honest:
/// identical reports would land in the same buckets every time and flatter its histograms.
struct ReportFactory: Sendable {
    let endpoints: Int
    /// Requests in one report, over all endpoints: what each report adds to the merged total.
    let requestsPerReport: UInt64
    private let variants: [[EndpointInterval]]

    init(endpoints: Int, requests: Int, buckets: Int, variants: Int = 8) {
        self.endpoints = endpoints
        requestsPerReport = UInt64(endpoints * requests)
        var random = SplitMix64(seed: 0x10AD_D0FF_1EE7)
        self.variants = (0..<variants).map { _ in
            (0..<endpoints).map { endpoint in
                // Medians from 1 ms to 40 ms across the endpoints, as a real API's would differ.
                let median = 1000 * pow(40, endpoints > 1 ? Double(endpoint) / Double(endpoints - 1) : 0)
                let latency = Self.histogram(buckets: buckets, requests: requests, median: median, random: &random)
                // Service time is latency minus a little queueing: the same shape, slightly earlier.
                let service = SparseHistogram(
                    values: latency.values.map { Self.bucketValue(UInt64(Double($0) * 0.97)) },
                    counts: latency.counts)
                return EndpointInterval(
                    key: EndpointKey(method: "GET", name: Self.name(endpoint)),
                    requests: UInt64(requests), failures: 0, bytes: UInt64(requests * 1578),
                    latency: latency, serviceTime: service, failureReasons: [])
            }
        }
    }

    /// The endpoint names the scenario must use for the master's rows to match: `/e00`, `/e01`, …
    static func name(_ endpoint: Int) -> String {
        endpoint < 10 ? "/e0\(endpoint)" : "/e\(endpoint)"
    }

    /// One engine thread's second as a real worker reports it: one user, 2 % of a core.
    func interval(second: Int, variant: Int) -> IntervalStats {
        IntervalStats(
            second: second, users: 1, dropped: 0, cpuMicros: 20_000, wallMicros: 1_000_000, threads: 1,
            endpoints: variants[variant % variants.count])
    }

    /// `buckets` values log-spaced over 200 µs…200 ms (jittered inside their slot so variants differ),
    /// each counted at least once, the rest of `requests` weighted by a log-normal around `median`.
    private static func histogram(
        buckets: Int, requests: Int, median: Double,
        random: inout SplitMix64
    ) -> SparseHistogram {
        let (low, high) = (200.0, 200_000.0)
        let count = min(buckets, requests)
        var values: [UInt64] = []
        var weights: [Double] = []
        for slot in 0..<count {
            // The middle half of each slot only: neighbours never fall into one HdrHistogram bucket.
            let position = (Double(slot) + 0.25 + 0.5 * random.unit()) / Double(count)
            let value = low * pow(high / low, position)
            values.append(bucketValue(UInt64(value)))
            let distance = log(value / median)
            weights.append(exp(-distance * distance / 2))
        }
        let spare = Double(requests - count)
        let total = weights.reduce(0, +)
        var counts = weights.map { 1 + UInt64(spare * $0 / total) }
        // Largest remainder, so every report holds exactly `requests` requests.
        let order = weights.indices.sorted {
            (spare * weights[$0] / total).truncatingRemainder(dividingBy: 1)
                > (spare * weights[$1] / total).truncatingRemainder(dividingBy: 1)
        }
        var missing = UInt64(requests) - counts.reduce(0, +)
        for index in order where missing > 0 {
            counts[index] += 1
            missing -= 1
        }
        return SparseHistogram(values: values, counts: counts)
    }

    /// The highest value equivalent to `value` in the engine's histogram (1 µs…1 h, 3 significant
    /// digits: 2048 sub-buckets), which is what a real worker's sparse form carries. Computed here
    /// rather than through the engine's internal histogram type.
    static func bucketValue(_ value: UInt64) -> UInt64 {
        let shift = max(0, (64 - value.leadingZeroBitCount) - 11)
        return ((value >> shift) << shift) + (1 << shift) - 1
    }
}

/// A small seeded generator: the same synthetic statistics on every run, so runs compare.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
