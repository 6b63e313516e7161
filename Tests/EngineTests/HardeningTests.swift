import Glibc
import Protocol
import TargetServer
import Testing

@testable import Engine

/// Whatever values reach the engine (a fleet worker or an API body can carry any), it neither
/// traps, nor spins, nor outgrows its memory budget, and stop and the duration always win.
/// (Few iterations in flight: the point is the rate, and these runs share the CPU with other suites.)
@Suite(.serialized) struct ExtremeLoadTests {
    private func plan(_ yaml: String, host: String) throws -> Plan {
        var plan = try ScenarioLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: ".")
        plan.host = host
        return plan
    }

    /// Polls `condition` every 10 ms until it holds or `limit` has passed; returns the time taken.
    private func waitUntil(_ limit: Duration, _ condition: () -> Bool) async -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while true {
            if condition() { return clock.now - start }
            if clock.now - start > limit { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aRateTheClockCannotResolveStillEndsAtItsDuration() async throws {
        let target = try await TargetServer.start(TargetConfig())
        var plan = try plan(
            """
            host: http://x
            rate: 10/s
            max_in_flight: 4
            duration: 2s
            tasks: [ { request: GET /Test/V2 } ]
            """, host: target.baseURL)
        plan.arrivalRate = 1e15
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        let took = await waitUntil(.seconds(20)) { engine.phase == .finished }
        let summary = await engine.finished()
        try await target.stop()
        #expect(took != nil, "a 2 s run at 1e15/s did not end within 20 s")
        #expect(summary.durationS < 3, "the run was stopped after \(summary.durationS) s")
        #expect(summary.total.requests > 0)
        #expect((summary.openModel?.dropped ?? 0) > 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func stopMidRunAtAnExtremeRateReturnsWithinASecond() async throws {
        let target = try await TargetServer.start(TargetConfig())
        var plan = try plan(
            """
            host: http://x
            rate: 10/s
            max_in_flight: 4
            tasks: [ { request: GET /Test/V2 } ]
            """, host: target.baseURL)
        plan.arrivalRate = 1e15
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        _ = await waitUntil(.seconds(5)) { engine.snapshot().total.requests > 0 }
        engine.setRate(.infinity)   // `loadctl rate` mid-run with a value past every limit
        try await Task.sleep(for: .milliseconds(300))
        engine.stop()
        let took = await waitUntil(.seconds(3)) { engine.phase == .finished }
        _ = await engine.finished()
        try await target.stop()
        #expect(took != nil && took! < .seconds(1), "stop took \(String(describing: took))")
    }

    @Test(.timeLimit(.minutes(1)))
    func aTinyRateAndAHugeRateStageNeitherTrapNorRunOver() async throws {
        let target = try await TargetServer.start(TargetConfig())
        var tiny = try plan(
            """
            host: http://x
            rate: 10/s
            duration: 1s
            tasks: [ { request: GET /Test/V2 } ]
            """, host: target.baseURL)
        tiny.arrivalRate = 1e-300
        let idle = try Engine(plan: tiny, options: EngineOptions(threads: 2))
        idle.start()
        let quiet = await idle.finished()
        #expect(quiet.total.requests <= 2)   // at most the first arrival of each thread

        var huge = try plan(
            """
            host: http://x
            max_in_flight: 4
            stages:
              - { duration: 1s, target: 10/s }
              - { duration: 1s, target: 20/s }
            tasks: [ { request: GET /Test/V2 } ]
            """, host: target.baseURL)
        huge.stages[1].target = Double(Int.max)   // what `target: 9223372036854775807` used to reach the engine as
        let clock = ContinuousClock()
        let start = clock.now
        let engine = try Engine(plan: huge, options: EngineOptions(threads: 2))
        engine.start()
        let summary = await engine.finished()
        try await target.stop()
        #expect(clock.now - start < .seconds(8))
        #expect(summary.total.requests > 0)
    }

    @Test func aHugeStageTargetOrInFlightCapIsRefusedByTheBudgetNotTrapped() throws {
        var staged = try plan(
            """
            host: http://127.0.0.1:1
            stages: [ { duration: 1s, target: 10 } ]
            tasks: [ { request: GET /a } ]
            """, host: "http://127.0.0.1:1")
        staged.stages[0].target = Double(Int.max)   // what `target: 9223372036854775807` used to reach the engine as
        #expect(throws: RunBudgetError.self) { try Engine(plan: staged, nodeMemory: 16 << 30) }
        do {
            _ = try Engine(plan: staged, nodeMemory: 16 << 30)
        } catch {
            #expect(error.field == "users")
        }

        var open = try plan(
            """
            host: http://127.0.0.1:1
            rate: 10/s
            tasks: [ { request: GET /a } ]
            """, host: "http://127.0.0.1:1")
        open.maxInFlight = Int.max
        do {
            _ = try Engine(plan: open, options: EngineOptions(threads: 3), nodeMemory: 16 << 30)
            Issue.record("max_in_flight: Int.max was accepted")
        } catch {
            #expect(error.field == "max_in_flight")
            #expect(error.description.hasPrefix("max_in_flight: 9223372036854775807 iterations in flight need about"))
        }
    }

    @Test func tenMillionUsersAreRefusedWithTheNumbersBeforeAnyThreadStarts() throws {
        // `validate` refuses `users: 10000000` (ScenarioLimits); a fleet share or an API override could
        // still carry it to the engine, which must refuse it by its own budget.
        var plan = try plan(
            """
            host: http://127.0.0.1:1
            users: 1
            tasks: [ { request: GET /a } ]
            """, host: "http://127.0.0.1:1")
        plan.users = 10_000_000
        let threadsBefore = Self.threadCount()
        do {
            _ = try Engine(plan: plan, options: EngineOptions(threads: 4), nodeMemory: 16_000_000_000)
            Issue.record("10,000,000 users were accepted on a 16 GB node")
        } catch {
            #expect(error.field == "users")
            #expect(
                error.description == "users: 10000000 users need about 164 GB, more than the 8 GB this node "
                    + "allows (half of its memory); use fewer users or more nodes")
        }
        #expect(Self.threadCount() <= threadsBefore)
    }

    @Test func theBudgetIsWorkedOutFromThePlanAndThisNodesSliceOfIt() throws {
        var plan = try plan(
            """
            host: http://127.0.0.1:1
            stages: [ { duration: 1s, target: 1000 } ]
            tasks: [ { request: GET /a } ]
            """, host: "http://127.0.0.1:1")
        plan.share = Plan.Share(stageSlice: LoadSlice(checking: 0, 0.25)!)
        let budget = RunBudget(plan: plan, threads: 2, nodeBytes: 8 << 30)
        #expect(budget.users == 250)
        #expect(budget.endpoints == 1)
        #expect(budget.allowedBytes == 4 << 30)
        #expect(
            budget.neededBytes == RunBudget.bytesPerRun + 250 * RunBudget.bytesPerUser
                + RunBudget.bytesPerEndpoint + 2 * RunBudget.bytesPerEndpointPerThread)
        #expect(budget.maxUsers > 200_000)
    }

    private static func threadCount() -> Int {
        guard let dir = opendir("/proc/self/task") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }
}

/// A target that misbehaves fails the request with a reason that names what it did; the run goes on.
@Suite(.serialized) struct HostileTargetTests {
    private func run(
        against target: RawTarget, users: Int = 1, seconds: Int = 2,
        timeout: String = "5s"
    ) async throws -> RunSummary {
        var plan = try ScenarioLoader.load(
            yaml: """
                host: http://x
                users: \(users)
                spawn_rate: 100
                duration: \(seconds)s
                timeout: \(timeout)
                wait: { constant: 50ms }
                tasks: [ { request: GET /a } ]
                """, file: "test.yaml", baseDirectory: ".")
        plan.host = target.baseURL
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        let summary = await engine.finished()
        target.stop()
        return summary
    }

    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            (RawTarget.garbage, "invalid HTTP response"),
            (RawTarget.hugeHeader, "response header too large"),
            (RawTarget.cutBody, "body cut after headers"),
        ])
    func aBrokenReplyFailsWithAReasonNamingIt(reply: [UInt8], reason: String) async throws {
        let summary = try await run(against: try RawTarget(reply: reply))
        #expect(summary.total.requests > 0)
        #expect(summary.total.failures == summary.total.requests)
        #expect(summary.failuresByReason.map(\.reason) == [reason])
        #expect(summary.abortReason == nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func requestsStillInFlightAtTheEndCountAsCancelledAtEnd() async throws {
        let summary = try await run(against: try RawTarget(reply: nil), users: 3, seconds: 2, timeout: "60s")
        #expect(summary.total.requests == 3)
        #expect(summary.total.failures == 3)
        #expect(summary.failuresByReason.map(\.reason) == ["cancelled at end"])
        #expect(summary.failuresByReason.first?.count == 3)
        // Their age at the end is their latency: a lower bound of what the target took.
        #expect(summary.total.medianMs >= 1500)
    }
}
