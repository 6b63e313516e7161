import Foundation
import NIOCore
import Protocol
import Testing

@testable import Federation

/// The binary frames (`stats`, `worker_state`, `heartbeat`): what a worker writes, a master reads
/// back unchanged, and anything a broken or hostile peer sends is an error naming the field —
/// never a crash or a huge allocation.
@Suite struct BinaryFrameTests {
    static let report = StatsReport(
        node: NodeID(rawValue: "worker-ü"), run: RunID(rawValue: "20261122-101010-abcd"), assignment: 3,
        sequence: 1_000_001,
        intervals: [
            IntervalStats(
                second: 0, users: 120, dropped: 7, cpuMicros: 912_345, wallMicros: 1_000_000, threads: 2,
                endpoints: [
                    EndpointInterval(
                        key: EndpointKey(method: "GET", name: "/items/[id]"), requests: 5000, failures: 12,
                        bytes: 1 << 40,
                        latency: SparseHistogram(values: [1, 2, 900, 3_600_000_000], counts: [10, 4000, 985, 5]),
                        serviceTime: SparseHistogram(values: [1, 850], counts: [4000, 1000]),
                        failureReasons: [
                            ReasonTally(reason: .status(503), count: 10), ReasonTally(reason: .timeout, count: 2),
                        ]),
                    EndpointInterval(
                        key: EndpointKey(method: "POST", name: "/login"), requests: 0, failures: 0, bytes: 0,
                        latency: SparseHistogram(), serviceTime: SparseHistogram(), failureReasons: []),
                ]),
            IntervalStats(second: 1, users: 0, dropped: 0, cpuMicros: 0, wallMicros: 0, threads: 1, endpoints: []),
            // Every field at the top of its range (`FieldRanges`).
            IntervalStats(
                second: FieldRanges.second.upperBound, users: FieldRanges.users.upperBound,
                dropped: FieldRanges.count.upperBound, cpuMicros: FieldRanges.micros.upperBound, wallMicros: 0,
                threads: FieldRanges.threads.upperBound, endpoints: []),
        ])

    static func payload(_ message: FederationMessage = .stats(report)) throws -> ByteBuffer {
        var frame = ByteBuffer()
        try FrameEncoder().encode(data: message, out: &frame)
        let length = frame.readInteger(as: UInt32.self)!
        #expect(Int(length) == frame.readableBytes)
        return frame
    }

    static func decode(_ bytes: [UInt8]) throws -> FederationMessage {
        var buffer = ByteBuffer(bytes: bytes)
        return try FrameDecoder.message(from: &buffer, using: JSONDecoder())
    }

    static func problem(_ bytes: [UInt8]) -> String? {
        do {
            _ = try decode(bytes)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aReportRoundTripsExactly() throws {
        let payload = try Self.payload()
        #expect(payload.getInteger(at: payload.readerIndex, as: UInt8.self) == 0)
        #expect(try Self.decode(Array(payload.readableBytesView)) == .stats(Self.report))
    }

    @Test func statsAndWorkerStatesHaveNoJSONForm() throws {
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(FederationMessage.stats(Self.report)) }
        let state = FederationMessage.workerState(WorkerReport(run: nil, activity: .idle, users: 0, rps: 0))
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(state) }
        let json = Array(#"{"stats":{"node":"w","run":"r","assignment":1,"sequence":1,"intervals":[]}}"#.utf8)
        #expect(
            Self.problem(json)?.contains("stats is sent as a binary frame only") == true, "\(Self.problem(json) ?? "")")
    }

    @Test func heartbeatsAndWorkerStatesRoundTrip() throws {
        #expect(Array(try Self.payload(.heartbeat).readableBytesView) == [1])
        for state in [
            WorkerReport(run: nil, activity: .idle, users: 0, rps: 0),
            WorkerReport(run: RunID(rawValue: "r-1"), activity: .running, users: 70_000, rps: 123_456.75),
            WorkerReport(
                run: RunID(rawValue: "r-2"), activity: .stopping, users: 3, rps: 0.5,
                abortReason: "target unreachable: connection refused"),
        ] {
            let payload = try Self.payload(.workerState(state))
            #expect(try Self.decode(Array(payload.readableBytesView)) == .workerState(state))
        }
        #expect(Self.problem([2, 0, 7]) == "undecodable frame: binary frame, activity: unknown activity 7")
        let nan = [UInt8](withUnsafeBytes(of: Double.nan.bitPattern.bigEndian, Array.init))
        #expect(Self.problem([2, 0, 1, 0] + nan + [0]) == "undecodable frame: binary frame, rps: not a finite number")
    }

    @Test func otherKindsStayJSON() throws {
        let payload = try Self.payload(.setUsers(UsersChange(run: RunID(rawValue: "r"), users: 5, spawnRate: 1)))
        #expect(String(buffer: payload).hasPrefix(#"{"set_users":{"#))
    }

    @Test func everyTruncationIsAnErrorNamingAField() throws {
        let bytes = Array(try Self.payload().readableBytesView)
        for length in 1..<bytes.count {
            let problem = Self.problem(Array(bytes.prefix(length)))
            #expect(
                problem?.hasPrefix("undecodable frame: binary frame, ") == true,
                "cut at \(length): \(problem ?? "decoded")")
        }
    }

    @Test func trailingBytesAreRefused() throws {
        let bytes = Array(try Self.payload().readableBytesView) + [0]
        #expect(Self.problem(bytes) == "undecodable frame: binary frame, end: 1 bytes after the message")
    }

    @Test func aHostileCountAllocatesNothingAndIsRefused() {
        // marker, node "", run "", assignment 1, sequence 1, then 2^62 intervals.
        let bytes: [UInt8] = [0, 0, 0, 1, 1] + [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
        #expect(
            Self.problem(bytes)
                == "undecodable frame: binary frame, intervals: count 4611686018427387904 exceeds the 0 bytes left")
    }

    @Test func aVarintLongerThanSixtyFourBitsIsRefused() {
        let bytes: [UInt8] = [0, 0, 0] + [UInt8](repeating: 0xFF, count: 9) + [0x02]
        #expect(Self.problem(bytes) == "undecodable frame: binary frame, assignment: varint overflows 64 bits")
    }

    @Test func histogramValuesMustAscend() {
        var out = ByteBuffer()
        out.writeBytes([0, 1, UInt8(ascii: "n"), 1, UInt8(ascii: "r"), 1, 1, 1])   // header, 1 interval
        out.writeBytes([0, 2, 0, 0, 0, 2, 1])   // second … threads, 1 endpoint
        out.writeBytes([3] + Array("GET".utf8) + [1, UInt8(ascii: "/"), 2, 0, 0])   // key, requests, failures, bytes
        out.writeBytes([2, 5, 1, 0, 1])   // latency: 5, then 5 again
        #expect(
            Self.problem(Array(out.readableBytesView))
                == "undecodable frame: binary frame, latency: bucket values do not ascend")
    }

    @Test func namesMustBeUTF8() {
        let bytes: [UInt8] = [0, 2, 0xC3, 0x28, 0, 1, 1, 0]
        #expect(Self.problem(bytes) == "undecodable frame: binary frame, node: not UTF-8")
    }

    @Test func aReportOverTheFrameLimitIsRefusedBySender() throws {
        var frame = ByteBuffer(bytes: [9, 9])
        #expect(throws: FrameError.self) {
            try FrameEncoder(maxFrameBytes: 16).encode(data: .stats(Self.report), out: &frame)
        }
        #expect(Array(frame.readableBytesView) == [9, 9])   // nothing half-written is left behind
    }
}
