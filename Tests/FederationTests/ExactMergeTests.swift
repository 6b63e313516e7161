import Engine
import Federation
import Protocol
import Testing

/// The top of the HdrHistogram bucket `value` falls in, at 3 significant digits from 1 µs: the
/// value a worker's sparse histogram carries for it. Below 2048 buckets are one unit wide, then
/// they double with each power of two.
func bucketTop(_ value: UInt64) -> UInt64 {
    let magnitude = 63 - value.leadingZeroBitCount
    let width: UInt64 = magnitude > 10 ? 1 << UInt64(magnitude - 10) : 1
    return value | (width - 1)
}

/// The sparse histogram of `samples` as a worker sends it.
func sparse(_ samples: [UInt64]) -> SparseHistogram {
    var counts: [UInt64: UInt64] = [:]
    for sample in samples { counts[bucketTop(sample), default: 0] += 1 }
    let values = counts.keys.sorted()
    return SparseHistogram(values: values, counts: values.map { counts[$0]! })
}

private func row(_ samples: [UInt64]) -> EndpointInterval {
    EndpointInterval(
        key: EndpointKey(method: "GET", name: "/Test/V1"), requests: UInt64(samples.count), failures: 0,
        bytes: 0, latency: sparse(samples), serviceTime: sparse(samples), failureReasons: [])
}

@Suite struct ExactMergeTests {
    /// Three workers with very different latency profiles, each reporting per thread per second:
    /// the merged percentiles are those of one histogram of every sample, not an average.
    @Test func mergedPercentilesEqualThoseOfTheUnionOfAllSamples() throws {
        var random = SystemRandomNumberGenerator()
        let profiles: [ClosedRange<UInt64>] = [800...2_500, 5_000...40_000, 100_000...900_000]
        let workers = ["fast", "medium", "slow"]
        var samplesByWorkerSecond: [String: [[UInt64]]] = [:]
        for (index, name) in workers.enumerated() {
            samplesByWorkerSecond[name] = (0..<5).map { _ in
                (0..<(400 * (index + 1))).map { _ in UInt64.random(in: profiles[index], using: &random) }
            }
        }
        let (plan, yaml) = try testPlan(users: 30)
        let request = FleetRun.Request(
            id: RunID(rawValue: "merge"), plan: plan, scenario: yaml, file: "m.yaml",
            overrides: RunOverrides())
        let capacities = workers.map { (WorkerCapacity(node: node($0), cores: 1), 2) }
        var (run, out) = try FleetRun.start(request, workers: capacities, now: .zero, unixSeconds: 0)
        for item in out {
            guard case .assign(let assignment) = item.message else { continue }
            let name = item.node.rawValue
            for (second, samples) in samplesByWorkerSecond[name]!.enumerated() {
                // Two engine threads: split each second's samples between them.
                let half = samples.count / 2
                let report = StatsReport(
                    node: item.node, run: run.id, assignment: assignment.assignment, sequence: UInt64(second + 1),
                    intervals: [
                        IntervalStats(
                            second: second, users: 5, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000,
                            threads: 1, endpoints: [row(Array(samples[..<half]))]),
                        IntervalStats(
                            second: second, users: 5, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000,
                            threads: 1, endpoints: [row(Array(samples[half...]))]),
                    ])
                #expect(absorbing(&run, report))
            }
        }
        _ = run.stop(now: .seconds(5))
        _ = run.tick(now: .seconds(60))
        let merged = run.summary(now: .seconds(60))

        // One aggregator fed every sample at once: one histogram of the union.
        let union = samplesByWorkerSecond.values.flatMap { $0.flatMap { $0 } }
        var single = RunAggregator(endpoints: plan.endpoints, expectedReporters: 1, startUnixSeconds: 0)
        single.absorb(
            IntervalStats(
                second: 0, users: 30, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000, threads: 1,
                endpoints: [row(union)]))
        single.closeAll()
        let reference = single.summary(
            plan: plan, run: nil, startedAt: 0, measuredSeconds: 5, users: 30, threads: 1,
            abortReason: nil)

        #expect(merged.total.requests == UInt64(union.count))
        #expect(merged.total.medianMs == reference.total.medianMs)
        #expect(merged.total.p95Ms == reference.total.p95Ms)
        #expect(merged.total.p99Ms == reference.total.p99Ms)
        #expect(merged.total.p999Ms == reference.total.p999Ms)
        #expect(merged.total.maxMs == reference.total.maxMs)
        #expect(merged.total.minMs == reference.total.minMs)

        // And they match the exact order statistics of the samples to HdrHistogram's precision.
        let sorted = union.sorted()
        for (percentile, measured) in [
            (50.0, merged.total.medianMs), (95, merged.total.p95Ms), (99, merged.total.p99Ms),
        ] {
            let rank = max(0, Int((percentile / 100 * Double(sorted.count)).rounded(.up)) - 1)
            let exact = Double(sorted[rank]) / 1000
            #expect(abs(measured - exact) <= exact * 0.001 + 0.001, "p\(percentile): \(measured) vs \(exact)")
        }
        // Averaging each worker's p95 would be far off: the merge is what makes this right.
        #expect(merged.total.p95Ms > 100)
    }
}
