import Foundation
import Protocol
import Testing

@testable import Engine

/// `loadctl convert`: a HAR recording becomes a scenario that validates as it is; a broken HAR is
/// refused with the JSON path of its problem.
@Suite struct HARConverterTests {
    static let fixture = repositoryRoot + "/Tests/Fixtures/har/shop-session.har"

    private func compile(_ yaml: String) throws -> Plan {
        try ScenarioLoader.load(yaml: yaml, file: "converted.yaml", baseDirectory: ".")
    }

    @Test func theFixtureBecomesOneTaskOfItsFirstPartyRequestsInOrder() throws {
        let conversion = try HARConverter.convert(file: Self.fixture)
        let plan = try compile(conversion.yaml)
        #expect(plan.host == "http://127.0.0.1:8089")
        #expect(plan.tasks.count == 1)
        let lines = plan.tasks[0].steps.map { plan.endpoints[plan.requests[$0].endpoint] }
            .map { "\($0.method) \($0.name)" }
        #expect(lines == ["GET /Test/V1", "POST /login", "POST /metrics", "GET /Test/V3?page=2&q=caf%C3%A9"])
        #expect(conversion.notes.contains { $0.contains("2 static assets") }, "\(conversion.notes)")
        #expect(conversion.notes.contains { $0.contains("2 requests to other hosts") }, "\(conversion.notes)")
        // Think times: 2.5 s before the login, 1.9 s before the metrics post, both taken after each pass.
        #expect(plan.wait == .constant(.milliseconds(4_803)), "\(conversion.yaml)")
    }

    @Test func bodiesKeepTheirKindAndBrowserHeadersAreLeftOut() throws {
        let yaml = try HARConverter.convert(file: Self.fixture).yaml
        let plan = try compile(yaml)
        let login = plan.requests[plan.tasks[0].steps[1]]
        let body = String(decoding: login.body!.literalBytes, as: UTF8.self)
        #expect(
            body
                == #"{"email":"ana@example.com","next":null,"password":"s3cr\"et: {x}","ratio":0.5,"remember":true,"tags":["a","b"],"tries":3}"#
        )
        let headers = login.headers.map { String(decoding: $0.literalBytes, as: UTF8.self) }
        #expect(headers.contains("X-Tenant: acme"))
        #expect(headers.contains("X-Client: café ☕"))
        #expect(headers.contains("Content-Type: application/json"))
        #expect(!headers.contains { $0.lowercased().hasPrefix("cookie") || $0.lowercased().hasPrefix("user-agent") })
        let metrics = plan.requests[plan.tasks[0].steps[2]]
        #expect(
            String(decoding: metrics.body!.literalBytes, as: UTF8.self) == "account=team+1&at=1764439204700&note=a%26b")
        let ascii = yaml.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(ascii)
        #expect(
            yaml.contains("X-Tenant") && yaml.contains("headers:\n  \"X-Tenant\": \"acme\""),
            "shared header written once")
    }

    @Test func allKeepsAssetsAndOtherHostsAsAbsoluteURLs() throws {
        let plan = try compile(try HARConverter.convert(file: Self.fixture, options: .init(all: true)).yaml)
        let names = plan.endpoints.map(\.name)
        #expect(plan.requests.count == 8)
        #expect(names.contains("https://fonts.example.net/inter.woff2"))
        #expect(names.contains("/static/app.js?v=3"))
    }

    @Test(
        arguments: [
            (
                #"{"log": {"entries": [{"startedDateTime": "2026-11-29T18:00:00Z", "request": {"method": "GET", "url": 5}}]}}"#,
                "log.entries[0].request.url: expected a string, got a number"
            ),
            (
                #"{"log": {"entries": [{"startedDateTime": "yesterday", "request": {}}]}}"#,
                "log.entries[0].startedDateTime: expected an ISO 8601 date"
            ),
            (
                #"{"log": {"entries": [{"startedDateTime": "2026-11-29T18:00:00Z", "request": {"method": "GET", "url": "http://h/", "headers": [{"value": "x"}]}}]}}"#,
                "log.entries[0].request.headers[0].name: missing"
            ),
            (#"{"log": {}}"#, "log.entries: missing"),
            (#"{"log": {"entries": {}}}"#, "log.entries: expected a list, got an object"),
            (#"[1, 2"#, "not valid JSON"),
            (#"{"log": {"entries": []}}"#, "log.entries: the recording holds no http:// or https:// request"),
        ] as [(String, String)])
    func aBrokenHARIsRefusedWithTheJSONPathOfItsProblem(_ json: String, _ message: String) {
        #expect {
            try HARConverter.convert(Data(json.utf8), fileName: "bad.har")
        } throws: { error in
            (error as? HARError).map { "\($0)".contains(message) } ?? false
        }
    }

    @Test func aRecordedPlaceholderMarkIsLeftOutWithAReason() throws {
        let json =
            #"{"log": {"entries": [{"startedDateTime": "2026-11-29T18:00:00Z", "request": {"method": "GET", "url": "http://h/a"}}, {"startedDateTime": "2026-11-29T18:00:01Z", "request": {"method": "POST", "url": "http://h/b", "postData": {"mimeType": "text/plain", "text": "{{x}}"}}}]}}"#
        let conversion = try HARConverter.convert(Data(json.utf8), fileName: "x.har")
        #expect(try compile(conversion.yaml).requests.count == 1)
        #expect(conversion.notes.contains { $0.contains("POST /b") && $0.contains("'{{'") }, "\(conversion.notes)")
    }
}
