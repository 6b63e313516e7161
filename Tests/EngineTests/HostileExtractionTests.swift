import Protocol
import TargetServer
import Testing

@testable import Engine

/// The JSON finder on its own: values, misses and hostile bodies.
struct JSONFinderTests {
    private func find(_ path: String, _ body: String) -> JSONFinder.Outcome {
        let parsed = try! JSONPath.parse(path).get()
        return Array(body.utf8).withUnsafeBufferPointer { JSONFinder.find(parsed, in: $0) }
    }

    private func found(_ text: String) -> JSONFinder.Outcome { .found(Array(text.utf8)) }

    @Test func findsKeysIndicesFromBothEndsAndDecodesStrings() {
        let body =
            #"{"a":{"b":"x\"y\u00e9\ud83d\ude00"},"items":[{"id":1},{"id":2},{"id":3}],"n":-1.5e3,"t":true,"o":{"k":[1,2]}}"#
        #expect(find("$.a.b", body) == found("x\"yé😀"))
        #expect(find("$.items[0].id", body) == found("1"))
        #expect(find("$.items[-1].id", body) == found("3"))
        #expect(find("$['items'][1]", body) == found(#"{"id":2}"#))
        #expect(find("$.n", body) == found("-1.5e3"))
        #expect(find("$.t", body) == found("true"))
        #expect(find("$.o.k", body) == found("[1,2]"))
        #expect(find("$.items[3]", body) == .missing)
        #expect(find("$.items[-4]", body) == .missing)
        #expect(find("$.a.c", body) == .missing)
        #expect(find("$.n.x", body) == .missing)
    }

    @Test func hostileBodiesAreInvalidNotACrash() {
        #expect(find("$.a", "<html>") == .invalid)
        #expect(find("$.a", "") == .invalid)
        #expect(find("$.a", #"{"a":"#) == .invalid)
        #expect(find("$.a", #"{"a":"\u12"}"#) == .invalid)
        #expect(find("$.b", #"{"a":[[[[[[[[[[["#) == .invalid)
        let deep = String(repeating: "[", count: 100_000)
        #expect(find("$.a", #"{"x":\#(deep)"#) == .invalid)
        #expect(find("$[0]", "[" + String(repeating: "1,", count: 10_000) + "2]") == found("1"))
    }
}

/// Hostile answers fail the request that got them, with a reason, and never the run.
@Suite(.serialized) struct HostileExtractionTests {
    private func run(reply: [UInt8], extract: String) async throws -> RunSummary {
        let target = try RawTarget(reply: reply)
        defer { target.stop() }
        var plan = try ScenarioLoader.load(
            yaml: """
                host: http://x
                users: 1
                duration: 1s
                wait: 50ms
                tasks:
                  - steps:
                      - request: GET /login
                        name: login
                        extract: { \(extract) }
                      - request: GET /after/{{value}}
                """, file: "test.yaml", baseDirectory: ".")
        plan.host = target.baseURL
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        return await engine.finished()
    }

    private func reply(headers: String = "", body: [UInt8]) -> [UInt8] {
        Array(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\(headers)Connection: close\r\n\r\n"
                .utf8) + body
    }

    @Test(.timeLimit(.minutes(1)))
    func aBodyOverTheCapAnInvalidJSONBodyAndABadHeaderEachFailByName() async throws {
        let huge =
            Array(#"{"pad":""#.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20)
            + Array(#"","value":"v"}"#.utf8)
        let cases: [(reply: [UInt8], extract: String, reason: String)] = [
            (
                reply(body: huge), #"value: { json: "$.value" }"#,
                "extract value: the body is over 1 MiB, the most kept for extract and check ($.value not searched)"
            ),
            (
                reply(body: Array("<html>oops</html>".utf8)), #"value: { json: "$.value" }"#,
                "extract value: no match for $.value (the body is not JSON)"
            ),
            (
                reply(headers: "X-Value: \u{7F}", body: []).replacing([0x7F], with: [0xFF, 0xFE]),
                "value: { header: X-Value }",
                "extract value: the value of header X-Value holds a line break, a NUL or bytes that are not UTF-8"
            ),
            (
                reply(
                    body: Array(#"{"value":""#.utf8) + [UInt8](repeating: UInt8(ascii: "y"), count: 70_000)
                        + Array(#""}"#.utf8)),
                #"value: { json: "$.value" }"#,
                "extract value: the value of $.value is over 64 KiB, the most a user keeps"
            ),
            (
                reply(body: Array(#"{"value":"a\nb"}"#.utf8)), #"value: { json: "$.value" }"#,
                "extract value: the value of $.value holds a line break, a NUL or bytes that are not UTF-8"
            ),
        ]
        for item in cases {
            let summary = try await run(reply: item.reply, extract: item.extract)
            #expect(summary.failuresByReason.map(\.reason) == [item.reason])
            #expect(summary.endpoints.first { $0.name != "login" }?.requests == 0, "the next step was sent")
            #expect((summary.skippedSteps ?? 0) > 0)
        }
    }
}
