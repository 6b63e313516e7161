import Protocol
import Synchronization
import TargetServer
import Testing

@testable import Engine

/// The open model, load shapes, warm-up and aborting thresholds, against the real target.
@Suite(.serialized) struct OpenModelTests {
    /// Arrivals follow each thread's schedule, not the responses: a thread that runs late starts the
    /// iterations it missed at once (their latency counts from when they were due), so over the
    /// measured duration the run starts rate × duration of them (completed, in flight at the end, or
    /// dropped past `max_in_flight`).
    @Test(.timeLimit(.minutes(1)))
    func aFixedArrivalRateStartsItsScheduleOverTheMeasuredDuration() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            rate: 2000/s
            duration: 10s
            tasks: [ { request: GET /Test/V2 } ]
            """)
        #expect(summary.openModel?.targetRate == 2000)
        // Started = requests (those still in flight at the stop are counted too, as `cancelled at end`)
        // + dropped. On a loaded machine the in-process target answers late: thousands can be in flight
        // at the end, and past `max_in_flight` (10,000) arrivals are dropped, still on schedule. So
        // successes alone say little, and drops are not a failure here.
        let scheduled = 2000 * summary.durationS
        let cancelled = summary.failuresByReason.filter { $0.reason == "cancelled at end" }.reduce(0) { $0 + $1.count }
        let started = Double(summary.total.requests + (summary.openModel?.dropped ?? 0))
        // Generous both ways, for a loaded machine: 10 % is a second of arrivals a thread starved at the
        // end never got to, or started while the stop was reaching it. A thread keeping the whole rate
        // instead of its share, or falling behind for good, is far outside.
        #expect(
            started >= scheduled * 0.9 && started <= scheduled * 1.1,
            """
            \(summary.total.requests) requests (\(cancelled) cancelled at end) + \(summary.openModel?.dropped ?? 0) dropped \
            in \(summary.durationS) s at 2000/s; by second: \(summary.history.map { "\($0.second):\($0.requests)/\($0.users)" })
            """)
    }

    @Test(.timeLimit(.minutes(1)))
    func aStallShowsInCorrectedLatencyButNotInAClosedModel() async throws {
        // Once requests are flowing, every response is held for 2 s.
        let stall: @Sendable (Engine, TargetServer) async throws -> Void = { engine, target in
            try await eventually("requests to complete") { engine.snapshot().total.requests > 0 }
            try target.update(TargetChange(stall: .seconds(2)))
        }
        let open = try await runAgainstTarget(
            """
            host: http://x
            rate: 300/s
            duration: 8s
            tasks: [ { request: GET /Test/V2 } ]
            """, during: stall)
        let closed = try await runAgainstTarget(
            """
            host: http://x
            users: 3
            duration: 8s
            wait: { constant: 10ms }
            tasks: [ { request: GET /Test/V2 } ]
            """, during: stall)
        #expect(open.total.p99Ms >= 1000, "open-model p99 \(open.total.p99Ms) ms")
        #expect(closed.total.p99Ms < 1000, "closed-model p99 \(closed.total.p99Ms) ms")
        #expect(open.total.maxMs >= 1500)
    }

    @Test(.timeLimit(.minutes(1)))
    func arrivalsBeyondMaxInFlightAreCountedAsDropped() async throws {
        var config = TargetConfig()
        config.delay = .milliseconds(50)
        let summary = try await runAgainstTarget(
            """
            host: http://x
            rate: 400/s
            max_in_flight: 4
            duration: 3s
            tasks: [ { request: GET /Test/V2 } ]
            """, target: config)
        let dropped = summary.openModel?.dropped ?? 0
        // Four slots at 50 ms each carry at most ~80 iterations/s of the 400 asked.
        #expect(dropped > 600)
        #expect(summary.total.requests + dropped >= 1100)
        #expect(summary.history.contains { ($0.dropped ?? 0) > 0 })
    }

    @Test(.timeLimit(.minutes(1)))
    func stagedRateHistoryFollowsTheShape() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            stages:
              - { duration: 2s, target: 200/s }
              - { duration: 4s, target: 200/s }
              - { duration: 1s, target: 600/s }
              - { duration: 4s, target: 600/s }
            tasks: [ { request: GET /Test/V2 } ]
            """)
        func mean(_ seconds: ClosedRange<Int>) -> Double {
            let picked = summary.history.filter { seconds.contains($0.second) }
            return Double(picked.reduce(0) { $0 + $1.requests }) / Double(max(1, picked.count))
        }
        // Each second counts the requests completed in it; over three seconds the arrivals' schedule
        // is exact and only the ends move with the latency and a late thread: 10 % is 300 ms of it.
        #expect(abs(mean(3...5) - 200) / 200 <= 0.1, "hold at 200/s: \(mean(3...5))")
        #expect(abs(mean(8...10) - 600) / 600 <= 0.1, "hold at 600/s: \(mean(8...10))")
        #expect(summary.durationS < 12.5)
    }

    @Test(.timeLimit(.minutes(1)))
    func stagedUsersFollowTheShape() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            wait: { constant: 20ms }
            stages:
              - { duration: 1s, target: 4 }
              - { duration: 2s, target: 4 }
              - { duration: 1s, target: 8 }
              - { duration: 2s, target: 8 }
            tasks: [ { request: GET /Test/V2 } ]
            """)
        #expect(summary.history.first { $0.second == 2 }?.users == 4)
        #expect(summary.history.first { $0.second == 5 }?.users == 8)
    }

    @Test(.timeLimit(.minutes(1)))
    func warmupStatsAreKeptApartFromTheMeasuredRun() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 2
            warmup: 2s
            duration: 2s
            wait: { constant: 10ms }
            tasks: [ { request: GET /Test/V2 } ]
            """)
        #expect((summary.warmup?.requests ?? 0) > 50)
        #expect(summary.history.allSatisfy { $0.second >= 2 })
        #expect(summary.durationS > 1.5 && summary.durationS < 2.6)
        #expect(summary.total.requests > 50)
    }

    @Test(.timeLimit(.minutes(1)))
    func anAbortingThresholdStopsTheRunEarlyWithItsReason() async throws {
        var config = TargetConfig()
        config.delay = .milliseconds(30)
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 2
            duration: 30s
            tasks: [ { request: GET /Test/V2 } ]
            thresholds:
              - { threshold: "p95 < 10ms", abort_on_fail: true, grace: 1s }
            """, target: config)
        #expect(!summary.passed)
        #expect(summary.durationS < 5)
        #expect(summary.abortReason?.contains("p95 < 10ms") == true)
        #expect(summary.abortReason?.contains("aborted") == true)
    }

    @Test(.timeLimit(.minutes(1)))
    func rateCanBeChangedWhileRunning() async throws {
        // The seconds of the run just before and just after the change, from the engine's own clock.
        let change = Carried<(before: Int, after: Int)>()
        let summary = try await runAgainstTarget(
            """
            host: http://x
            rate: 100/s
            duration: 6s
            tasks: [ { request: GET /Test/V2 } ]
            """
        ) { engine, _ in
            try await eventually("a whole second at 100/s") { engine.snapshot().durationS >= 1 }
            let before = Int(engine.snapshot().durationS)
            engine.setRate(400)
            change.value.withLock { $0 = (before, Int(engine.snapshot().durationS)) }
        }
        let (before, after) = try #require(change.value.withLock { $0 })
        func mean(_ seconds: Range<Int>) -> Double {
            let picked = summary.history.filter { seconds.contains($0.second) }
            return Double(picked.reduce(0) { $0 + $1.requests }) / Double(max(1, picked.count))
        }
        // Whole seconds on each side of the change; the run's last second (5) may be folded into
        // its final partial window, so the seconds after stop at 4.
        try #require(after <= 2, "the change came in second \(after): too late to see two whole seconds after it")
        let old = mean(0..<before), new = mean((after + 1)..<5)
        #expect(old >= 50 && old <= 150, "before the change: \(old)/s")
        #expect(abs(new - 400) / 400 <= 0.1, "after the change: \(new)/s")
        #expect(summary.openModel?.targetRate == 400)
    }
}

/// Carries a value out of a `@Sendable` closure.
private final class Carried<Value: Sendable>: Sendable {
    let value = Mutex<Value?>(nil)
}

@Suite struct LoadShapeScenarioTests {
    private func load(_ yaml: String) throws -> Plan {
        try ScenarioLoader.load(yaml: yaml, file: "s.yaml", baseDirectory: ".")
    }

    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch let errors as ScenarioErrors {
            return errors.errors.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func ratesParseInTheirUnits() throws {
        #expect(try load("rate: 5000/s\ntasks: [{request: GET /}]").arrivalRate == 5000)
        #expect(try load("rate: 300/m\ntasks: [{request: GET /}]").arrivalRate == 5)
        #expect(try load("rate: 90k/s\ntasks: [{request: GET /}]").arrivalRate == 90_000)
        #expect(try load("rate: 250\ntasks: [{request: GET /}]").arrivalRate == 250)
    }

    @Test func theTwoModelsDoNotMix() {
        let found = errors("users: 10\nrate: 100/s\ntasks: [{request: GET /}]")
        #expect(found.count == 1 && found[0].contains("s.yaml:1:1: users: users belongs to the closed model"))
        #expect(
            errors("max_in_flight: 5\ntasks: [{request: GET /}]").first?.contains("only applies to the open model")
                == true)
        #expect(errors("rate: fast\ntasks: [{request: GET /}]").first?.contains("s.yaml:1:7: rate:") == true)
    }

    @Test func stagesWithRatesMakeAnOpenModelPlan() throws {
        let plan = try load(
            """
            stages: [ { duration: 1m, target: 1000/s }, { duration: 5m, target: 1000/s }, { duration: 1m, target: 0/s } ]
            warmup: 30s
            tasks: [ { request: GET / } ]
            """)
        #expect(plan.isOpenModel)
        #expect(plan.stages.map(\.target) == [1000, 1000, 0])
        #expect(plan.measuredDuration == .seconds(420))
        #expect(plan.warmup == .seconds(30))
    }

    @Test func stageErrorsNameTheirLine() {
        let found = errors(
            """
            stages:
              - { duration: 1m }
              - { duration: 2x, target: 3 }
            tasks: [ { request: GET / } ]
            """)
        #expect(found.contains { $0.hasPrefix("s.yaml:2:5: stages[0]:") })
        #expect(found.contains { $0.hasPrefix("s.yaml:3:17: stages[1].duration:") })
    }

    @Test func longFormThresholdsCarryAbortAndGrace() throws {
        let plan = try load(
            """
            tasks: [ { request: GET /a } ]
            thresholds:
              - { threshold: "p95 < 150ms", abort_on_fail: true, grace: 10s }
              - { threshold: "failures == 0", endpoint: "GET /a" }
            """)
        #expect(plan.thresholds[0].abortOnFail && plan.thresholds[0].grace == .seconds(10))
        #expect(
            plan.thresholds[1].endpoint == EndpointKey(method: "GET", name: "/a") && !plan.thresholds[1].abortOnFail)
    }
}

@Suite struct OverrideTests {
    @Test func usersOverrideSetsTheWarmupLevelBeforeStages() throws {
        var plan = try ScenarioLoader.load(
            yaml: """
                warmup: 10s
                stages: [ { duration: 1m, target: 50 } ]
                tasks: [ { request: GET / } ]
                """, file: "s.yaml", baseDirectory: ".")
        #expect(plan.warmupLevel == 50)
        plan.apply(RunOverrides(users: 7))
        #expect(plan.warmupLevel == 7)
    }
}

/// A fleet worker's view of a staged run: entering the shape late, and running its slice of it.
@Suite struct StagedShareTests {
    private func plan(_ shape: String) throws -> Plan {
        try ScenarioLoader.load(yaml: "\(shape)\ntasks: [ { request: GET / } ]\n", file: "s.yaml", baseDirectory: ".")
    }

    @Test func aLateJoinerEntersTheStagesWhereTheFleetIs() throws {
        var staged = try plan("stages: [ { duration: 10s, target: 40 }, { duration: 10s, target: 40 } ]")
        staged.share = Plan.Share(stagesElapsed: .seconds(5))
        guard case .closed(let schedule) = Engine.initialModel(staged, start: 100_000_000, warmupMicros: 0) else {
            Issue.record("expected the closed model")
            return
        }
        #expect(schedule.total(at: 100_000_000) == 20)   // halfway up the first stage at once
        #expect(schedule.total(at: 105_000_000) == 40)
        #expect(schedule.isSettled(at: 115_000_000))
    }

    @Test func aSliceRunsItsPartOfEveryLevelAndLeavesTheTiming() throws {
        let model = Engine.initialModel(
            try plan("stages: [ { duration: 10s, target: 40 } ]"), start: 0, warmupMicros: 0)
        guard case .closed(let schedule)? = model.slicingStages(LoadSlice(checking: 0.5, 1)!) else {
            Issue.record("expected sliced stages")
            return
        }
        #expect(schedule.total(at: 5_000_000) == 10)
        #expect(schedule.total(at: 10_000_000) == 20)
        let open = Engine.initialModel(
            try plan("rate: 100/s\nstages: [ { duration: 10s, target: 200 } ]"), start: 0,
            warmupMicros: 0)
        #expect(open.slicingStages(LoadSlice(checking: 0.25, 0.75)!)?.rate(at: 10_000_000) == 100)
    }

    @Test func slicesTilingTheShapeAddUpToTheFleetsUsersExactly() {
        // Three equal workers: scaling 100 users by a third each and rounding down gave 99.
        let slices = LoadSlice.tiling([1.0 / 3, 1.0 / 3, 1.0 / 3])
        for level in [0.0, 1, 2, 7.5, 99, 100, 101, 1000, 70_000] {
            #expect(slices.map { $0.users(of: level) }.reduce(0, +) == Int(level), "at \(level)")
        }
        #expect(slices.map { $0.users(of: 100) } == [33, 33, 34])
        // A standby (fraction 0) gets an empty slice wherever it sorts.
        let withStandby = LoadSlice.tiling([0.5, 0.5, 0])
        #expect(withStandby[1].to == 1 && withStandby[2] == LoadSlice(checking: 1, 1))
        #expect(LoadSlice(checking: 0.6, 0.4) == nil && LoadSlice(checking: -0.1, 0.2) == nil)
    }

    @Test func aPlainRampOrRateHasNoStagesToSlice() throws {
        #expect(Engine.initialModel(try plan("users: 5"), start: 0, warmupMicros: 0).slicingStages(.whole) == nil)
        #expect(Engine.initialModel(try plan("rate: 5/s"), start: 0, warmupMicros: 0).slicingStages(.whole) == nil)
    }
}
