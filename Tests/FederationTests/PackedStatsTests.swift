import Engine
import Foundation
import NIOCore
import Protocol
import Testing

@testable import Federation

/// A master reads a worker's binary stats frame with the rows' histograms packed
/// (`MasterFrameDecoder`, `PackedHistograms`) and decodes them when their second closes: the same
/// merged figures, the same sums against the budget, and the same error for a bad frame as reading
/// it decoded (`FrameDecoder.message`).
@Suite struct PackedStatsTests {
    /// One worker's report for `second`: two engine threads, rows with latency, service time, lag,
    /// phases and failure reasons drawn from `random`, and a row with no requests.
    static func report(second: Int, worker: Int, random: inout SeededRandom) -> StatsReport {
        func samples(_ count: Int, _ range: ClosedRange<UInt64>) -> [UInt64] {
            (0..<count).map { _ in range.lowerBound + random.next() % (range.upperBound - range.lowerBound + 1) }
        }
        let intervals = (0..<2).map { thread in
            let latency = samples(50 + thread * 30, 300...250_000)
            var busy = EndpointInterval(
                key: EndpointKey(method: "GET", name: "/items/\(worker % 2)"), requests: UInt64(latency.count),
                failures: 3, bytes: 12_345, latency: sparse(latency), serviceTime: sparse(latency.map { $0 / 2 + 1 }),
                failureReasons: [ReasonTally(reason: .status(503), count: 2), ReasonTally(reason: .timeout, count: 1)])
            busy.lag = sparse(samples(latency.count, 0...5_000))
            busy.phases = phaseRow((0..<4).map { _ in samples(5, 0...90_000) }, sent: 100, received: 900)
            let idle = EndpointInterval(
                key: EndpointKey(method: "POST", name: "/login"), requests: 0, failures: 0, bytes: 0,
                latency: SparseHistogram(), serviceTime: SparseHistogram(), failureReasons: [])
            var noLag = busy
            noLag.key = EndpointKey(method: "GET", name: "/health")
            noLag.lag = nil
            noLag.phases = nil
            return IntervalStats(
                second: second, users: 10, dropped: 1, cpuMicros: 40_000, wallMicros: 1_000_000, threads: 1,
                endpoints: [busy, idle, noLag])
        }
        return StatsReport(
            node: NodeID(rawValue: "w\(worker)"), run: RunID(rawValue: "packed"), assignment: UInt64(worker + 1),
            sequence: UInt64(second + 1), intervals: intervals)
    }

    static func packed(_ report: StatsReport) throws -> PackedStatsReport {
        try #require(BinaryFrame.readPacked(try BinaryFrameTests.payload(.stats(report))))
    }

    @Test func aPackedReportUnpacksToTheDecodedOneWithTheSameSums() throws {
        var random = SeededRandom(seed: 7)
        for report in [BinaryFrameTests.report, Self.report(second: 3, worker: 1, random: &random)] {
            let packed = try Self.packed(report)
            #expect(packed.unpacked == report)
            #expect(packed.sums == StatsBudget.Sums(report))
            let rows = packed.report.intervals.flatMap(\.endpoints)
            #expect(rows.allSatisfy { $0.latency.isEmpty && $0.serviceTime.isEmpty && $0.lag == nil })
            // Phases stay decoded: they join the totals when the report arrives.
            #expect(rows.map(\.phases) == report.intervals.flatMap(\.endpoints).map(\.phases))
        }
    }

    /// Three workers a second for four seconds, one of them late for second 1 (merged after it
    /// closed): every figure of the packed merge equals the decoded merge's.
    @Test func packedRowsMergeToTheSameFiguresAsDecodedOnes() throws {
        var random = SeededRandom(seed: 42)
        var decoded = RunAggregator(endpoints: [], expectedReporters: 3, startUnixSeconds: 1_000)
        var packed = decoded
        var late: [StatsReport] = []
        for second in 0..<4 {
            for worker in 0..<3 {
                let report = Self.report(second: second, worker: worker, random: &random)
                if second == 1 && worker == 2 {
                    late.append(report)
                    continue
                }
                try Self.absorb(report, decoded: &decoded, packed: &packed)
            }
            if second == 2 {
                decoded.closeSeconds(before: 2)
                packed.closeSeconds(before: 2)
                for report in late { try Self.absorb(report, decoded: &decoded, packed: &packed) }
            }
        }
        decoded.closeAll()
        packed.closeAll()
        #expect(decoded.requestCount > 0)
        #expect(packed.rows(seconds: 4) == decoded.rows(seconds: 4))
        #expect(packed.history == decoded.history)
        #expect(packed.failureCounts() == decoded.failureCounts())
    }

    private static func absorb(
        _ report: StatsReport, decoded: inout RunAggregator, packed: inout RunAggregator
    ) throws {
        let read = try Self.packed(report)
        for (i, interval) in report.intervals.enumerated() {
            decoded.absorb(interval)
            packed.absorb(read.report.intervals[i], packed: read.histograms[i])
        }
    }

    static func masterRead(_ bytes: [UInt8]) -> Result<FederationMessage, FrameError> {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            switch try MasterFrameDecoder.frame(from: &buffer, using: JSONDecoder()) {
            case .stats(let packed): return .success(.stats(packed.unpacked))
            case .message(let message): return .success(message)
            }
        } catch {
            return .failure(error)
        }
    }

    static func decoderRead(_ bytes: [UInt8]) -> Result<FederationMessage, FrameError> {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            return .success(try FrameDecoder.message(from: &buffer, using: JSONDecoder()))
        } catch {
            return .failure(error)
        }
    }

    /// Truncated anywhere, trailing bytes, counts and values out of range, values not ascending:
    /// the master's read fails exactly as `FrameDecoder`'s does, naming the same field.
    @Test func aBadStatsFrameGetsTheSameErrorAsDecodingIt() throws {
        var bad: [[UInt8]] = []
        let whole = Array(try BinaryFrameTests.payload().readableBytesView)
        bad += (1..<whole.count).map { Array(whole[..<$0]) }
        bad.append(whole + [0])
        func with(_ change: (inout EndpointInterval) -> Void) throws -> [UInt8] {
            var report = BinaryFrameTests.report
            change(&report.intervals[0].endpoints[0])
            return Array(try BinaryFrameTests.payload(.stats(report)).readableBytesView)
        }
        let tooMany = FieldRanges.count.upperBound + 1
        bad.append(try with { $0.latency = SparseHistogram(values: [5], counts: [tooMany]) })
        bad.append(try with { $0.serviceTime = SparseHistogram(values: [5, 6], counts: [tooMany - 2, 2]) })
        let tooLate = FieldRanges.latencyMicros.upperBound + 1
        bad.append(try with { $0.lag = SparseHistogram(values: [tooLate], counts: [1]) })
        bad.append(try with { $0.requests = tooMany })
        var descending = try with { $0.latency = SparseHistogram(values: [5, 9], counts: [1, 1]) }
        // The second pair's delta (4) made 0: a value equal to the one before.
        let at = try #require(descending.indices.first { descending[$0...].starts(with: [2, 5, 1, 4, 1]) })
        descending[at + 3] = 0
        bad.append(descending)
        for bytes in bad {
            guard case .failure(let error) = Self.masterRead(bytes),
                case .failure(let expected) = Self.decoderRead(bytes)
            else {
                Issue.record("a bad frame of \(bytes.count) bytes was read")
                continue
            }
            #expect(error == expected)
        }
    }

    @Test func otherFramesReadAsBefore() throws {
        for message in [
            FederationMessage.heartbeat, .workerState(WorkerReport(run: nil, activity: .idle, users: 3, rps: 1.5)),
            .statsEnd(StatsEnd(run: RunID(rawValue: "r"), assignment: 1, sequence: 2, droppedReports: 1)),
        ] {
            var buffer = try BinaryFrameTests.payload(message)
            guard case .message(let read) = try MasterFrameDecoder.frame(from: &buffer, using: JSONDecoder()) else {
                Issue.record("\(message) did not read as a message")
                continue
            }
            #expect(read == message)
        }
    }
}

/// A small seeded generator, so a failing case repeats.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
