import Protocol
import Testing

@testable import Engine

/// A staged run reports its peak target, not the `users:` default of 1.
@Suite struct PeakUsersTests {
    static func plan(_ yaml: String) throws -> Plan {
        try ScenarioLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: ".")
    }

    @Test func aStagedRunsPeakIsItsHighestStageTarget() throws {
        let plan = try Self.plan(
            """
            host: http://x
            stages:
              - { duration: 1s, target: 30 }
              - { duration: 2s, target: 60 }
              - { duration: 1s, target: 10 }
            tasks: [ { weight: 3, request: GET /a }, { weight: 1, request: GET /b } ]
            """)
        #expect(plan.peakUsers == 60)
        #expect(plan.loadDescription == "60 users at peak (3 stages)")
        #expect(plan.taskRatios.map(\.ratio) == [0.75, 0.25])
        #expect(plan.taskRatios.map(\.requests) == [["GET /a"], ["GET /b"]])
    }

    @Test func aPlainRunsPeakIsItsUsers() throws {
        let plan = try Self.plan(
            """
            host: http://x
            users: 7
            tasks: [ { request: GET /a } ]
            """)
        #expect(plan.peakUsers == 7)
        #expect(plan.loadDescription == "7 users")
    }

    @Test func anOpenStagedRunNamesItsPeakRate() throws {
        let plan = try Self.plan(
            """
            host: http://x
            rate: 10/s
            stages:
              - { duration: 1s, target: 200/s }
              - { duration: 1s, target: 50/s }
            tasks: [ { request: GET /a } ]
            """)
        #expect(plan.loadDescription == "open model, up to 200 iterations/s (2 stages)")
    }
}
