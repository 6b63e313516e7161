import Testing

@testable import TargetServer

/// The board's endpoints over a real socket: form login with a session cookie, the board behind it,
/// the redirects and basic auth, each answered as a real application would.
@Suite struct BoardEndpointTests {
    static let form = "Content-Type: application/x-www-form-urlencoded"

    @Test func aFormLoginSetsASessionCookieAndRedirectsToTheBoard() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let login = try connection.request(
                "POST", "/board/login", body: "username=ann+lee&password=secret",
                headers: [Self.form])
            #expect(login.status == 302)
            #expect(login.headers["location"] == "/board")
            let cookie = try #require(login.headers["set-cookie"])
            #expect(cookie.hasPrefix("JSESSIONID=") && cookie.contains("HttpOnly"))
            let id = String(cookie.prefix { $0 != ";" })

            let board = try connection.request("GET", "/board", headers: ["Cookie: theme=dark; \(id)"])
            #expect(board.status == 200)
            #expect(board.text.contains("signed in as ann lee"))
            let post = try connection.request(
                "POST", "/board", body: "author=ann+lee&message=%3Cb%3Ehi",
                headers: [Self.form, "Cookie: \(id)"])
            #expect(post.status == 200)
            #expect(post.text.contains("<li>&lt;b&gt;hi</li>"))
            #expect(server.boardStats().logins == ["ann lee": 1] && server.boardStats().posts == ["ann lee": 1])
        }
    }

    @Test func theBoardRefusesRequestsWithoutAValidSessionOrAsAnotherUser() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            #expect(try connection.request("GET", "/board").status == 401)
            #expect(try connection.request("GET", "/board", headers: ["Cookie: JSESSIONID=forged"]).status == 401)
            let wrong = try connection.request(
                "POST", "/board/login", body: "username=ann&password=guess", headers: [Self.form])
            #expect(wrong.status == 401 && wrong.headers["set-cookie"] == nil)
            let login = try connection.request(
                "POST", "/board/login", body: "username=ann&password=secret", headers: [Self.form])
            let id = String(try #require(login.headers["set-cookie"]).prefix { $0 != ";" })
            let impostor = try connection.request(
                "POST", "/board", body: "author=bob&message=x", headers: [Self.form, "Cookie: \(id)"])
            #expect(impostor.status == 403)
            #expect(server.boardStats().authorMismatches == 1)
            #expect(try connection.request("DELETE", "/board").status == 405)
        }
    }

    @Test func oldRedirectsToNewAndTheLoopRedirectsToItself() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let old = try connection.request("GET", "/old")
            #expect(old.status == 302 && old.headers["location"] == "/new")
            #expect(try connection.request("GET", "/new").status == 200)
            let loop = try connection.request("GET", "/redirect-loop?n=1")
            #expect(loop.status == 302 && loop.headers["location"] == "/redirect-loop")
        }
    }

    @Test func basicNeedsThePasswordAndOtherwiseAsksForCredentials() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let none = try connection.request("GET", "/basic")
            #expect(none.status == 401 && none.headers["www-authenticate"] == #"Basic realm="loadd target""#)
            // "ann:secret" and "ann:nope"
            #expect(
                try connection.request("GET", "/basic", headers: ["Authorization: Basic YW5uOnNlY3JldA=="]).status
                    == 200)
            #expect(
                try connection.request("GET", "/basic", headers: ["Authorization: Basic YW5uOm5vcGU="]).status == 401)
            #expect(try connection.request("GET", "/basic", headers: ["Authorization: Basic !!!"]).status == 401)
            #expect(server.boardStats().basicPasses == ["ann": 1])
        }
    }

    @Test func formFieldsAndBase64DecodeAsSpecified() {
        let fields = FormFields("a=1+2&b=%41%zz&a=second&c")
        #expect(fields["a"] == "1 2" && fields["b"] == "A%zz" && fields["c"] == "")
        #expect(BasicCredentials.base64("aGk") == Array("hi".utf8))
        #expect(BasicCredentials.decode("Basic YTpiOmM=")! == ("a", "b:c"))
        #expect(BasicCredentials.decode("Bearer YTpi") == nil)
    }
}
