import Foundation
import Testing

@testable import TargetServer

/// `POST /api/login` issues a token, `GET /api/me` wants it back as `Bearer`, and `/stats` counts both.
@Suite struct TokenEndpointTests {
    @Test func aLoginTokenOpensApiMeAndNothingElseDoes() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let login = try connection.request("POST", "/api/login", body: #"{"user":"a"}"#)
            #expect(login.status == 200)
            let object = try JSONSerialization.jsonObject(with: Data(login.body)) as? [String: Any]
            let token = try #require(object?["token"] as? String)
            let other = try connection.request("POST", "/api/login", body: "{}")
            #expect(other.text != login.text, "each login gets its own token")

            #expect(try connection.request("GET", "/api/me", headers: ["Authorization: Bearer \(token)"]).status == 200)
            #expect(try connection.request("GET", "/api/me").status == 401)
            let forged = token.dropLast() + (token.last == "0" ? "1" : "0")
            let refused = try connection.request("GET", "/api/me", headers: ["Authorization: Bearer \(forged)"])
            #expect(refused.status == 401 && refused.headers["www-authenticate"] == "Bearer")
            #expect(try connection.request("GET", "/api/me", headers: ["Authorization: Basic \(token)"]).status == 401)

            let omitted = try connection.request("POST", "/api/login?omit_token=1", body: "{}")
            #expect(omitted.status == 200 && !omitted.text.contains("token"))
            #expect(try connection.request("GET", "/api/login").status == 405)
            let stats = server.stats()
            #expect(stats.byPath["/api/login"] == 3)
            #expect(stats.byPath["/api/me"] == 4)
        }
    }
}
