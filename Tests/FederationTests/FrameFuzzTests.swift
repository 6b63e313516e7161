import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Protocol
import TestSupport
import Testing

@testable import Federation

/// Random bytes and mutated valid frames of every kind through the decoders, before and after the
/// handshake: no input may trap; each decodes to a message within `FieldRanges` or fails with a
/// named `FrameError`. `LOADD_FUZZ_ITERATIONS` raises the count (`make fuzz`).
@Suite(.serialized, .timeLimit(.minutes(30))) struct FrameFuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["LOADD_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 2000

    /// Deterministic per seed, so a failure can be replayed; the seed is printed in the failure.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One valid message of every kind, both directions.
    static let samples: [FederationMessage] = {
        let run = RunID(rawValue: "20261129-120000-abcd")
        let histogram = SparseHistogram(values: [1, 900, 3_600_000_000], counts: [5, 4000, 1])
        let row = EndpointInterval(
            key: EndpointKey(method: "GET", name: "/items/[id]"), requests: 4006, failures: 3,
            bytes: 1 << 30, latency: histogram, serviceTime: histogram,
            failureReasons: [ReasonTally(reason: .status(503), count: 3)])
        let report = StatsReport(
            node: NodeID(rawValue: "w1"), run: run, assignment: 2, sequence: 9,
            intervals: [
                IntervalStats(
                    second: 41, users: 200, dropped: 1, cpuMicros: 900_000, wallMicros: 1_000_000, threads: 2,
                    endpoints: [row])
            ])
        return [
            .hello(hello("w1")),
            .challenge(Challenge(nonce: FleetToken.nonce(), masterProof: FleetToken.nonce())),
            .proof(Proof(mac: FleetToken.nonce())),
            .welcome(Welcome(master: NodeID(rawValue: "m"), heartbeatTimeout: .seconds(3))),
            .refused(Refusal(reason: "authentication failed")),
            .assign(
                Assignment(
                    run: run, assignment: 2, scenario: "name: x\nhost: http://127.0.0.1:9\n", file: "x.yaml",
                    overrides: RunOverrides(host: "http://127.0.0.1:9"),
                    share: FleetShare(
                        users: 10, spawnRate: 2, rate: 5, maxInFlight: 20, staged: true,
                        stageSlice: LoadSlice(checking: 0.25, 0.5)!, stagesElapsedMs: 500,
                        warmupMs: 1000, remainingMs: 60_000, startSecond: 40, dataSlot: 1,
                        dataSlots: 3))),
            .setUsers(UsersChange(run: run, users: 30, spawnRate: 1.5)),
            .setRate(RateChange(run: run, rate: 12.5)),
            .setSlice(SliceChange(run: run, slice: LoadSlice(checking: 0, 1)!)),
            .reset(ResetRequest(run: run, atSecond: 12)),
            .stop(StopRequest(run: run)),
            .heartbeat,
            .stats(report),
            .workerState(WorkerReport(run: run, activity: .running, users: 200, rps: 1234.5, abortReason: "x")),
        ]
    }()

    static let payloads: [[UInt8]] = samples.map { try! payload($0) }

    /// Numbers a hostile JSON writer would try.
    static let extremes = [
        "1e308", "-1", "18446744073709551615", "9223372036854775808", "NaN", "-0", "0", "1e-320",
        "4294967296", "\"\"", "null", "[]", "{}",
    ]

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !out.isEmpty: out[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !out.isEmpty: out[position] = UInt8.random(in: 0...255, using: &rng)
            case 2:
                out.insert(
                    contentsOf: (0..<Int.random(in: 1...9, using: &rng)).map { _ in
                        UInt8.random(in: 0...255, using: &rng)
                    },
                    at: position)
            case 3 where !out.isEmpty:
                out.removeSubrange(position..<min(out.count, position + Int.random(in: 1...8, using: &rng)))
            case 4: out = Array(out.prefix(position))
            case 5 where !out.isEmpty:
                // A run of 0xFF: varints that never end or overflow.
                out.replaceSubrange(position..<min(out.count, position + 10), with: [UInt8](repeating: 0xFF, count: 10))
            default:
                // In JSON, swap a number for an extreme one.
                if let digit = out[position...].firstIndex(where: { (0x30...0x39).contains($0) }) {
                    let end = out[digit...].firstIndex { !(0x30...0x39).contains($0) && $0 != 0x2E } ?? out.endIndex
                    out.replaceSubrange(digit..<end, with: Array(extremes.randomElement(using: &rng)!.utf8))
                }
            }
        }
        return out
    }

    static func input(_ index: Int, _ rng: inout SplitMix) -> [UInt8] {
        if index % 5 == 0 {
            return (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        return mutate(payloads[index % payloads.count], &rng)
    }

    @Test func mutatedAndRandomPayloadsDecodeWithinRangeOrFailByName() throws {
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var rng = SplitMix(state: seed)
        var decoded = 0
        for index in 0..<Self.iterations {
            let bytes = Self.input(index, &rng)
            var buffer = ByteBuffer(bytes: bytes)
            do {
                let message = try FrameDecoder.message(from: &buffer, using: JSONDecoder())
                decoded += 1
                #expect(throws: Never.self, "seed \(seed), input \(index)") { try message.checkRanges() }
            } catch {
                // Typed: every failure is a FrameError, with something to say.
                #expect(!error.description.isEmpty, "seed \(seed), input \(index)")
            }
        }
        #expect(Self.iterations < 50 || decoded > 0)   // mutations of one byte leave some frames valid
    }

    /// The streaming decoder as a connection runs it, length prefixes included, under the limit
    /// before authentication and the full one after.
    @Test(arguments: [true, false]) func framedStreamsNeverYieldAnOversizedOrOutOfRangeMessage(
        authenticated: Bool
    ) throws {
        let seed = UInt64(Date().timeIntervalSince1970 * 1000) ^ (authenticated ? 1 : 2)
        var rng = SplitMix(state: seed)
        for index in 0..<Self.iterations {
            let limit = FrameLimit()
            if authenticated { limit.authenticated() }
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(limit: limit)))
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let body = Self.input(index, &rng)
                var length = UInt32(body.count)
                if Int.random(in: 0..<8, using: &rng) == 0 { length = UInt32.random(in: 0...UInt32.max, using: &rng) }
                stream += withUnsafeBytes(of: length.bigEndian, Array.init) + body
            }
            do {
                // In random chunks, as TCP delivers them.
                var rest = stream[...]
                while !rest.isEmpty {
                    let chunk = rest.prefix(Int.random(in: 1...max(1, rest.count), using: &rng))
                    rest = rest.dropFirst(chunk.count)
                    try channel.writeInbound(ByteBuffer(bytes: chunk))
                }
            } catch {
                #expect(error is FrameError, "seed \(seed), input \(index): \(error)")
            }
            while let message = try? channel.readInbound(as: FederationMessage.self) {
                #expect(throws: Never.self, "seed \(seed), input \(index)") { try message.checkRanges() }
            }
            _ = try? channel.finish()
        }
    }

    /// The same inputs at a real master, from strangers and from a member: it keeps serving.
    @Test func aRealMasterSurvivesFuzzedFramesBeforeAndAfterTheHandshake() async throws {
        let fleet = try await startMaster(limits: ConnectionLimits(handshakeTimeout: .seconds(1)))
        let good = await fleet.worker("good")
        try await eventually("the good worker to join") { fleet.master.workers().map(\.node.rawValue) == ["good"] }
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var rng = SplitMix(state: seed)
        let rounds = max(20, Self.iterations / 20)
        for index in 0..<rounds {
            let bytes = Self.input(index, &rng)
            if index % 2 == 0 {
                let stranger = try RawFrameClient(port: fleet.port, timeout: 5)
                stranger.sendFrame(payload: bytes)
                // Closing our side ends anything the master still waits on.
            } else {
                let member = try RawFrameClient(port: fleet.port, timeout: 5)
                try await join(member, as: "fuzz-\(index)")
                member.sendFrame(payload: bytes)
            }
        }
        try await eventually("only the good worker to remain") {
            fleet.master.workers().map(\.node.rawValue) == ["good"]
        }
        let late = await fleet.worker("late")
        try await eventually("a late worker to join") { fleet.master.workers().count == 2 }
        #expect(await good.connectedMaster() == NodeID(rawValue: "master"))
        await late.shutdown()
        await good.shutdown()
        await fleet.close()
    }

    /// A fake master feeds a real worker fuzzed frames, before its welcome and after: the worker
    /// drops the connection or ignores the frame, reconnects, and joins a proper master at the end.
    @Test func aRealWorkerSurvivesFuzzedFramesFromItsMaster() async throws {
        let fleet = try await LoopbackMaster.start()   // for its event loops
        let listener = try RawListener()
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let worker = FederationWorker(
            configuration: WorkerConfiguration(
                node: NodeID(rawValue: "fuzzed"), masterHost: "127.0.0.1",
                masterPort: listener.port, token: testToken, version: "test", threads: 1,
                cores: 1, maxUsers: 100, heartbeatTimeout: .seconds(30)),
            group: fleet.group, logger: logger)
        await worker.start()
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var rng = SplitMix(state: seed)

        /// Accepts the worker's next connection and, if `welcome`, completes the handshake.
        func next(welcome: Bool) async throws -> RawFrameClient {
            let connection = try await listener.accept()
            guard case .hello(let hello) = try await connection.receive() else { throw TestFailure("expected hello") }
            guard welcome else { return connection }
            let nonce = FleetToken.nonce()
            try connection.send(
                .challenge(Challenge(nonce: nonce, masterProof: testToken.masterProof(workerNonce: hello.nonce))))
            guard case .proof = try await connection.receive() else { throw TestFailure("expected proof") }
            try connection.send(.welcome(Welcome(master: NodeID(rawValue: "fake"), heartbeatTimeout: .seconds(30))))
            return connection
        }

        // A welcome resets the worker's backoff, so each pair costs about a second of reconnecting.
        for index in 0..<max(4, Self.iterations / 500) {
            let stranger = try await next(welcome: false)
            stranger.sendFrame(payload: Self.input(index * 2, &rng))
            let member = try await next(welcome: true)
            member.sendFrame(payload: Self.input(index * 2 + 1, &rng))
            _ = (stranger, member)   // both close here: the worker reconnects
        }
        let last = try await next(welcome: true)
        try await eventually("the worker to join the last master, seed \(seed)") {
            await worker.connectedMaster() == NodeID(rawValue: "fake")
        }
        _ = last
        await worker.shutdown()
        await fleet.close()
    }
}
