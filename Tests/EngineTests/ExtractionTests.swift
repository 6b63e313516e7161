import Protocol
import TargetServer
import Testing

@testable import Engine

/// Runs `yaml` against a fresh built-in target and returns the summary with what the target counted
/// per path (its own truth: a request it never saw was never sent).
private func runCounting(
    _ yaml: String, target config: TargetConfig = TargetConfig(),
    environment: [String: String] = [:]
) async throws -> (RunSummary, TargetStats) {
    let target = try await TargetServer.start(config)
    var plan = try ScenarioLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: ".", environment: environment)
    plan.host = target.baseURL
    let engine = try Engine(plan: plan, options: EngineOptions(threads: 2))
    engine.start()
    let summary = await engine.finished()
    let stats = target.stats()
    try await target.stop()
    return (summary, stats)
}

/// `extract:`, the checks table and `{{env.…}}` with real libcurl against the built-in target.
@Suite(.serialized) struct ExtractionTests {
    @Test(.timeLimit(.minutes(1)))
    func aTokenFromOnStartLoginServesEveryLaterTaskOfEveryUser() async throws {
        let (summary, target) = try await runCounting(
            """
            host: http://x
            users: 6
            duration: 2s
            on_start:
              - request: POST /api/login
                json: { user: alice, password: secret }
                extract:
                  token: { json: "$.token" }
            tasks:
              - request: GET /api/me
                headers: { Authorization: "Bearer {{token}}" }
                check: { status: 200 }
            """)
        #expect(summary.total.failures == 0, "\(summary.failuresByReason)")
        #expect(target.byPath["/api/login"] == 6)
        let me = target.byPath["/api/me"] ?? 0
        #expect(me > 50)
        #expect(summary.endpoints.first { $0.name == "/api/me" }?.requests == UInt64(me))
        #expect(summary.skippedSteps == nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func aMissingTokenFailsTheLoginByItsOwnReasonAndTheNextStepIsNeverSent() async throws {
        let (summary, target) = try await runCounting(
            """
            host: http://x
            users: 3
            duration: 2s
            wait: 10ms
            tasks:
              - steps:
                  - request: POST /api/login?omit_token=1
                    name: login
                    extract: { token: { json: "$.token" } }
                  - request: GET /api/me
                    headers: { Authorization: "Bearer {{token}}" }
            """)
        #expect(target.byPath["/api/me"] == 0)
        let logins = target.byPath["/api/login"] ?? 0
        #expect(logins > 10)
        let reasons = summary.failuresByReason.filter { $0.name == "login" }
        #expect(reasons.map(\.reason) == ["extract token: no match for $.token"])
        #expect(reasons.first?.count == UInt64(logins))
        // Each failed login skipped the one step after it (one answered while the run drained skipped nothing).
        let skipped = summary.skippedSteps ?? 0
        #expect(skipped <= UInt64(logins) && skipped + 3 >= UInt64(logins), "\(skipped) of \(logins)")
    }

    @Test(.timeLimit(.minutes(1)))
    func headerRegexAndNegativeIndexValuesReachTheNextStep() async throws {
        let (summary, target) = try await runCounting(
            """
            host: http://x
            users: 2
            duration: 2s
            wait: 10ms
            tasks:
              - steps:
                  - request: POST /api/login
                    extract:
                      kind: { header: CONTENT-TYPE }
                      digit: { regex: '"id":4(\\d)' }
                      role: { json: "$.user.roles[-1]" }
                  - request: GET /Test/V{{digit}}?k={{kind}}&r={{role}}
                    name: by digit
                  - request: GET /api/login
                    name: missing header
                    extract: { nothing: { header: X-Not-There } }
            """)
        #expect((target.byPath["/Test/V2"] ?? 0) > 5)
        #expect(summary.endpoints.first { $0.name == "by digit" }?.failures == 0)
        // GET on the POST-only login answers 405: a failed step that extracts ends its iteration too.
        #expect(summary.failuresByReason.contains { $0.name == "missing header" && $0.reason == "HTTP 405" })
    }

    @Test(.timeLimit(.minutes(1)))
    func aHeaderThatIsNotThereIsNoMatch() async throws {
        let (summary, _) = try await runCounting(
            """
            host: http://x
            users: 1
            duration: 1s
            wait: 20ms
            tasks:
              - request: POST /api/login
                extract: { nothing: { header: X-Not-There } }
            """)
        #expect(summary.failuresByReason.map(\.reason) == ["extract nothing: no match for header X-Not-There"])
    }

    @Test(.timeLimit(.minutes(1)))
    func theChecksTableCountsPassesAndFailsOfJSONHeaderAndMaxMsChecks() async throws {
        var config = TargetConfig()
        config.delay = .milliseconds(30)
        let (summary, _) = try await runCounting(
            """
            host: http://x
            users: 4
            duration: 2s
            on_start:
              - request: POST /api/login
                extract: { token: { json: "$.token" } }
            tasks:
              - request: GET /api/me
                headers: { Authorization: "Bearer {{token}}" }
                check: { status: 200, json: { "$.status": ok }, header: { Content-Type: json }, max_ms: 5000 }
              - request: GET /Test/V2
                check: { json: { "$.status": ok }, header: { content-type: json }, max_ms: 10 }
            """, target: config)
        let checks = summary.checks ?? []
        func row(_ name: String, _ check: String) -> CheckTally? {
            checks.first { $0.name == name && $0.check == check }
        }
        for check in ["status 200", #"$.status == "ok""#, #"header Content-Type contains "json""#, "max_ms 5000"] {
            let tally = try #require(row("/api/me", check), "\(check) in \(checks)")
            #expect(tally.passes > 10 && tally.fails == 0, "\(check)")
        }
        for check in [#"$.status == "ok""#, #"header content-type contains "json""#, "max_ms 10"] {
            let tally = try #require(row("/Test/V2", check), "\(check) in \(checks)")
            #expect(tally.passes == 0 && tally.fails > 10, "\(check)")
        }
        let v2 = summary.failuresByReason.filter { $0.name == "/Test/V2" }
        #expect(v2.map(\.reason) == [#"check failed: $.status == "ok""#])
        #expect(summary.failuresByReason.allSatisfy { $0.name == "/Test/V2" })
    }

    @Test(.timeLimit(.minutes(1)))
    func envAndBase64ValuesAreSent() async throws {
        // Bearer from the environment: a wrong one is a 401, the right one (issued by a login first) a 200,
        // so this proves the env value and the base64 of a var both reach the request.
        let (summary, _) = try await runCounting(
            """
            host: http://x
            users: 1
            duration: 1s
            wait: 20ms
            vars: { pair: "{{env.LOADD_USER}}:x" }
            tasks:
              - steps:
                  - request: POST /api/login
                    json: { user: "{{env.LOADD_USER}}", basic: "{{base64 pair}}" }
                    extract: { token: { json: "$.token" } }
                  - request: GET /api/me
                    headers: { Authorization: "Bearer {{token}}", X-Basic: "Basic {{base64 pair}}", X-Env: "{{env.LOADD_USER}}" }
            """, environment: ["LOADD_USER": "alice"])
        #expect(summary.total.failures == 0, "\(summary.failuresByReason)")
        #expect(summary.total.requests > 4)
    }
}

extension ExtractionTests {
    @Test(.timeLimit(.minutes(1)))
    func theLoginFlowExampleLogsInAndItsTokenOpensApiMe() async throws {
        let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let target = try await TargetServer.start(TargetConfig())
        var plan = try ScenarioLoader.load(file: root + "/examples/login-flow.yaml")
        plan.host = target.baseURL
        plan.users = 4
        plan.spawnRate = 100
        plan.duration = .seconds(3)
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        let summary = await engine.finished()
        try await target.stop()
        let login = try #require(summary.endpoints.first { $0.name == "/api/login" })
        #expect(login.requests == 4 && login.failures == 0)
        let me = try #require(summary.endpoints.first { $0.name == "/api/me" })
        #expect(me.requests > 0 && me.failures == 0, "\(summary.failuresByReason)")
    }
}

extension ExtractionTests {
    @Test(.timeLimit(.minutes(1)), arguments: ["users: 3\nwait: 20ms", "rate: 50/s\nmax_in_flight: 5"])
    func aLoginThatGetsNoTokenInOnStartIsRetriedAndNoTaskRunsWithoutIt(shape: String) async throws {
        let (summary, target) = try await runCounting(
            """
            host: http://x
            \(shape)
            duration: 2s
            on_start:
              - request: POST /api/login?omit_token=1
                name: login
                extract: { token: { json: "$.token" } }
              - request: GET /Test/V1
            tasks:
              - request: GET /api/me
                headers: { Authorization: "Bearer {{token}}" }
            """)
        let logins = target.byPath["/api/login"] ?? 0
        #expect(logins > 10, "each user logs in again rather than once")
        #expect(target.byPath["/api/me"] == 0 && target.byPath["/Test/V1"] == 0)
        // Logins answered while the run was draining skip nothing: nothing starts then anyway.
        let skipped = summary.skippedSteps ?? 0
        #expect(skipped <= UInt64(logins) && skipped + 5 >= UInt64(logins), "\(skipped) of \(logins)")
        #expect(summary.failuresByReason.map(\.reason) == ["extract token: no match for $.token"])
    }
}
