import Foundation
import Testing

@testable import Engine

/// What `validate` says about `extract:`, the new checks, `{{env.…}}` and `{{base64 …}}`: each mistake
/// named with its line and column, typos with a suggestion.
struct ExtractScenarioTests {
    private func errors(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try ScenarioLoader.load(
                yaml: yaml, file: "test.yaml", baseDirectory: examplesFolder, environment: environment)
            return []
        } catch let errors as ScenarioErrors {
            return errors.errors.map(\.description)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func aValueIsUsableAfterTheStepThatExtractsItAndAfterOnStart() throws {
        let plan = try ScenarioLoader.load(
            yaml: """
                host: http://x
                on_start:
                  - request: POST /login
                    extract: { token: { json: "$.token" } }
                tasks:
                  - steps:
                      - request: GET /orders
                        headers: { Authorization: "Bearer {{token}}" }
                        extract: { order: { header: Location }, csrf: { regex: 'name="csrf" value="([^"]+)"' } }
                      - request: GET /orders/{{order}}?csrf={{vars.csrf}}
                """, file: "test.yaml", baseDirectory: ".")
        #expect(plan.labels.extractSlots == 3)
        let login = plan.requests[0]
        #expect(login.rules.extract.map(\.name) == ["token"])
        #expect(plan.requests[2].target.parts.contains(.extracted(1)))
        #expect(plan.requests[2].target.parts.contains(.extracted(2)))
    }

    @Test func aValueNothingExtractsBeforeItsUseIsRefusedWithLineAndColumn() {
        let found = errors(
            """
            host: http://x
            tasks:
              - steps:
                  - request: GET /a
                    headers: { Authorization: "Bearer {{token}}" }
                  - request: POST /login
                    extract: { token: { json: "$.token" } }
              - request: GET /b/{{token}}
            """)
        #expect(found.count == 2, "\(found)")
        #expect(
            found.first?.hasPrefix(
                "test.yaml:5:35: tasks[0].steps[0].headers.Authorization: unknown placeholder '{{token}}'") == true,
            "\(found)")
        #expect(
            found.last?.hasPrefix("test.yaml:8:14: tasks[1].request: unknown placeholder '{{token}}'") == true,
            "\(found)")
        #expect(found.allSatisfy { $0.contains("no earlier step of this task or of on_start extracts it") })
    }

    @Test func badPathsRegexesKeysAndNamesAreNamed() {
        let found = errors(
            """
            host: http://x
            vars: { user: bob }
            tasks:
              - request: GET /a
                extract:
                  a: { json: "token" }
                  b: { regex: "([a-z" }
                  c: { regex: "[a-z]+" }
                  d: { jsn: "$.x" }
                  user: { header: X-User }
                  e: { json: "$.a", header: X }
                  1f: { header: "Bad Header" }
                check: { max_ma: 10, max_ms: 0, json: { "$.x[": 1 } }
            """)
        let expected = [
            "test.yaml:6:18: tasks[0].extract.a.json: 'token' is not a JSON path: it must start with '$'",
            "test.yaml:7:19: tasks[0].extract.b.regex: '([a-z' is not a valid regular expression",
            "test.yaml:8:19: tasks[0].extract.c.regex: '[a-z]+' has no capture group",
            "test.yaml:9:12: tasks[0].extract.d.jsn: unknown key 'jsn' (did you mean 'json'?)",
            "test.yaml:10:7: tasks[0].extract.user: 'user' is already a var",
            "test.yaml:11:10: tasks[0].extract.e: exactly one of json, header or regex",
            "test.yaml:12:7: tasks[0].extract.1f: '1f' cannot be a name",
            "test.yaml:12:21: tasks[0].extract.1f.header: 'Bad Header' is not a valid header name",
            "test.yaml:13:14: tasks[0].check.max_ma: unknown key 'max_ma' (did you mean 'max_ms'?)",
            "test.yaml:13:34: tasks[0].check.max_ms: must be at least 1, got 0",
            "test.yaml:13:45: tasks[0].check.json.$.x[: '$.x[' is not a JSON path",
        ]
        for prefix in expected {
            #expect(found.contains { $0.hasPrefix(prefix) }, "missing \(prefix) in\n\(found.joined(separator: "\n"))")
        }
        #expect(found.count == expected.count, "\(found.joined(separator: "\n"))")
    }

    @Test func envIsReadAtLoadTimeAndAnUnsetOneIsAnError() throws {
        let yaml = """
            host: http://x
            tasks:
              - request: POST /login
                json: { password: "{{env.PASSWORD}}" }
                headers: { X-Basic: "Basic {{base64 env.PAIR}}" }
            """
        let plan = try ScenarioLoader.load(
            yaml: yaml, file: "test.yaml", baseDirectory: ".",
            environment: ["PASSWORD": "p\"w", "PAIR": "user:pass"])
        #expect(show(plan.requests[0].body) == #"{"password":"p\"w"}"#)
        #expect(show(plan.requests[0].headers.first { show($0).hasPrefix("X-Basic") }) == "X-Basic: Basic dXNlcjpwYXNz")
        let found = errors(yaml, environment: ["PAIR": "x"])
        #expect(
            found == [
                "test.yaml:4:23: tasks[0].json.password: environment variable 'PASSWORD' is not set ('{{env.PASSWORD}}'): set it, or pass --var PASSWORD=VALUE"
            ])
    }

    @Test func base64OfAPerUserValueRendersPerUser() throws {
        let plan = try ScenarioLoader.load(
            yaml: """
                host: http://x
                vars: { pair: "alice:open sesame" }
                tasks:
                  - request: POST /login
                    form: { auth: "{{base64 pair}}" }
                    headers: { Authorization: "Basic {{base64 vars.pair}}" }
                """, file: "test.yaml", baseDirectory: ".")
        let request = plan.requests[0]
        var random = FastRandom()
        let values = UserValues(vars: [Array("alice:open sesame".utf8)], data: [], extracted: [])
        func render(_ template: Template) -> String {
            let buffer = RenderBuffer()
            TemplateRenderer.render(template, into: buffer, user: values, random: &random)
            return String(decoding: UnsafeBufferPointer(start: buffer.base, count: buffer.count), as: UTF8.self)
        }
        #expect(
            render(request.headers.first { show($0).hasPrefix("Authorization") }!)
                == "Authorization: Basic YWxpY2U6b3BlbiBzZXNhbWU=")
        #expect(render(request.body!) == "auth=YWxpY2U6b3BlbiBzZXNhbWU%3D")
        #expect(Base64.encode(Array("a".utf8)) == "YQ==" && Base64.encode(Array("ab".utf8)) == "YWI=")
        #expect(
            !errors(
                """
                host: http://x
                tasks: [ { request: "GET /{{base64 uuid}}" } ]
                """
            ).isEmpty)
    }

    @Test func envNamesAreFoundInTheScenarioText() {
        #expect(
            ScenarioVars.environmentNames(in: "a: {{env.A_1}} b: '{{ base64 env.B }}' c: myenv.C d: {{env.}}") == [
                "A_1", "B",
            ])
        #expect(ScenarioVars.parse("X=a=b")! == ("X", "a=b"))
        #expect(ScenarioVars.parse("X") == nil && ScenarioVars.parse("9=x") == nil)
    }
}

extension ExtractScenarioTests {
    @Test func theChecksTableHasARowCapAndLongLabelsAreShortened() throws {
        let step =
            #"  - { request: GET /a, check: { json: { "$.a": 1, "$.b": 2, "$.c": 3, "$.d": 4, "$.e": 5, "$.f": 6, "$.g": 7, "$.h": 8, "$.i": 9, "$.j": 10 } } }"#
        let many =
            "host: http://x\ntasks:\n"
            + (0..<101).map { step.replacingOccurrences(of: "/a", with: "/a\($0)") }.joined(separator: "\n")
        let found = errors(many)
        #expect(
            found == [
                "test.yaml:3:3: tasks: 1010 checks; a scenario may have at most 1000 (each status, body_contains, json, header and max_ms of every step)"
            ])
        let long = String(repeating: "z", count: 500)
        let plan = try ScenarioLoader.load(
            yaml: "host: http://x\ntasks: [ { request: GET /, check: { body_contains: \(long) } } ]",
            file: "test.yaml", baseDirectory: ".")
        #expect(plan.labels.checkRows[0].check.count == 201)
    }
}
