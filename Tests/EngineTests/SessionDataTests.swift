import Foundation
import Protocol
import TargetServer
import TestSupport
import Testing

@testable import Engine

/// The data modes (`cycle`, `random`, `unique`) with real users logging in to the built-in target's board.
extension SessionTests {
    static let loginOnce = """
        on_start:
          - request: POST /board/login
            form: { username: "{{data.user}}", password: secret }
        tasks: [ { request: GET /board, check: { status: 200 } } ]
        """

    @Test func cycleHandsEachNewUserTheNextRow() async throws {
        let (summary, board) = try await run(
            """
            users: 2
            spawn_rate: 100
            duration: 1s
            wait: { constant: 20ms }
            data: { csv: users.csv, mode: cycle }
            """ + "\n" + Self.loginOnce, users: ["alice", "bob", "carol", "dave"])
        #expect(summary.total.failures == 0)
        #expect(board.logins == ["alice": 1, "bob": 1])
    }

    @Test func randomDrawsRowsFromTheWholeFile() async throws {
        // 30 users over 2 rows: the chance that one row is never drawn is 2 × 2⁻³⁰.
        let (summary, board) = try await run(
            """
            users: 30
            spawn_rate: 1000
            duration: 1s
            wait: { constant: 50ms }
            data: { csv: users.csv, mode: random }
            """ + "\n" + Self.loginOnce, users: ["alice", "bob"])
        #expect(summary.total.failures == 0)
        #expect(Set(board.logins.keys) == ["alice", "bob"])
        #expect(board.logins.values.reduce(0, +) == 30)
    }

    @Test func uniqueGivesEveryUserItsOwnRow() async throws {
        let (summary, board) = try await run(
            """
            users: 3
            spawn_rate: 1000
            duration: 1s
            wait: { constant: 20ms }
            data: { csv: users.csv, mode: unique }
            """ + "\n" + Self.loginOnce, users: ["alice", "bob", "carol"], threads: 2)
        #expect(summary.total.failures == 0)
        #expect(board.logins == ["alice": 1, "bob": 1, "carol": 1])
    }

    @Test func uniqueInTheOpenModelAddsNoIterationSlotPastTheRows() async throws {
        // Slow answers and a high rate want many slots; two threads could each add two (4 > 3 rows).
        var slow = TargetConfig()
        slow.delay = .milliseconds(50)
        let (summary, board) = try await run(
            """
            rate: 200
            max_in_flight: 3
            duration: 1s
            data: { csv: users.csv, mode: unique }
            on_start:
              - request: POST /board/login
                form: { username: "{{data.user}}", password: secret }
            tasks: [ { request: GET /Test/V2 } ]
            """, users: ["alice", "bob", "carol"], threads: 2, target: slow)
        #expect(summary.total.failures == 0)
        #expect(board.logins == ["alice": 1, "bob": 1, "carol": 1])
        #expect((summary.openModel?.dropped ?? 0) > 0)
    }

    @Test func theBoardSessionExamplePassesAgainstTheTarget() async throws {
        let examples =
            #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
            + "/examples"
        var plan = try ScenarioLoader.load(file: examples + "/board-session.yaml")
        let target = try await TargetServer.start(TargetConfig())
        plan.host = target.baseURL
        plan.duration = .seconds(2)
        plan.spawnRate = 100
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 2))
        engine.start()
        let summary = await engine.finished()
        let board = target.boardStats()
        try await target.stop()
        #expect(summary.passed)
        #expect(summary.total.requests > 0 && summary.total.failures == 0, "\(summary.failuresByReason)")
        #expect(board.logins.count == 8 && board.logins.values.allSatisfy { $0 == 1 })
        #expect(board.authorMismatches == 0)
    }

    @Test func uniqueRefusesMoreUsersThanRowsAtEngineStart() throws {
        let folder = try DataFolder(users: ["alice", "bob"])
        defer { folder.remove() }
        var plan = try ScenarioLoader.load(
            yaml: """
                host: http://127.0.0.1:1
                users: 2
                data: { csv: users.csv, mode: unique }
                tasks: [ { request: GET / } ]
                """, file: folder.path + "/s.yaml", baseDirectory: folder.path)
        plan.users = 3   // as `--users 3` would
        let error = #expect(throws: RunBudgetError.self) { try Engine(plan: plan) }
        #expect(error?.field == "data.mode")
        #expect(error?.description.contains("3 users need 3 rows, the data file has 2 rows") == true)
        // A fleet worker's slice: the second of two nodes holds rows 1, 3, …: of 2 rows, one.
        plan.users = 2
        plan.share = Plan.Share(dataPartition: DataPartition(slot: 1, of: 2))
        #expect(throws: RunBudgetError.self) { try Engine(plan: plan) }
        plan.users = 1
        _ = try Engine(plan: plan)
    }
}
