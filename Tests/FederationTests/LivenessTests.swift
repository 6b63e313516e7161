import Federation
import Protocol
import Testing

func hello(
    _ name: String, cores: Int = 2, threads: Int = 1, maxUsers: Int = 1000, weight: Double = 1,
    version: UInt16 = FederationProtocol.version
) -> Hello {
    Hello(
        protocolVersion: version, node: NodeID(rawValue: name), loaddVersion: "test", cores: cores, threads: threads,
        maxUsers: maxUsers, weight: weight, nonce: FleetToken.nonce())
}

@Suite struct LivenessTests {
    @Test func aWorkerSilentForTheTimeoutIsLostAndNotBefore() throws {
        var fleet = FleetMembership(heartbeatTimeout: .seconds(3))
        _ = try fleet.join(hello("a"), address: "10.200.9.1:1", now: .seconds(0))
        _ = try fleet.join(hello("b"), address: "10.200.9.2:1", now: .seconds(0))
        fleet.heard(from: NodeID(rawValue: "a"), now: .seconds(2))
        #expect(fleet.expire(now: .milliseconds(2999)).isEmpty)
        let lost = fleet.expire(now: .seconds(3))
        #expect(lost.map(\.node.rawValue) == ["b"])
        #expect(fleet.count == 1)
        #expect(fleet.expire(now: .milliseconds(4999)).isEmpty)
        #expect(fleet.expire(now: .seconds(5)).map(\.node.rawValue) == ["a"])
    }

    @Test func aWorkersCPUIsItsEngineTimeOverWallTimeInItsLastReport() throws {
        var fleet = FleetMembership(heartbeatTimeout: .seconds(3))
        _ = try fleet.join(hello("a"), address: "x", now: .seconds(0))
        let node = NodeID(rawValue: "a")
        #expect(fleet.members[node]?.cpu == nil)
        func report(_ pairs: [(cpu: UInt64, wall: UInt64)]) -> StatsReport {
            StatsReport(
                node: node, run: RunID(rawValue: "r"), assignment: 1, sequence: 1,
                intervals: pairs.map {
                    IntervalStats(
                        second: 0, users: 1, dropped: 0, cpuMicros: $0.cpu, wallMicros: $0.wall, threads: 1,
                        endpoints: [])
                })
        }
        fleet.recordCPU(report([(250_000, 1_000_000), (750_000, 1_000_000)]), from: node)
        #expect(fleet.members[node]?.cpu == 0.5)
        fleet.recordCPU(report([(0, 0)]), from: node)   // nothing measured: the last figure stays
        #expect(fleet.members[node]?.cpu == 0.5)
        fleet.recordCPU(report([(.max, 1), (.max, 1)]), from: node)   // a hostile sum saturates, shown as 100 %
        #expect(fleet.members[node]?.cpu == 1)
    }

    @Test func aConfigurableTimeoutIsHonoured() throws {
        var fleet = FleetMembership(heartbeatTimeout: .milliseconds(500))
        _ = try fleet.join(hello("a"), address: "x", now: .seconds(10))
        #expect(fleet.expire(now: .milliseconds(10_499)).isEmpty)
        #expect(fleet.expire(now: .milliseconds(10_500)).count == 1)
    }

    @Test func anOldFrameNeverMovesLivenessBackwards() throws {
        var fleet = FleetMembership(heartbeatTimeout: .seconds(3))
        _ = try fleet.join(hello("a"), address: "x", now: .seconds(0))
        fleet.heard(from: NodeID(rawValue: "a"), now: .seconds(5))
        fleet.heard(from: NodeID(rawValue: "a"), now: .seconds(1))
        #expect(fleet.expire(now: .seconds(7)).isEmpty)
    }

    @Test func aSecondConnectionUnderAConnectedNameIsRefused() throws {
        var fleet = FleetMembership()
        _ = try fleet.join(hello("a"), address: "10.200.9.1:5", now: .zero)
        #expect(throws: FleetMembership.JoinRefusal.duplicate(NodeID(rawValue: "a"), address: "10.200.9.1:5")) {
            try fleet.join(hello("a"), address: "10.200.9.9:5", now: .zero)
        }
        fleet.leave(NodeID(rawValue: "a"))
        _ = try fleet.join(hello("a"), address: "10.200.9.9:5", now: .seconds(1))
    }

    @Test func deadMansSwitchTripsAfterTheTimeoutWithoutFrames() {
        var deadMan = DeadMansSwitch(timeout: .seconds(3), armedAt: .seconds(100))
        #expect(!deadMan.hasTripped(at: .milliseconds(102_999)))
        deadMan.heard(at: .seconds(102))
        #expect(!deadMan.hasTripped(at: .milliseconds(104_999)))
        #expect(deadMan.remaining(at: .seconds(104)) == .seconds(1))
        #expect(deadMan.hasTripped(at: .seconds(105)))
        #expect(deadMan.remaining(at: .seconds(200)) == .zero)
    }

    @Test func backoffDoublesFromHalfASecondToTenAndStartsOverAfterSuccess() {
        var backoff = Backoff()
        let delays = (0..<8).map { _ in backoff.delay() }
        #expect(
            delays == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10),
                .seconds(10), .seconds(10),
            ])
        backoff.reset()
        #expect(backoff.delay() == .milliseconds(500))
    }
}
