import Testing

@testable import Engine

@Suite struct BodyEncodingTests {
    @Test func formLiteralsArePercentEncodedAndPlaceholdersLeftForTheRenderer() throws {
        let plan = try loadScenario(
            """
            vars: { id: "{{uuid}}" }
            tasks:
              - request: POST /f
                form: { "user name": "a&b=c é", id: "{{id}}", n: 5, empty: , t: "at {{now}}!" }
            """)
        let body = try #require(plan.requests[0].body)
        #expect(body.escaping == .form)
        #expect(show(body) == "user+name=a%26b%3Dc+%C3%A9&id={{var#0}}&n=5&empty=&t=at+{{now}}%21")
    }

    @Test func jsonKeepsYamlTypesAndEscapesStrings() throws {
        let plan = try loadScenario(
            """
            tasks:
              - request: POST /j
                json:
                  s: "say \\"hi\\"\\n"
                  quoted_number: "42"
                  n: 42
                  f: 1.5
                  b: true
                  z: ~
                  list: [1, two, { k: "{{uuid}}" }]
                  nested: { empty: {}, none: [] }
            """)
        let request = plan.requests[0]
        #expect(request.body?.escaping == .json)
        #expect(
            show(request.body) == #"{"s":"say \"hi\"\n","quoted_number":"42","n":42,"f":1.5,"b":true,"z":null,"#
                + #""list":[1,"two",{"k":"{{uuid}}"}],"nested":{"empty":{},"none":[]}}"#)
        #expect(request.headers.map(show) == ["Content-Type: application/json"])
    }

    @Test func jsonScalarBodyIsAllowed() throws {
        let plan = try loadScenario("tasks: [{ request: POST /j, json: [1, 2] }]")
        #expect(show(plan.requests[0].body) == "[1,2]")
        #expect(plan.requests[0].body?.isConstant == true)
    }

    @Test func jsonRefusesValuesJSONCannotHold() {
        let errors = scenarioErrors("tasks: [{ request: POST /j, json: { x: .inf } }]")
        #expect(errors.map(\.field) == ["tasks[0].json.x"])
    }

    @Test func rawBodyTakesItsContentType() throws {
        let plan = try loadScenario(
            """
            tasks:
              - request: PUT /r
                body: "<a>{{now}}</a>"
                content_type: application/xml
            """)
        #expect(show(plan.requests[0].body) == "<a>{{now}}</a>")
        #expect(plan.requests[0].body?.escaping == Template.Escaping.none)
        #expect(plan.requests[0].headers.map(show) == ["Content-Type: application/xml"])
    }

    @Test func stepHeadersReplaceDefaultsOfTheSameNameInPlace() throws {
        let plan = try loadScenario(
            """
            headers: { Accept: text/html, X-Trace: "{{uuid}}" }
            tasks:
              - request: POST /h
                headers: { accept: application/json, Content-Type: text/csv }
                json: { a: 1 }
            """)
        #expect(
            plan.requests[0].headers.map(show) == [
                "accept: application/json", "X-Trace: {{uuid}}", "Content-Type: text/csv",
            ])
    }

    @Test func checkReadsOneStatusOrSeveralAndBodyText() throws {
        let plan = try loadScenario(
            """
            tasks:
              - { request: GET /a, check: { status: 204 } }
              - { request: GET /b, check: { status: [200, 201], body_contains: ok } }
              - { request: GET /c, check: { body_contains: "\\"ready\\"" } }
            """)
        #expect(
            plan.requests.map(\.check) == [
                Check(status: .oneOf([204])),
                Check(status: .oneOf([200, 201]), bodyContains: Array("ok".utf8)),
                Check(status: .successOrRedirect, bodyContains: Array(#""ready""#.utf8)),
            ])
    }

    @Test func csvFieldsMayBeQuoted() throws {
        let rows = try CSVParser.parse("\u{FEFF}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\n1,\"multi\nline\"\n").get()
        #expect(rows.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["1", "multi\nline"]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func csvRowsMustMatchTheHeader() {
        let (feed, problems) = CSVParser.feed("a,b\n1,2\n3\n")
        #expect(feed == nil)
        #expect(problems == ["line 3: expected 2 fields like the header, got 1"])
        #expect(CSVParser.feed("a,b\n").problems == ["no data rows after the header"])
    }
}
