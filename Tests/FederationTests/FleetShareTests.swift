import Foundation
import NIOCore
import Protocol
import Report
import Testing

@testable import Engine
@testable import Federation

/// A worker's plan is the scenario compiled from its text with the run's overrides and its
/// `FleetShare` applied in one step; a failure keeps its type from the worker's window to the
/// master's summary.
@Suite struct FleetShareTests {
    static let staged = """
        name: shape
        host: http://127.0.0.1:9
        users: 8
        data: { csv: rows.csv }
        stages: [ { duration: 10s, target: 40 }, { duration: 10s, target: 40 } ]
        tasks: [ { request: GET /a } ]
        """
    static let rows = Data("user\na\nb\nc\nd\ne\nf\n".utf8)

    static func assignment(
        _ scenario: String, overrides: RunOverrides = RunOverrides(), share: FleetShare,
        files: [String: Data]? = nil
    ) -> Assignment {
        Assignment(
            run: RunID(rawValue: "r"), assignment: 1, scenario: scenario, file: "shape.yaml", overrides: overrides,
            share: share, files: files)
    }

    @Test func oneApplySetsAStagedSharesSliceStageOffsetDataPartitionAndWhatIsLeft() throws {
        let share = FleetShare(
            users: 0, spawnRate: 1, staged: true, stageSlice: LoadSlice(checking: 0.25, 0.5)!,
            stagesElapsedMs: 3_000, warmupMs: nil, remainingMs: 17_000, startSecond: 3, dataSlot: 1,
            dataSlots: 3)
        let plan = try FederationWorker.plan(
            for: Self.assignment(
                Self.staged, overrides: RunOverrides(host: "http://127.0.0.1:7/"),
                share: share, files: ["rows.csv": Self.rows]))
        #expect(plan.stages.map(\.target) == [40, 40])   // the fleet's levels, as the master compiled them
        #expect(
            plan.share
                == Plan.Share(
                    stagesElapsed: .seconds(3), stageSlice: LoadSlice(checking: 0.25, 0.5)!,
                    dataPartition: DataPartition(slot: 1, of: 3)))
        #expect(plan.duration == .seconds(17))
        #expect(plan.warmup == nil)
        #expect(plan.host == "http://127.0.0.1:7")   // the overrides, applied by the same call
        #expect(plan.users == 8)   // the scenario's own, the warm-up's level
    }

    @Test func oneApplySetsAnOpenModelSharesRateSliceAndInFlightCap() throws {
        let yaml = """
            host: http://127.0.0.1:9
            rate: 90/s
            max_in_flight: 100
            stages: [ { duration: 10s, target: 90 } ]
            tasks: [ { request: GET /a } ]
            """
        // `rate` replaced the stages on the master: the share is a plain rate.
        let share = FleetShare(users: 0, spawnRate: 1, rate: 30, maxInFlight: 34, remainingMs: 60_000, startSecond: 0)
        let plan = try FederationWorker.plan(
            for: Self.assignment(yaml, overrides: RunOverrides(rate: 90), share: share))
        #expect(plan.arrivalRate == 30)
        #expect(plan.maxInFlight == 34)
        #expect(plan.stages.isEmpty)
        #expect(plan.share == Plan.Share())   // unstaged, from the run's start, every data row
        #expect(plan.duration == .seconds(60))
    }

    @Test func oneApplySetsAClosedSharesUsersOverTheOverridesCount() throws {
        let share = FleetShare(users: 25, spawnRate: 5, warmupMs: 2_000, remainingMs: nil, startSecond: 0)
        let plan = try FederationWorker.plan(
            for: Self.assignment(
                Self.staged, overrides: RunOverrides(users: 100),
                share: share, files: ["rows.csv": Self.rows]))
        #expect(plan.users == 25 && plan.spawnRate == 5)
        #expect(plan.stages.isEmpty && plan.arrivalRate == nil)
        #expect(plan.warmup == .seconds(2))
        #expect(plan.duration == nil)
    }

    @Test func overridesWithoutAShareLeaveThePlanTheWholeRun() throws {
        var plan = try ScenarioLoader.load(
            yaml: Self.staged, file: "shape.yaml",
            files: ScenarioFiles(.bundle(["rows.csv": Self.rows], remoteDirectory: nil)))
        #expect(plan.share == nil)
        plan.apply(RunOverrides(users: 3))
        #expect(plan.share == nil && plan.users == 3)
        plan.apply(RunOverrides(), share: FleetShare(users: 2, spawnRate: 1, remainingMs: nil, startSecond: 0))
        #expect(plan.share == Plan.Share())
    }

    @Test func theMastersAssignmentToALateJoinerCompilesToItsPartOfTheMastersPlan() throws {
        let yaml = """
            host: http://127.0.0.1:9
            stages: [ { duration: 10s, target: 40 }, { duration: 10s, target: 40 } ]
            tasks: [ { request: GET /a } ]
            """
        let master = try ScenarioLoader.load(yaml: yaml, file: "shape.yaml", baseDirectory: ".")
        let request = FleetRun.Request(
            id: RunID(rawValue: "shape"), plan: master, scenario: yaml, file: "shape.yaml",
            overrides: RunOverrides())
        let workers = ["a", "b"].map { (WorkerCapacity(node: NodeID(rawValue: $0), cores: 1), 1) }
        var (run, _) = try FleetRun.start(request, workers: workers, now: .zero, unixSeconds: 0)
        _ = run.lose(NodeID(rawValue: "b"), reason: "gone", now: .seconds(2))
        // c takes the part and the data slice b left.
        let joined = run.join(WorkerCapacity(node: NodeID(rawValue: "c"), cores: 1), threads: 1, now: .seconds(3))
        let assignment = try #require(
            joined.compactMap { if case .assign(let a) = $0.message { a } else { nil } }.first)
        let plan = try FederationWorker.plan(for: assignment)
        #expect(plan.stages == master.stages)
        #expect(
            plan.share
                == Plan.Share(
                    stagesElapsed: .seconds(3), stageSlice: LoadSlice(checking: 0.5, 1)!,
                    dataPartition: DataPartition(slot: 1, of: 2)))
        #expect(plan.duration == .seconds(17))
    }

    // MARK: Typed failures

    static let checked = """
        name: typed
        host: http://127.0.0.1:9
        users: 2
        tasks:
          - request: GET /me
            check: { status: 200, body_contains: ok, json: { "$.status": ok } }
          - request: GET /other
            check: { body_contains: ready }
        """

    /// One second's failures on `/me` and `/other`, as a worker's window hands them over.
    static func interval(second: Int) -> IntervalStats {
        let latency = SparseHistogram(values: [1_000], counts: [10])
        let me = EndpointInterval(
            key: EndpointKey(method: "GET", name: "/me"), requests: 10, failures: 9, bytes: 0,
            latency: latency, serviceTime: latency,
            failureReasons: [
                ReasonTally(reason: .status(503), count: 4),
                ReasonTally(reason: .bodyCheck, count: 2),
                ReasonTally(reason: .check(row: 2), count: 1),
                ReasonTally(reason: .tlsDetail("handshake failed"), count: 1),
                ReasonTally(reason: .transport(-7), count: 1),
            ])
        let other = EndpointInterval(
            key: EndpointKey(method: "GET", name: "/other"), requests: 10, failures: 3, bytes: 0,
            latency: latency, serviceTime: latency,
            failureReasons: [ReasonTally(reason: .bodyCheck, count: 3)])
        return IntervalStats(
            second: second, users: 2, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000, threads: 1,
            endpoints: [me, other])
    }

    /// `message` through the frame encoder and decoder, as it crosses the wire.
    static func overTheWire(_ message: FederationMessage) throws -> FederationMessage {
        var frame = ByteBuffer()
        try FrameEncoder().encode(data: message, out: &frame)
        _ = frame.readInteger(as: UInt32.self)
        return try FrameDecoder.message(from: &frame, using: WireJSON.decoder())
    }

    @Test func aTypedFailureReasonSurvivesTheFleetMergeToTheSummaryUnchanged() throws {
        let plan = try ScenarioLoader.load(yaml: Self.checked, file: "typed.yaml", baseDirectory: ".")
        #expect(plan.labels.checkRows.map(\.check)[2] == #"$.status == "ok""#)

        // One node: the engine's own ledger.
        var local = RunLedger(plan: plan, run: nil, expectedReporters: 1, startUnixSeconds: 0)
        for second in 0..<3 { local.absorb(Self.interval(second: second)) }
        local.closeSeconds(before: 3)
        let alone = local.summary(at: .seconds(3), users: 2, threads: 1, openModel: nil)

        // A fleet: the same intervals in a worker's binary stats frame, merged by the master.
        let request = FleetRun.Request(
            id: RunID(rawValue: "typed"), plan: plan, scenario: Self.checked, file: "typed.yaml",
            overrides: RunOverrides())
        var (run, out) = try FleetRun.start(
            request, workers: [(WorkerCapacity(node: NodeID(rawValue: "w"), cores: 1), 1)],
            now: .zero, unixSeconds: 0)
        guard case .assign(let assignment) = out.first?.message else { throw TestFailure("expected an assignment") }
        let sent = StatsReport(
            node: NodeID(rawValue: "w"), run: run.id, assignment: assignment.assignment, sequence: 1,
            intervals: (0..<3).map(Self.interval(second:)))
        guard case .stats(let received) = try Self.overTheWire(.stats(sent)) else {
            throw TestFailure("expected stats")
        }
        #expect(received == sent)   // typed on the wire: the reasons decode to the same cases
        let absorbed = run.absorb(received)
        #expect(absorbed)
        _ = run.tick(now: .seconds(6))
        let merged = run.summary(now: .seconds(3))

        #expect(merged.failuresByReason.map(\.reason) == alone.failuresByReason.map(\.reason))
        #expect(merged.failuresByReason.map(\.count) == alone.failuresByReason.map(\.count))
        #expect(LocustCSV.failures(merged) == LocustCSV.failures(alone))
        // Worded from the master's plan: each body check quotes its own endpoint's text.
        let rows = merged.failuresByReason.filter { !$0.reason.hasPrefix("curl error -7") }
        #expect(
            Dictionary(uniqueKeysWithValues: rows.map { ("\($0.name) \($0.reason)", $0.count) }) == [
                "/me HTTP 503": 12,
                #"/me check failed: body does not contain "ok""#: 6,
                #"/other check failed: body does not contain "ready""#: 9,
                #"/me check failed: $.status == "ok""#: 3,
                "/me TLS error: handshake failed": 3,
            ])
        #expect(merged.failuresByReason.count == rows.count + 1)
    }
}
