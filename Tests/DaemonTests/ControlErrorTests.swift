import Foundation
import NIOHTTP1
import Protocol
import Testing

@testable import LoaddCore

/// A refusal's kind becomes its HTTP status in one place, and the router answers every route's
/// refusal through it with the `APIError` body clients already read.
@Suite struct ControlErrorTests {
    @Test(arguments: [
        (ControlError.Kind.invalid, 400), (.tooLarge, 413), (.notFound, 404), (.conflict, 409),
        (.unprocessable, 422), (.unavailable, 503), (.forbidden, 403), (.methodNotAllowed, 405),
        (.timedOut, 408), (.failed, 500),
    ])
    func eachKindHasItsStatus(kind: ControlError.Kind, code: Int) {
        #expect(Int(kind.status.code) == code)
    }

    @Test func aRouteRefusalIsAnsweredWithItsStatusAndTheAPIErrorBody() async throws {
        let router = Router(routes: [
            Route(.POST, "/v1/runs/current/stop") { _, _ in
                throw ControlError(.conflict, "no run is going", details: ["start one with loadctl run"])
            }
        ])
        let response = await router.respond(to: APIRequest(method: .POST, path: "/v1/runs/current/stop", body: []))
        #expect(response.status == .conflict)
        #expect(
            response.body == WireJSON.data(APIError("no run is going", details: ["start one with loadctl run"]))
                + Data("\n".utf8))
    }

    @Test func anErrorOfAnotherTypeIsOurBugAnd500() async {
        struct Unexpected: Error {}
        let router = Router(routes: [Route(.GET, "/v1/status") { _, _ in throw Unexpected() }])
        let response = await router.respond(to: APIRequest(method: .GET, path: "/v1/status", body: []))
        #expect(response.status == .internalServerError)
        #expect(String(decoding: response.body, as: UTF8.self).contains("internal error"))
    }
}
