import Protocol
import TargetServer
import Testing

@testable import Engine

/// The engine with real libcurl against the real built-in target on 127.0.0.1: the target
/// knows the truth (its own request counts, the latency and errors it injects).
@Suite(.serialized) struct EngineAgainstTargetTests {
    @Test(.timeLimit(.minutes(1)))
    func weightedMixLandsWithinTwoPointsOfItsShares() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 20
            spawn_rate: 100
            duration: 5s
            tasks:
              - { weight: 60, request: GET /Test/V1 }
              - { weight: 1,  request: GET /Test/V2 }
              - { weight: 14, request: GET /Test/V3 }
              - { weight: 5,  request: GET /Test/V4 }
            """)
        let total = Double(summary.total.requests)
        #expect(total >= 5000)
        #expect(summary.total.failures == 0)
        let expected = ["/Test/V1": 60.0 / 80, "/Test/V2": 1.0 / 80, "/Test/V3": 14.0 / 80, "/Test/V4": 5.0 / 80]
        for row in summary.endpoints {
            let share = Double(row.requests) / total
            #expect(abs(share - expected[row.name]!) <= 0.02, "\(row.name): \(share)")
        }
        #expect(summary.endpoints.first { $0.name == "/Test/V1" }?.avgBytes == 1578)
        #expect(summary.endpoints.first { $0.name == "/Test/V2" }?.avgBytes == 13)
    }

    @Test(.timeLimit(.minutes(1)))
    func percentilesFollowTheLatencyTheTargetInjects() async throws {
        var config = TargetConfig()
        config.slowFraction = 0.1
        config.slowDelay = .milliseconds(50)
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 10
            duration: 4s
            tasks: [ { request: GET /Test/V2 } ]
            """, target: config)
        #expect(summary.total.requests > 200)
        #expect(summary.total.p95Ms >= 50)
        #expect(summary.total.medianMs < 25)
        #expect(summary.total.serviceP95Ms >= 50)
    }

    @Test(.timeLimit(.minutes(1)))
    func refusedPortIsReportedAndTheRunFailsAsUnreachable() async throws {
        var plan = try ScenarioLoader.load(
            yaml: """
                host: http://127.0.0.1:1
                users: 2
                duration: 30s
                tasks: [ { request: GET /Test/V1 } ]
                """, file: "test.yaml", baseDirectory: ".")
        plan.host = "http://127.0.0.1:1"
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        let summary = await engine.finished()
        #expect(!summary.passed)
        #expect(summary.abortReason?.contains("unreachable") == true)
        #expect(summary.durationS < 10)
        #expect(summary.failuresByReason.first?.reason == "connection refused")
    }

    @Test(.timeLimit(.minutes(1)))
    func slowResponsesPastTheTimeoutFailAsTimeout() async throws {
        var config = TargetConfig()
        config.delay = .milliseconds(400)
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 2
            duration: 2s
            timeout: 100ms
            tasks: [ { request: GET /Test/V2 } ]
            """, target: config)
        #expect(summary.total.failures > 0)
        #expect(summary.total.failures == summary.total.requests)
        #expect(summary.failuresByReason.map(\.reason) == ["timeout"])
    }

    @Test(.timeLimit(.minutes(1)))
    func serverErrorsAreCountedAsHTTPStatusFailures() async throws {
        var config = TargetConfig()
        config.errorFraction = 0.1
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 4
            duration: 3s
            tasks: [ { request: GET /Test/V3 } ]
            thresholds: [ "failures == 0" ]
            """, target: config)
        let rate = summary.total.failureRate
        #expect(rate > 0.08 && rate < 0.12)
        #expect(summary.failuresByReason.map(\.reason) == ["HTTP 500"])
        #expect(!summary.passed)
        #expect(summary.thresholds.first?.passed == false)
    }

    @Test(.timeLimit(.minutes(1)))
    func passingThresholdsPassTheRun() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 4
            duration: 2s
            tasks: [ { request: GET /Test/V1 } ]
            thresholds: [ "p95 < 2s", "failure_rate < 1%", "rps > 10" ]
            """)
        #expect(summary.thresholds.count == 3)
        #expect(summary.thresholds.allSatisfy { $0.passed })
        #expect(summary.passed)
    }

    @Test(.timeLimit(.minutes(1)))
    func userCountChangesWhileRunning() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 2
            spawn_rate: 100
            duration: 4s
            wait: { constant: 10ms }
            tasks: [ { request: GET /Test/V2 } ]
            """
        ) { engine, _ in
            try await Task.sleep(for: .milliseconds(1200))
            #expect(engine.snapshot().users == 2)
            engine.setUsers(6, spawnRate: 100)
            try await Task.sleep(for: .milliseconds(1500))
            #expect(engine.snapshot().users == 6)
        }
        #expect(summary.history.contains { $0.users == 6 })
        #expect(summary.history.contains { $0.users == 2 })
    }

    @Test(.timeLimit(.minutes(1)))
    func resetZeroesTheStatsWithoutStoppingUsers() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 2
            duration: 4s
            wait: { constant: 5ms }
            tasks: [ { request: GET /Test/V2 } ]
            """
        ) { engine, _ in
            try await Task.sleep(for: .milliseconds(2200))
            engine.resetStats()
        }
        #expect(summary.durationS < 2.5)
        #expect(summary.total.requests > 0)
        #expect(summary.history.allSatisfy { $0.second >= 3 })
    }

    @Test(.timeLimit(.minutes(1)))
    func loginFlowRunsOnceThenTasksWithPerUserValues() async throws {
        let summary = try await runAgainstTarget(
            """
            host: http://x
            users: 3
            spawn_rate: 100
            duration: 2s
            wait: { constant: 20ms }
            vars: { deviceid: "{{uuid}}" }
            on_start:
              - request: POST /login
                form: { deviceid: "{{deviceid}}" }
            tasks:
              - request: POST /metrics
                form: { deviceid: "{{deviceid}}", timestamp: "{{now}}" }
                check: { status: 200 }
            """)
        let login = summary.endpoints.first { $0.name == "/login" }
        let metrics = summary.endpoints.first { $0.name == "/metrics" }
        #expect(login?.requests == 3)
        #expect((metrics?.requests ?? 0) > 30)
        #expect(summary.total.failures == 0)
    }
}
