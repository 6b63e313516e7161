import Protocol
import Testing

@testable import Engine

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
