import Foundation
import NIOCore
import Protocol
import TestSupport
import Testing

@testable import Federation

/// Well-formed frames with numbers out of range: each is refused with the field's name, in JSON
/// and in binary, and on a real master the sender's link closes while everyone else is served.
@Suite(.timeLimit(.minutes(2))) struct FieldRangeTests {
    static func problem(_ message: FederationMessage) -> String? {
        do {
            try message.checkRanges()
            return nil
        } catch {
            return error.description
        }
    }

    /// What the master's decoder says about `message` as a peer would frame it.
    static func decodeProblem(_ bytes: [UInt8]) -> String? {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            _ = try FrameDecoder.message(from: &buffer, using: JSONDecoder())
            return nil
        } catch {
            return error.description
        }
    }

    static func stats(
        requests: UInt64 = 10, histogramCount: UInt64 = 10, second: Int = 0,
        latency: UInt64 = 1000
    ) -> FederationMessage {
        let row = EndpointInterval(
            key: EndpointKey(method: "GET", name: "/"), requests: requests, failures: 0, bytes: 0,
            latency: SparseHistogram(values: [latency], counts: [histogramCount]),
            serviceTime: SparseHistogram(), failureReasons: [])
        return .stats(
            StatsReport(
                node: NodeID(rawValue: "w"), run: RunID(rawValue: "r"), assignment: 1, sequence: 1,
                intervals: [
                    IntervalStats(
                        second: second, users: 1, dropped: 0, cpuMicros: 0, wallMicros: 0,
                        threads: 1, endpoints: [row])
                ]))
    }

    @Test func helloWeightCoresAndUsersOutOfRangeNameTheField() {
        #expect(
            Self.problem(.hello(hello("w", weight: 1e308))) == "hello.weight: must be 0…1000 and finite, got 1e+308")
        #expect(Self.problem(.hello(hello("w", weight: .nan))) == "hello.weight: must be 0…1000 and finite, got nan")
        #expect(Self.problem(.hello(hello("w", weight: -1))) == "hello.weight: must be 0…1000 and finite, got -1")
        #expect(Self.problem(.hello(hello("w", weight: .infinity)))?.hasPrefix("hello.weight: ") == true)
        #expect(Self.problem(.hello(hello("w", cores: 0))) == "hello.cores: must be 1…4096, got 0")
        #expect(Self.problem(.hello(hello("w", maxUsers: -5))) == "hello.max_users: must be 0…10000000, got -5")
        #expect(Self.problem(.hello(hello(""))) == "hello.node: must be 1…255 bytes long, got 0 bytes")
        #expect(Self.problem(.hello(hello("w", cores: 4096, weight: 1000))) == nil)
    }

    @Test func statsCountsAndValuesOutOfRangeNameTheField() {
        let max = UInt64.max
        #expect(Self.problem(Self.stats(requests: max)) == "stats.requests: must be 0…4294967295, got \(max)")
        #expect(
            Self.problem(Self.stats(histogramCount: max)) == "stats.latency count: must be 0…4294967295, got \(max)")
        #expect(Self.problem(Self.stats(second: -1)) == "stats.second: must be 0…315360000, got -1")
        #expect(
            Self.problem(Self.stats(latency: 3_600_000_001))?.hasPrefix("stats.latency value: must be 0…3600000000")
                == true)
        #expect(Self.problem(Self.stats()) == nil)
    }

    @Test func theDecoderRefusesOutOfRangeValuesInBinaryAndInJSON() throws {
        let binary = try payload(Self.stats(requests: .max))
        #expect(binary.first == 0)
        #expect(Self.decodeProblem(binary) == "stats.requests: must be 0…4294967295, got \(UInt64.max)")
        let weight = Array(
            #"{"hello":{"protocol_version":2,"node":"w","loadd_version":"x","cores":1,"threads":1,"max_users":1,"weight":1e308,"nonce":"00112233445566778899aabbccddeeff"}}"#
                .utf8)
        #expect(Self.decodeProblem(weight) == "hello.weight: must be 0…1000 and finite, got 1e+308")
        let rps = try payload(.workerState(WorkerReport(run: nil, activity: .running, users: 1, rps: -1)))
        #expect(Self.decodeProblem(rps) == "worker_state.rps: must be 0…1000000000 and finite, got -1")
    }

    @Test func masterToWorkerKindsAreCheckedToo() {
        #expect(
            Self.problem(.welcome(Welcome(master: NodeID(rawValue: "m"), heartbeatTimeout: .zero)))
                == "welcome.heartbeat_timeout_ms: must be 100…3600000, got 0")
        #expect(
            Self.problem(.setUsers(UsersChange(run: RunID(rawValue: "r"), users: -1, spawnRate: 1)))
                == "set_users.users: must be 0…10000000, got -1")
        #expect(
            Self.problem(.setRate(RateChange(run: RunID(rawValue: "r"), rate: .infinity)))?.hasPrefix("set_rate.rate:")
                == true)
        let assignment = Assignment(
            run: RunID(rawValue: "r"), assignment: 1, scenario: "", file: "", overrides: RunOverrides(),
            share: FleetShare(
                users: 1, spawnRate: 1, remainingMs: nil, startSecond: 0, dataSlot: 3,
                dataSlots: 2))
        #expect(Self.problem(.assign(assignment)) == "assign.data_slot: must be 0…1, got 3")
    }

    @Test func capacitySplitSurvivesWeightsNoFrameCanCarry() throws {
        // A worker built in-process is not range-checked: the split clamps rather than trap.
        let workers = [
            WorkerCapacity(node: NodeID(rawValue: "a"), cores: 1, weight: 1e308),
            WorkerCapacity(node: NodeID(rawValue: "b"), cores: Int.max, weight: .nan),
            WorkerCapacity(node: NodeID(rawValue: "c"), cores: 2, weight: 1),
        ]
        let split = try CapacitySplit.split(users: 1000, spawnRate: 10, among: workers)
        #expect(split.values.reduce(0) { $0 + $1.users } == 1000)
        #expect(split[NodeID(rawValue: "b")]?.users == 0)
        // Sums over limits saturate: Int.max users is refused with a reason, not an overflow.
        let many = (0..<3).map { WorkerCapacity(node: NodeID(rawValue: "w\($0)"), cores: 1, maxUsers: Int.max) }
        #expect(throws: SplitError.self) { try CapacitySplit.split(users: Int.max, spawnRate: 1, among: many) }
    }

    @Test func noWorkerIsAssignedMoreUsersThanAFrameMayCarry() throws {
        let unlimited = [
            WorkerCapacity(node: NodeID(rawValue: "a"), cores: 1),
            WorkerCapacity(node: NodeID(rawValue: "b"), cores: 1),
        ]
        #expect(throws: SplitError.self) { try CapacitySplit.split(users: 20_000_001, spawnRate: 1, among: unlimited) }
        let split = try CapacitySplit.split(users: 20_000_000, spawnRate: 1, among: unlimited)
        #expect(split.values.map(\.users) == [10_000_000, 10_000_000])
    }

    /// Each hostile value closes only its sender's link; a real worker stays in the fleet throughout.
    @Test func aMemberSendingOutOfRangeValuesIsClosedAndTheOthersAreServed() async throws {
        let fleet = try await LoopbackMaster.start()
        let good = await fleet.worker("good")
        try await eventually("the good worker to join") { fleet.master.workers().map(\.node.rawValue) == ["good"] }

        for (weight, shown) in [(1e308, "1e+308"), (-1, "-1")] {
            let client = try RawFrameClient(port: fleet.port)
            try client.send(.hello(hello("heavy", weight: weight)))
            let reason = "hello.weight: must be 0…1000 and finite, got \(shown)"
            #expect(try await client.receiveUntilClosed() == [.refused(Refusal(reason: reason))])
        }
        let nan = try RawFrameClient(port: fleet.port)
        nan.sendFrame(
            payload: Array(
                #"{"hello":{"protocol_version":2,"node":"nan","loadd_version":"x","cores":1,"threads":1,"max_users":1,"weight":NaN,"nonce":"00112233445566778899aabbccddeeff"}}"#
                    .utf8))
        #expect(try await nan.receiveUntilClosed().isEmpty)
        let coreless = try RawFrameClient(port: fleet.port)
        try coreless.send(.hello(hello("coreless", cores: 0)))
        #expect(
            try await coreless.receiveUntilClosed() == [.refused(Refusal(reason: "hello.cores: must be 1…4096, got 0"))]
        )

        // A member with the token sends stats whose counts would overflow the merge.
        let member = try RawFrameClient(port: fleet.port)
        try await join(member, as: "counter")
        try await eventually("the raw member to join") { fleet.master.workers().count == 2 }
        member.sendFrame(payload: try payload(Self.stats(requests: .max, histogramCount: .max)))
        #expect(try await member.receiveUntilClosed().isEmpty)
        try await eventually("the raw member to be dropped") { fleet.master.workers().map(\.node.rawValue) == ["good"] }

        #expect(await good.connectedMaster() == NodeID(rawValue: "master"))
        let late = try RawFrameClient(port: fleet.port)
        try await join(late, as: "late")
        #expect(fleet.master.workers().map(\.node.rawValue) == ["good", "late"])
        await good.shutdown()
        await fleet.close()
    }
}
