import Foundation
import Protocol
import Testing

@testable import Engine

/// One numeric key at a boundary: just inside loads, just outside is refused naming the field.
struct Boundary: CustomTestStringConvertible, Sendable {
    var key: String
    var inside: String
    var outside: String
    var field: String
    var message: String
    var testDescription: String { "\(key): \(inside) passes, \(outside) fails" }
}

@Suite struct LimitTests {
    static let get = "tasks: [{ request: GET / }]\n"

    static let boundaries: [Boundary] = [
        Boundary(
            key: "users", inside: "users: 1000000\n" + get, outside: "users: 1000001\n" + get,
            field: "users", message: "must be at most 1000000, got 1000001"),
        Boundary(
            key: "users (low)", inside: "users: 1\n" + get, outside: "users: 0\n" + get,
            field: "users", message: "must be at least 1, got 0"),
        Boundary(
            key: "spawn_rate", inside: "spawn_rate: 0.001\n" + get, outside: "spawn_rate: 0.0009\n" + get,
            field: "spawn_rate", message: "must be at least 0.001"),
        Boundary(
            key: "spawn_rate (high)", inside: "spawn_rate: 1000000\n" + get, outside: "spawn_rate: 1000001\n" + get,
            field: "spawn_rate", message: "must be at most 1000000"),
        Boundary(
            key: "rate", inside: "rate: 10000000/s\n" + get, outside: "rate: 10000001/s\n" + get,
            field: "rate", message: "must be at most 10000000/s"),
        Boundary(
            key: "rate (low)", inside: "rate: 0.001/s\n" + get, outside: "rate: 0.0009/s\n" + get,
            field: "rate", message: "must be at least 0.001/s"),
        Boundary(
            key: "max_in_flight", inside: "rate: 5/s\nmax_in_flight: 1000000\n" + get,
            outside: "rate: 5/s\nmax_in_flight: 1000001\n" + get, field: "max_in_flight",
            message: "must be at most 1000000"),
        Boundary(
            key: "weight", inside: "tasks: [{ weight: 1000000, request: GET / }]",
            outside: "tasks: [{ weight: 1000001, request: GET / }]", field: "tasks[0].weight",
            message: "must be at most 1000000"),
        Boundary(
            key: "duration", inside: "duration: 720h\n" + get, outside: "duration: 720h1s\n" + get,
            field: "duration", message: "must be at most 720h (30 days)"),
        Boundary(
            key: "warmup", inside: "warmup: 720h\n" + get, outside: "warmup: 721h\n" + get,
            field: "warmup", message: "must be at most 720h"),
        Boundary(
            key: "timeout", inside: "timeout: 1ms\n" + get, outside: "timeout: 999us\n" + get,
            field: "timeout", message: "must be at least 1ms"),
        Boundary(
            key: "step timeout", inside: "tasks: [{ request: GET /, timeout: 720h }]",
            outside: "tasks: [{ request: GET /, timeout: 721h }]", field: "tasks[0].timeout",
            message: "must be at most 720h"),
        Boundary(
            key: "wait constant", inside: "wait: { constant: 720h }\n" + get,
            outside: "wait: { constant: 721h }\n" + get,
            field: "wait.constant", message: "must be at most 720h"),
        Boundary(
            key: "wait shorthand", inside: "wait: 720h\n" + get, outside: "wait: 721h\n" + get,
            field: "wait", message: "must be at most 720h"),
        Boundary(
            key: "wait between", inside: "wait: { between: [0s, 720h] }\n" + get,
            outside: "wait: { between: [0s, 721h] }\n" + get, field: "wait.between[1]", message: "must be at most 720h"),
        Boundary(
            key: "stage users", inside: "stages: [{ duration: 1m, target: 1000000 }]\n" + get,
            outside: "stages: [{ duration: 1m, target: 1000001 }]\n" + get, field: "stages[0].target",
            message: "must be at most 1000000"),
        Boundary(
            key: "stage rate", inside: "stages: [{ duration: 1m, target: 0.001/s }]\n" + get,
            outside: "stages: [{ duration: 1m, target: 0.0009/s }]\n" + get, field: "stages[0].target",
            message: "must be 0 or at least 0.001/s"),
        Boundary(
            key: "stage duration", inside: "stages: [{ duration: 720h, target: 5 }]\n" + get,
            outside: "stages: [{ duration: 721h, target: 5 }]\n" + get, field: "stages[0].duration",
            message: "must be at most 720h"),
        Boundary(
            key: "status", inside: "tasks: [{ request: GET /, check: { status: 599 } }]",
            outside: "tasks: [{ request: GET /, check: { status: 600 } }]", field: "tasks[0].check.status",
            message: "HTTP status codes are 100…599, got 600"),
        Boundary(
            key: "random_int", inside: "tasks: [{ request: 'GET /{{random_int -1000000000000000 1000000000000000}}' }]",
            outside: "tasks: [{ request: 'GET /{{random_int 0 1000000000000001}}' }]", field: "tasks[0].request",
            message: "random_int bounds must be within"),
        Boundary(
            key: "threshold", inside: get + "thresholds: ['requests < 1000000000000']",
            outside: get + "thresholds: ['requests < 1000000000001']", field: "thresholds[0]",
            message: "is out of range"),
        Boundary(
            key: "grace", inside: get + "thresholds: [{ threshold: 'p95 < 1s', abort_on_fail: true, grace: 720h }]",
            outside: get + "thresholds: [{ threshold: 'p95 < 1s', abort_on_fail: true, grace: 721h }]",
            field: "thresholds[0].grace", message: "must be at most 720h"),
    ]

    @Test(arguments: boundaries)
    func justInsidePassesJustOutsideFailsNamingTheField(_ boundary: Boundary) throws {
        #expect(scenarioErrors(boundary.inside).isEmpty, "\(scenarioErrors(boundary.inside))")
        let errors = scenarioErrors(boundary.outside)
        let error = try #require(errors.first)
        #expect(errors.count == 1, "\(errors)")
        #expect(error.field == boundary.field, "\(error)")
        #expect(error.message.contains(boundary.message), "\(error)")
        #expect(error.line > 0 && error.column > 0, "\(error)")
    }

    @Test func aNumberPastSixtyFourBitsIsOutOfRangeNotNotANumber() {
        let errors = scenarioErrors("users: 99999999999999999999\n" + Self.get)
        #expect(errors.map(\.message) == ["must be at most 1000000, got 99999999999999999999"])
    }

    @Test func weightsThatWouldOverflowSaturateInsteadOfTrapping() {
        let tasks = [
            TaskPlan(weight: .max, steps: [0]), TaskPlan(weight: .max, steps: [0]), TaskPlan(weight: 3, steps: [0]),
        ]
        #expect(Plan.cumulativeWeights(of: tasks) == [.max, .max, .max])
        #expect(
            Plan.cumulativeWeights(of: [TaskPlan(weight: 2, steps: [0]), TaskPlan(weight: 5, steps: [0])]) == [2, 7])
    }

    @Test func overridesUseTheScenarioRanges() {
        #expect(RunOverrides(users: 1_000_000).problems().isEmpty)
        #expect(RunOverrides(users: 1_000_001).problems() == ["overrides.users: must be 1…1000000, got 1000001"])
        #expect(RunOverrides(users: 0).problems() == ["overrides.users: must be 1…1000000, got 0"])
        #expect(
            RunOverrides(spawnRate: 1e-300).problems().first?.hasPrefix("overrides.spawn_rate: must be 0.001…1000000")
                == true)
        #expect(RunOverrides(rate: 10_000_000).problems().isEmpty)
        #expect(
            RunOverrides(rate: 1e-300).problems().first?.hasPrefix("overrides.rate: must be 0.001…10000000") == true)
        #expect(RunOverrides(rate: .nan).problems().count == 1)
        #expect(RunOverrides(duration: "720h").problems().isEmpty)
        #expect(
            RunOverrides(duration: "721h").problems() == [
                "overrides.duration: must be at most 720h (30 days), got '721h'"
            ])
        #expect(RunOverrides(duration: "0s").problems() == ["overrides.duration: must be longer than 0"])
    }

    @Test func aStageListLongerThanTheCapIsOneError() {
        let stages = (0...ScenarioLimits.maxStages).map { _ in "  - { duration: 1s, target: 1 }" }.joined(
            separator: "\n")
        let errors = scenarioErrors("stages:\n\(stages)\n" + Self.get)
        #expect(
            errors.map(\.message) == ["at most \(ScenarioLimits.maxStages) stages, got \(ScenarioLimits.maxStages + 1)"]
        )
    }
}

@Suite struct BuildCostTests {
    @Test func aMegabyteBodyBuildsFromSmallPiecesInLinearTime() {
        let clock = ContinuousClock()
        let start = clock.now
        var builder = TemplateBuilder()
        for _ in 0..<(1 << 20) / 4 { builder.appendLiteral("abc,") }
        let template = builder.build(escaping: .json)
        #expect(clock.now - start < .seconds(2))
        #expect(template.parts == [.literal(Array(String(repeating: "abc,", count: (1 << 20) / 4).utf8))])
    }

    @Test func templateBuilderMergesLiteralsAroundPlaceholders() {
        var builder = TemplateBuilder()
        for _ in 0..<100_000 { builder.appendLiteral("ab") }
        builder.append(.uuid)
        builder.appendLiteral("c")
        builder.append(.literal(Array("d".utf8)))
        #expect(builder.literalBytes == 200_002)
        #expect(builder.parts.count == 3)
        #expect(builder.parts.last == .literal(Array("cd".utf8)))
    }

    @Test func aBodyOverTheCapIsRefusedAtTheBody() throws {
        let text = String(repeating: "z", count: ScenarioLimits.maxBodyBytes + 1)
        let errors = scenarioErrors("tasks:\n  - request: POST /\n    body: \"\(text)\"\n")
        #expect(errors.map(\.field) == ["tasks[0].body"])
        #expect(errors.first?.message.contains("at most 1 MiB") == true)
        let fits = String(repeating: "z", count: ScenarioLimits.maxBodyBytes - 2)
        #expect(scenarioErrors("tasks:\n  - request: POST /\n    json: \"\(fits)\"\n").isEmpty)
    }
}

@Suite struct AliasBudgetTests {
    /// `levels` lists, each aliasing the one before `width` times: width^levels nodes once expanded.
    static func bomb(width: Int, levels: Int) -> String {
        var lines = ["l0: &l0 [\(Array(repeating: "x", count: width).joined(separator: ","))]"]
        for level in 1..<levels {
            lines.append(
                "l\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: width).joined(separator: ","))]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func expansionUnderTheCapPasses() {
        // Each list counts itself: aliases add 10×11 + 10×111 + 10×1111 = 12,330 nodes.
        #expect(AliasBudget.excess(in: Self.bomb(width: 10, levels: 4)) == nil)
    }

    @Test func expansionOverTheCapStopsAtTheAliasThatCrossesIt() throws {
        // l4's aliases add 11,111 each: the eighth takes the sum past 100,000.
        let excess = try #require(AliasBudget.excess(in: Self.bomb(width: 10, levels: 5)))
        #expect((excess.line, excess.column) == (5, 38), "\(excess)")
        #expect(excess.field == "l4[7]", "\(excess)")
        #expect(excess.message.contains("more than 100000 nodes"))
    }

    @Test func mergeKeysCountLikeAnyAlias() throws {
        let yaml = Self.bomb(width: 10, levels: 4) + "m: { <<: [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3] }\n"
        let excess = try #require(AliasBudget.excess(in: yaml))
        #expect(excess.line == 5 && excess.field == "m.<<[7]", "\(excess)")
    }

    @Test func scalarBytesHaveABudgetToo() throws {
        let long = String(repeating: "a", count: 1_000_000)
        let yaml = "s: &s \(long)\nt: [*s, *s, *s, *s, *s]\n"
        let excess = try #require(AliasBudget.excess(in: yaml))
        #expect(excess.message.contains("more than \(ScenarioLimits.maxAliasBytes) bytes"))
    }

    @Test func deepNestingIsRefusedBeforeAnythingRecurses() throws {
        let depth = ScenarioLimits.maxNesting
        #expect(
            AliasBudget.excess(in: String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) == nil)
        let excess = try #require(
            AliasBudget.excess(
                in: String(repeating: "[", count: depth + 1)
                    + String(repeating: "]", count: depth + 1)))
        #expect(excess.column == depth + 1)
    }

    @Test func anAliasBombInAScenarioIsOneLocatedError() {
        let errors = scenarioErrors(Self.bomb(width: 10, levels: 9) + "tasks: [{ request: GET / }]\n")
        #expect(errors.count == 1)
        #expect(errors.first?.line == 5)
    }
}

@Suite struct CSVLimitTests {
    @Test func rowsPastTheCapAreOneError() {
        let (feed, problems) = CSVParser.feed("a\n1\n2\n3\n", maxRows: 2)
        #expect(feed == nil)
        #expect(problems == ["more than 2 data rows; a data file may have at most 2"])
        #expect(CSVParser.feed("a\n1\n2\n", maxRows: 2).problems.isEmpty)
    }

    @Test func aRowWiderThanTheColumnCapStopsTheParse() {
        let (_, problems) = CSVParser.feed("a,b\n1,2,3,4,5\n", maxColumns: 3)
        #expect(problems == ["line 2: more than 3 fields"])
    }

    @Test func raggedRowsAreSummedUpAfterTen() {
        let rows = (0..<25).map { "\($0)" }.joined(separator: "\n")
        let (_, problems) = CSVParser.feed("a,b\n\(rows)\n")
        #expect(problems.count == 11)
        #expect(problems.last == "15 more rows do not have 2 fields either")
    }

    @Test func headerProblemsNameColumnsByNumberNotByText() {
        let (_, problems) = CSVParser.feed("token,token,my secret\nx,y,z\n")
        #expect(
            problems == [
                "line 1: column 2 has the same name as column 1",
                "line 1: the name of column 3 contains a space, so {{data.…}} cannot name it",
            ])
    }
}

@Suite struct CountLimitTests {
    @Test func moreRequestsThanTheCapAreOneErrorAtTasks() {
        let tasks = (0...ScenarioLimits.maxRequests).map { "  - request: GET /item/\($0)" }.joined(separator: "\n")
        let errors = scenarioErrors("tasks:\n\(tasks)\n")
        #expect(errors.map(\.field) == ["tasks"])
        #expect(errors.first?.message.contains("more than \(ScenarioLimits.maxRequests) requests") == true)
        let fits = (1...ScenarioLimits.maxRequests).map { "  - request: GET /item/\($0)" }.joined(separator: "\n")
        #expect(scenarioErrors("tasks:\n\(fits)\n").isEmpty)
    }

    @Test func headersPastTheCapCountTheScenarioDefaults() {
        let defaults = (1...60).map { "X-D\($0): a" }.joined(separator: ", ")
        let own = (1...41).map { "X-S\($0): b" }.joined(separator: ", ")
        let errors = scenarioErrors("headers: { \(defaults) }\ntasks:\n  - request: GET /\n    headers: { \(own) }\n")
        #expect(errors.map(\.field) == ["tasks[0].headers"])
        #expect(errors.first?.message == "at most 100 headers per request (the scenario's headers: included), got 101")
    }

    @Test func tooManyVarsIsOneError() {
        let vars = (0...ScenarioLimits.maxVars).map { "v\($0): x" }.joined(separator: ", ")
        let errors = scenarioErrors("vars: { \(vars) }\ntasks: [{ request: GET / }]\n")
        #expect(errors.map(\.field) == ["vars"])
    }
}
