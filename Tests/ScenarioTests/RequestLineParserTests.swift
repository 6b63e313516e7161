import Testing

@testable import Engine

@Suite struct RequestLineParserTests {
    @Test(arguments: [
        ("GET /Test/V1", RequestLine(method: "GET", target: "/Test/V1", isAbsolute: false)),
        ("post   /login", RequestLine(method: "POST", target: "/login", isAbsolute: false)),
        (
            "GET https://api.example.com/health?x=1",
            RequestLine(method: "GET", target: "https://api.example.com/health?x=1", isAbsolute: true)
        ),
        (
            "DELETE /item/{{random_int 1 9}}",
            RequestLine(method: "DELETE", target: "/item/{{random_int 1 9}}", isAbsolute: false)
        ),
        ("OPTIONS /", RequestLine(method: "OPTIONS", target: "/", isAbsolute: false)),
    ])
    func requestLinesSplitIntoMethodAndTarget(text: String, expected: RequestLine) throws {
        #expect(try RequestLineParser.parse(text).get() == expected)
    }

    @Test(arguments: [
        ("FETCH /x", "unknown method 'FETCH'"),
        ("GET", "expected 'METHOD PATH'"),
        ("GET /a b", "no spaces in the path"),
        ("GET items", "must start with '/'"),
        ("GET http:///x", "must start with '/'"),
        ("GET ftp://host/x", "must start with '/'"),
    ])
    func malformedRequestLinesAreRefused(text: String, message: String) {
        guard case .failure(let problem) = RequestLineParser.parse(text) else {
            Issue.record("'\(text)' parsed")
            return
        }
        #expect(problem.message.contains(message), "\(problem.message)")
    }
}
