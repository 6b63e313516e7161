import Foundation
import Protocol
import TargetServer
import TestSupport
import Testing

@testable import Engine

/// Sessions with real libcurl against the built-in target's board: form login with a cookie per
/// user, redirects, basic auth and the data modes. The target says what it saw per user name.
@Suite(.serialized, .timeLimit(.minutes(1))) struct SessionTests {
    /// A folder holding `users.csv` with these user names (column `user`), removed by `remove()`.
    struct DataFolder {
        let path: String

        init(users: [String]) throws {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent("loadd-session-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try (["user"] + users).joined(separator: "\n").appending("\n")
                .write(toFile: path + "/users.csv", atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Runs `yaml` (reading `users.csv` from `folder`) against a fresh target; returns the summary
    /// and what the board saw.
    func run(
        _ yaml: String, users: [String] = ["alice", "bob"], threads: Int = 2,
        target config: TargetConfig = TargetConfig(),
        during: (@Sendable (Engine, TargetServer) async throws -> Void)? = nil
    ) async throws -> (RunSummary, BoardStats) {
        let folder = try DataFolder(users: users)
        defer { folder.remove() }
        let target = try await TargetServer.start(config)
        var plan = try ScenarioLoader.load(yaml: yaml, file: folder.path + "/s.yaml", baseDirectory: folder.path)
        plan.host = target.baseURL
        let engine = try Engine(plan: plan, options: EngineOptions(threads: threads))
        engine.start()
        try await during?(engine, target)
        let summary = await engine.finished()
        let board = target.boardStats()
        try await target.stop()
        return (summary, board)
    }

    static let boardScenario = """
        users: 4
        spawn_rate: 100
        duration: 2s
        wait: { constant: 20ms }
        data: { csv: users.csv }
        on_start:
          - request: POST /board/login
            form: { username: "{{data.user}}", password: secret }
            check: { status: 200, body_contains: "signed in as" }
        tasks:
          - request: POST /board
            form: { author: "{{data.user}}", message: "hello from {{data.user}}" }
            check: { status: 200 }
        """

    @Test func eachUserKeepsItsOwnSessionCookieAndNeverSeesAnothers() async throws {
        let names = ["alice", "bob", "carol", "dave"]
        let (summary, board) = try await run(Self.boardScenario, users: names)
        #expect(summary.total.failures == 0, "\(summary.failuresByReason)")
        // The login's redirect to /board was followed: one request per user, under the step's name.
        let login = summary.endpoints.first { $0.name == "/board/login" }
        #expect(login?.requests == 4)
        #expect(board.logins == Dictionary(uniqueKeysWithValues: names.map { ($0, 1) }))
        for name in names { #expect((board.posts[name] ?? 0) > 0, "\(name) posted nothing") }
        // Every post named the session's own user: no request carried another user's cookie.
        #expect(board.authorMismatches == 0)
    }

    @Test func withCookiesOffTheBoardAnswers401AfterLogin() async throws {
        let (summary, board) = try await run("cookies: false\n" + Self.boardScenario, users: ["alice", "bob"])
        #expect(summary.total.requests > 0)
        #expect(summary.total.failures == summary.total.requests)
        #expect(Set(summary.failuresByReason.map(\.reason)) == ["HTTP 401"])
        #expect((board.logins["alice"] ?? 0) > 0)
        #expect(board.posts.isEmpty)
    }

    @Test func aRestartedUserStartsWithAnEmptyJar() async throws {
        // on_start first proves the jar is empty (the board refuses it), then logs in; a user
        // restarted with its old cookie would get the board (200) and fail that check.
        let yaml = """
            users: 1
            spawn_rate: 1000
            wait: { constant: 20ms }
            data: { csv: users.csv }
            on_start:
              - { request: GET /board, name: empty jar, check: { status: 401 } }
              - request: POST /board/login
                form: { username: "{{data.user}}", password: secret }
            tasks:
              - { request: GET /board, check: { status: 200 } }
            """
        let (summary, board) = try await run(yaml, users: ["alice"], threads: 1) { engine, target in
            try await eventually("the first login") { target.boardStats().logins["alice"] == 1 }
            engine.setUsers(0, spawnRate: 1000)
            try await eventually("the user to stop") { engine.snapshot().history.last?.users == 0 }
            engine.setUsers(1, spawnRate: 1000)
            try await eventually("the second login") { target.boardStats().logins["alice"] == 2 }
            engine.stop()
        }
        let probe = summary.endpoints.first { $0.name == "empty jar" }
        #expect(probe?.requests == 2)
        #expect(probe?.failures == 0)
        #expect(summary.total.failures == 0, "\(summary.failuresByReason)")
        #expect(board.logins["alice"] == 2)
    }

    @Test func redirectsAreFollowedAndCountedUnderTheStepsName() async throws {
        let (summary, _) = try await run(
            """
            users: 2
            duration: 1s
            wait: { constant: 20ms }
            tasks:
              - { request: GET /old, name: old page, check: { status: 200, body_contains: "new" } }
            """)
        #expect(summary.endpoints.map(\.name) == ["old page"])
        #expect(summary.total.requests > 0)
        #expect(summary.total.failures == 0, "\(summary.failuresByReason)")
    }

    @Test func withFollowingOffThe302IsTheAnswer() async throws {
        let (summary, _) = try await run(
            """
            users: 2
            duration: 1s
            wait: { constant: 20ms }
            follow_redirects: false
            tasks:
              - steps:
                  - { request: GET /old, name: raw, check: { status: 302 } }
                  - { request: GET /old, name: default check }
                  - { request: GET /old, name: followed here, follow_redirects: true, check: { status: 200 } }
            """)
        #expect(summary.total.requests > 0)
        // A 302 seen raw passes the default check (200…399), like Locust.
        #expect(summary.total.failures == 0, "\(summary.failuresByReason)")
        #expect(summary.endpoints.count == 3)
    }

    @Test func aRedirectLoopFailsAsTooManyRedirects() async throws {
        let (summary, _) = try await run(
            """
            users: 1
            duration: 1s
            wait: { constant: 50ms }
            tasks: [ { request: GET /redirect-loop } ]
            """)
        #expect(summary.total.requests > 0)
        #expect(summary.total.failures == summary.total.requests)
        #expect(summary.failuresByReason.map(\.reason) == ["too many redirects (more than 10)"])
    }

    @Test func aRedirectToAnotherProtocolThanHTTPIsNotFollowed() async throws {
        let target = try RawTarget(
            reply: Array("HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1:1/x\r\nContent-Length: 0\r\n\r\n".utf8))
        var plan = try ScenarioLoader.load(
            yaml: """
                host: http://x
                duration: 1s
                wait: { constant: 50ms }
                tasks: [ { request: GET /a } ]
                """, file: "test.yaml", baseDirectory: ".")
        plan.host = target.baseURL
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        let summary = await engine.finished()
        target.stop()
        #expect(summary.total.requests > 0 && summary.total.failures == summary.total.requests)
        // Refused by libcurl before any connection, not "connection refused" by port 1.
        #expect(summary.failuresByReason.map(\.reason) == ["curl error 1: Unsupported protocol"])
    }

    @Test func basicAuthPassesWithTheRightPasswordAndGets401WithAWrongOne() async throws {
        let (summary, board) = try await run(
            """
            users: 2
            duration: 1s
            wait: { constant: 20ms }
            data: { csv: users.csv }
            auth: { basic: ["{{data.user}}", secret] }
            tasks:
              - steps:
                  - { request: GET /basic, name: right, check: { status: 200 } }
                  - { request: GET /basic, name: wrong, auth: { basic: ["{{data.user}}", nope] }, check: { status: 401 } }
                  - { request: GET /basic, name: none, auth: ~, check: { status: 401 } }
                  - { request: GET /basic, name: right again, check: { status: 200 } }
            """)
        #expect(summary.total.requests > 0)
        #expect(summary.total.failures == 0, "\(summary.failuresByReason)")
        #expect((board.basicPasses["alice"] ?? 0) > 0 && (board.basicPasses["bob"] ?? 0) > 0)
        #expect(Set(board.basicPasses.keys) == ["alice", "bob"])
    }
}
