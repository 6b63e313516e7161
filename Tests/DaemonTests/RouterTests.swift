import Foundation
import NIOHTTP1
import Protocol
import Testing

@testable import LoaddCore

/// The control API's dispatch, in-process: no socket, no daemon binary.
@Suite struct RouterTests {
    let router = Router(routes: [
        Route(.GET, "/v1/runs/{id}") { _, values in .json(["id": values[0]]) },
        Route(.DELETE, "/v1/runs/{id}") { _, _ in .json(["removed": true]) },
    ])

    @Test func aPatternParameterReachesTheHandler() async throws {
        let response = await router.respond(to: APIRequest(method: .GET, path: "/v1/runs/abc", body: []))
        #expect(response.status == .ok)
        let body = try JSONDecoder().decode([String: String].self, from: response.body)
        #expect(body["id"] == "abc")
    }

    @Test func anUnknownPathIs404AndListsTheEndpoints() async throws {
        let response = await router.respond(to: APIRequest(method: .GET, path: "/v1/nothing", body: []))
        #expect(response.status == .notFound)
        #expect(String(decoding: response.body, as: UTF8.self).contains("/v1/runs/{id}"))
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async {
        let response = await router.respond(to: APIRequest(method: .POST, path: "/v1/runs/abc", body: []))
        #expect(response.status == .methodNotAllowed)
        let allow = response.headers.first { $0.0 == "allow" }?.1 ?? ""
        #expect(allow.contains("GET") && allow.contains("DELETE"))
    }

    @Test func aTrailingSlashNamesNoResource() async {
        let response = await router.respond(to: APIRequest(method: .GET, path: "/v1/runs/abc/", body: []))
        #expect(response.status == .notFound)
    }
}
