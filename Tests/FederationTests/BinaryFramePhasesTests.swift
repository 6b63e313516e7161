import Engine
import NIOCore
import Protocol
import Testing

@testable import Federation

/// An endpoint row's timing phases for `samples` (µs, one tuple of the five phases per request) as a
/// worker's engine thread reports them.
func phaseRow(_ samples: [[UInt64]], sent: UInt64 = 0, received: UInt64 = 0) -> EndpointPhases {
    var phases = EndpointPhases()
    for phase in TimingPhase.allCases {
        var counts: [Int: UInt64] = [:]
        var sum: UInt64 = 0
        for sample in samples {
            counts[PhaseBuckets.index(of: sample[phase.rawValue]), default: 0] += 1
            sum += sample[phase.rawValue]
        }
        let indices = counts.keys.sorted()
        phases[phase] = PhaseSample(
            sumMicros: sum,
            buckets: SparseHistogram(
                values: indices.map { UInt64($0) },
                counts: indices.map { counts[$0]! }))
    }
    phases.bytesSent = sent
    phases.bytesReceived = received
    return phases
}

/// Timing phases travel in the binary stats frame, range-checked by field name, and merge exactly on a master.
@Suite struct BinaryFramePhasesTests {
    private static func report(with phases: EndpointPhases) -> StatsReport {
        var report = BinaryFrameTests.report
        report.intervals[0].endpoints[0].phases = phases
        return report
    }

    @Test func aRowsPhasesRoundTripAndARowWithoutThemStaysWithout() throws {
        let phases = phaseRow(
            [[0, 0, 0, 40_000, 12], [3, 150, 2_400, 51_000, 9], [0, 0, 0, 3_600_000_000, 1]],
            sent: 1 << 40, received: 12_345)
        let report = Self.report(with: phases)
        let payload = try BinaryFrameTests.payload(.stats(report))
        let decoded = try BinaryFrameTests.decode(Array(payload.readableBytesView))
        #expect(decoded == .stats(report))
        guard case .stats(let back) = decoded else { return }
        #expect(back.intervals[0].endpoints[0].phases?.tls.buckets.counts.reduce(0, +) == 3)
        #expect(back.intervals[0].endpoints[1].phases == nil)
    }

    @Test func aBucketIndexPastTheLayoutIsRefusedNamingThePhase() throws {
        var phases = phaseRow([[1, 2, 3, 4, 5]])
        phases.tls.buckets = SparseHistogram(values: [UInt64(PhaseBuckets.count)], counts: [1])
        let payload = try BinaryFrameTests.payload(.stats(Self.report(with: phases)))
        let problem = BinaryFrameTests.problem(Array(payload.readableBytesView))
        #expect(
            problem?.contains("stats.phases.tls.buckets value: must be 0…239, got 240") == true,
            "\(String(describing: problem))")
    }

    @Test func outOfRangeSumsCountsAndBytesAreRefusedByName() throws {
        var sum = phaseRow([[1, 2, 3, 4, 5]])
        sum.ttfb.sumMicros = FieldRanges.phaseSumMicros.upperBound + 1
        var count = phaseRow([[1, 2, 3, 4, 5]])
        count.dns.buckets.counts = [FieldRanges.count.upperBound + 1]
        var bytes = phaseRow([[1, 2, 3, 4, 5]])
        bytes.bytesReceived = FieldRanges.bytes.upperBound + 1
        for (phases, field) in [
            (sum, "stats.phases.ttfb.sum_us"), (count, "stats.phases.dns.buckets count"),
            (bytes, "stats.phases.bytes_received"),
        ] {
            let payload = try BinaryFrameTests.payload(.stats(Self.report(with: phases)))
            let problem = BinaryFrameTests.problem(Array(payload.readableBytesView))
            #expect(problem?.contains(field + ": must be") == true, "\(String(describing: problem))")
        }
    }

    @Test func anUnknownPresenceTagIsAnErrorNamingTheField() throws {
        // The second endpoint row has no phases: its presence byte (0) is the frame's last byte of that row.
        var report = BinaryFrameTests.report
        report.intervals = [report.intervals[0]]
        report.intervals[0].endpoints = [report.intervals[0].endpoints[1]]
        report.intervals[0].checks = nil
        let payload = try BinaryFrameTests.payload(.stats(report))
        var bytes = Array(payload.readableBytesView)
        // Layout after the row: phases tag, then skipped (0), checks count (0), new_connections (0).
        let tag = bytes.count - 4
        #expect(bytes[tag] == 0)
        bytes[tag] = 7
        let problem = BinaryFrameTests.problem(bytes)
        #expect(problem?.contains("phases: unknown presence tag 7") == true, "\(String(describing: problem))")
    }

    /// Three workers, two engine threads each, five seconds, through the binary frame into a master's run:
    /// its phases are those of every sample together — the mean exact, the p95 the bucket of the true
    /// 95th-percentile sample — not an average of the workers' figures.
    @Test func aFleetsMergedPhasesAreThoseOfEverySampleTogether() throws {
        var random = SystemRandomNumberGenerator()
        let ttfbProfiles: [ClosedRange<UInt64>] = [500...2_000, 10_000...40_000, 200_000...900_000]
        let workers = ["fast", "medium", "slow"]
        let (plan, yaml) = try testPlan(users: 30)
        let request = FleetRun.Request(
            id: RunID(rawValue: "phases"), plan: plan, scenario: yaml, file: "p.yaml",
            overrides: RunOverrides())
        var (run, out) = try FleetRun.start(
            request, workers: workers.map { (WorkerCapacity(node: node($0), cores: 1), 2) },
            now: .zero, unixSeconds: 0)
        var all: [[UInt64]] = []
        var sent: UInt64 = 0
        for item in out {
            guard case .assign(let assignment) = item.message else { continue }
            let profile = ttfbProfiles[workers.firstIndex(of: item.node.rawValue)!]
            for second in 0..<5 {
                var intervals: [IntervalStats] = []
                for _ in 0..<2 {
                    // One request in ten opened a connection: DNS, connect and TLS only there.
                    let samples: [[UInt64]] = (0..<200).map { i in
                        let opened = i % 10 == 0
                        return [
                            opened ? UInt64.random(in: 1...30, using: &random) : 0,
                            opened ? UInt64.random(in: 40...200, using: &random) : 0,
                            opened ? UInt64.random(in: 900...5_000, using: &random) : 0,
                            UInt64.random(in: profile, using: &random), UInt64.random(in: 5...400, using: &random),
                        ]
                    }
                    all += samples
                    sent += 200 * 300
                    var row = EndpointInterval(
                        key: EndpointKey(method: "GET", name: "/Test/V1"), requests: 200, failures: 0,
                        bytes: 0, latency: SparseHistogram(values: [1_000], counts: [200]),
                        serviceTime: SparseHistogram(values: [1_000], counts: [200]), failureReasons: [])
                    row.phases = phaseRow(samples, sent: 200 * 300, received: 200 * 1_600)
                    intervals.append(
                        IntervalStats(
                            second: second, users: 5, dropped: 0, cpuMicros: 0,
                            wallMicros: 1_000_000, threads: 1, endpoints: [row]))
                }
                let report = StatsReport(
                    node: item.node, run: run.id, assignment: assignment.assignment,
                    sequence: UInt64(second + 1), intervals: intervals)
                // As a master gets it: written by the worker's encoder, read and range-checked.
                let payload = try BinaryFrameTests.payload(.stats(report))
                guard case .stats(let received) = try BinaryFrameTests.decode(Array(payload.readableBytesView)) else {
                    Issue.record("not a stats frame")
                    return
                }
                #expect(absorbing(&run, received))
            }
        }
        _ = run.stop(now: .seconds(5))
        _ = run.tick(now: .seconds(60))
        let merged = try #require(run.summary(now: .seconds(60)).total.phases)

        #expect(merged.requests == UInt64(all.count))
        #expect(merged.bytesSent == sent && merged.bytesReceived == UInt64(all.count) * 1_600)
        for phase in TimingPhase.allCases {
            let values = all.map { $0[phase.rawValue] }
            let exactMean = Double(values.reduce(0, +)) / Double(values.count) / 1000
            #expect(abs(merged[phase].meanMs - exactMean) < 1e-9, "\(phase) mean")
            let sorted = values.sorted()
            let p95Sample = sorted[Int((0.95 * Double(sorted.count)).rounded(.up)) - 1]
            #expect(
                merged[phase].p95Ms == PhaseBuckets.middle(at: PhaseBuckets.index(of: p95Sample)) / 1000, "\(phase) p95"
            )
            #expect(merged[phase].nonzero == UInt64(values.filter { $0 > 0 }.count), "\(phase) nonzero")
        }
        // The slow worker's tail sets the p95 of the waiting time: an average of per-worker p95s would not.
        #expect(merged.ttfb.p95Ms > 200)
    }
}
