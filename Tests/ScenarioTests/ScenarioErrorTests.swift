import Testing

@testable import Engine

/// One bad scenario and where its error must point.
struct BadScenario: CustomTestStringConvertible, Sendable {
    var kind: String
    var yaml: String
    var line: Int
    var field: String
    var message: String
    var testDescription: String { kind }
}

@Suite struct ScenarioErrorTests {
    static let cases: [BadScenario] = [
        BadScenario(
            kind: "unknown key with suggestion",
            yaml: """
                host: http://h
                spawnrate: 5
                tasks: [{ request: GET / }]
                """, line: 2, field: "spawnrate", message: "unknown key 'spawnrate' (did you mean 'spawn_rate'?)"),
        BadScenario(
            kind: "unknown key inside a task",
            yaml: """
                tasks:
                  - request: GET /
                    wieght: 3
                """, line: 3, field: "tasks[0].wieght", message: "did you mean 'weight'?"),
        BadScenario(
            kind: "bad duration",
            yaml: """
                duration: 2 minutes
                tasks: [{ request: GET / }]
                """, line: 1, field: "duration", message: "expected a duration"),
        BadScenario(
            kind: "weight 0",
            yaml: """
                tasks:
                  - { weight: 2, request: GET /a }
                  - { weight: 1, request: GET /b }
                  - { weight: 0, request: GET /c }
                """, line: 4, field: "tasks[2].weight", message: "must be at least 1, got 0"),
        BadScenario(
            kind: "negative weight",
            yaml: """
                tasks:
                  - weight: -3
                    request: GET /a
                """, line: 2, field: "tasks[0].weight", message: "must be at least 1"),
        BadScenario(
            kind: "template typo",
            yaml: """
                tasks:
                  - request: POST /x
                    form: { id: "{{uuidd}}" }
                """, line: 3, field: "tasks[0].form.id",
            message: "unknown placeholder '{{uuidd}}' (did you mean 'uuid'?)"),
        BadScenario(
            kind: "unclosed placeholder",
            yaml: """
                tasks:
                  - request: GET /x/{{uuid
                """, line: 2, field: "tasks[0].request", message: "unclosed '{{'"),
        BadScenario(
            kind: "invalid YAML",
            yaml: """
                name: x
                tasks:
                  - { request: GET /
                users: 3
                """, line: 4, field: "", message: "invalid YAML"),
        BadScenario(
            kind: "duplicate key",
            yaml: """
                users: 1
                tasks: [{ request: GET / }]
                users: 2
                """, line: 1, field: "users", message: "appears more than once"),
        BadScenario(
            kind: "unknown var",
            yaml: """
                vars: { token: "{{uuid}}" }
                tasks:
                  - request: GET /x
                    headers: { Authorization: "Bearer {{vars.tokn}}" }
                """, line: 4, field: "tasks[0].headers.Authorization",
            message: "undeclared var '{{vars.tokn}}' (did you mean 'vars.token'?)"),
        BadScenario(
            kind: "var using a var",
            yaml: """
                vars:
                  a: "{{uuid}}"
                  b: "x{{a}}"
                tasks: [{ request: GET / }]
                """, line: 3, field: "vars.b", message: "a var cannot use another var"),
        BadScenario(
            kind: "data column without data",
            yaml: """
                tasks:
                  - request: GET /u/{{data.email}}
                """, line: 2, field: "tasks[0].request", message: "needs a data file"),
        BadScenario(
            kind: "unknown CSV column",
            yaml: """
                data: { csv: users.csv }
                tasks:
                  - request: GET /u/{{data.emial}}
                """, line: 3, field: "tasks[0].request",
            message: "unknown CSV column '{{data.emial}}': users.csv has no column 'emial'"),
        BadScenario(
            kind: "bad threshold metric",
            yaml: """
                tasks: [{ request: GET / }]
                thresholds:
                  - "p95 < 100ms"
                  - "p96 < 100ms"
                """, line: 4, field: "thresholds[1]", message: "unknown metric 'p96'"),
        BadScenario(
            kind: "threshold on unknown endpoint",
            yaml: """
                tasks: [{ request: GET /Test/V1 }]
                thresholds:
                  - "GET /Test/V2": "p95 < 1s"
                """, line: 3, field: "thresholds[0][\"GET /Test/V2\"]", message: "did you mean 'GET /Test/V1'?"),
        BadScenario(
            kind: "missing tasks",
            yaml: """
                name: empty
                users: 3
                """, line: 1, field: "tasks", message: "required"),
        BadScenario(
            kind: "empty tasks",
            yaml: """
                tasks: []
                """, line: 1, field: "tasks", message: "at least one task"),
        BadScenario(
            kind: "form and json together",
            yaml: """
                tasks:
                  - request: POST /x
                    form: { a: 1 }
                    json: { a: 1 }
                """, line: 4, field: "tasks[0].json", message: "only one of form, json or body"),
        BadScenario(
            kind: "bad method",
            yaml: """
                tasks:
                  - request: PSOT /x
                """, line: 2, field: "tasks[0].request", message: "unknown method 'PSOT' (did you mean 'POST'?)"),
        BadScenario(
            kind: "relative target without slash",
            yaml: """
                tasks: [{ request: GET Test/V1 }]
                """, line: 1, field: "tasks[0].request", message: "must start with '/'"),
        BadScenario(
            kind: "steps mixed with a request",
            yaml: """
                tasks:
                  - request: GET /a
                    steps: [{ request: GET /b }]
                """, line: 2, field: "tasks[0].request", message: "either 'steps' or"),
        BadScenario(
            kind: "wait bounds reversed",
            yaml: """
                wait: { between: [2s, 1s] }
                tasks: [{ request: GET / }]
                """, line: 1, field: "wait.between", message: "above the high bound"),
        BadScenario(
            kind: "status out of range",
            yaml: """
                tasks:
                  - request: GET /
                    check: { status: [200, 700] }
                """, line: 3, field: "tasks[0].check.status", message: "100…599"),
        BadScenario(
            kind: "host without scheme",
            yaml: """
                host: 127.0.0.1:8080
                tasks: [{ request: GET / }]
                """, line: 1, field: "host", message: "expected an http:// or https:// URL"),
        BadScenario(
            kind: "users zero",
            yaml: """
                users: 0
                tasks: [{ request: GET / }]
                """, line: 1, field: "users", message: "must be at least 1"),
        BadScenario(
            kind: "missing CSV file",
            yaml: """
                data: { csv: nowhere.csv }
                tasks: [{ request: GET / }]
                """, line: 1, field: "data.csv", message: "cannot read"),
        BadScenario(
            kind: "step without request",
            yaml: """
                on_start:
                  - name: login
                tasks: [{ request: GET / }]
                """, line: 2, field: "on_start[0].request", message: "required"),
    ]

    @Test(arguments: cases)
    func errorNamesTheLineAndField(_ bad: BadScenario) throws {
        let errors = scenarioErrors(bad.yaml)
        let error = try #require(errors.first, "\(bad.kind) loaded without error")
        #expect(errors.count == 1, "\(errors)")
        #expect(error.line == bad.line, "\(error)")
        #expect(error.field == bad.field, "\(error)")
        #expect(error.message.contains(bad.message), "\(error)")
        #expect(error.file == "test.yaml")
    }

    @Test func everyProblemIsReportedInFileOrder() {
        let errors = scenarioErrors(
            """
            users: 0
            spawnrate: 5
            tasks:
              - { weight: 0, request: GET /a }
              - { request: FETCH /b }
            thresholds: [ "p95 << 1" ]
            """)
        #expect(errors.map(\.line) == [1, 2, 4, 5, 6])
        #expect(errors.map(\.field) == ["users", "spawnrate", "tasks[0].weight", "tasks[1].request", "thresholds[0]"])
    }

    @Test func descriptionReadsFileLineColumnFieldMessage() {
        let error = ScenarioError(
            file: "a.yaml", line: 7, column: 5, field: "tasks[2].weight", message: "must be at least 1")
        #expect(error.description == "a.yaml:7:5: tasks[2].weight: must be at least 1")
        let unplaced = ScenarioError(file: "a.yaml", line: 0, column: 0, field: "", message: "cannot read")
        #expect(unplaced.description == "a.yaml: cannot read")
        let all = ScenarioErrors(errors: [error, unplaced])
        #expect(all.description == "a.yaml:7:5: tasks[2].weight: must be at least 1\na.yaml: cannot read")
    }

    @Test func errorColumnPointsAtTheValue() {
        let errors = scenarioErrors(
            """
            tasks:
              - { weight: 0, request: GET /a }
            """)
        #expect(errors.first?.column == 15)
    }

    @Test func unreadableFileIsOneErrorWithoutALine() {
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(file: "/nonexistent/scenario.yaml") }
    }

    @Test func closedModelKeysBesideRateAreRefusedWithAReason() {
        let errors = scenarioErrors("rate: 5000/s\nwait: 1s\ntasks: [{ request: GET / }]")
        #expect(errors.map(\.field) == ["wait"])
        #expect(errors.first?.message.contains("belongs to the closed model") == true)
    }
}

@Suite struct ErrorCascadeTests {
    @Test func aBrokenVarOrDataFileIsReportedOnceNotAtEveryUse() {
        let errors = scenarioErrors(
            """
            data: { csv: missing.csv }
            vars: { token: "{{nope}}" }
            tasks:
              - request: GET /u/{{data.email}}/{{token}}
            """)
        #expect(errors.map(\.field) == ["data.csv", "vars.token"])
    }

    @Test func aThresholdOnABrokenRequestIsNotASecondError() {
        let errors = scenarioErrors(
            """
            tasks: [{ request: GTE /a }]
            thresholds: [ { "GET /a": "p95 < 1s" } ]
            """)
        #expect(errors.map(\.field) == ["tasks[0].request"])
    }
}
