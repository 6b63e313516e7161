import Foundation
import NIOHTTP1
import Protocol

/// One complete control-API request, body included (bounded by `ControlAPI.maxRequestBytes`).
struct APIRequest: Sendable {
    var method: HTTPMethod
    /// The path without its query string.
    var path: String
    var body: [UInt8]
}

/// One answer: a status and a JSON body.
struct APIResponse: Sendable {
    var status: HTTPResponseStatus
    var body: Data
    var headers: [(String, String)] = []

    static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) -> APIResponse {
        APIResponse(status: status, body: WireJSON.encode(value))
    }

    /// A summary already encoded (the stored `summary.json`), passed through untouched.
    static func rawJSON(_ text: String) -> APIResponse {
        APIResponse(status: .ok, body: Data(text.utf8))
    }

    static func error(_ status: HTTPResponseStatus, _ message: String, details: [String] = []) -> APIResponse {
        json(APIError(message, details: details), status: status)
    }
}

/// A request the daemon refuses: thrown by route handlers, turned into an `APIError` response.
struct APIFailure: Error {
    var status: HTTPResponseStatus
    var error: APIError

    init(_ status: HTTPResponseStatus, _ message: String, details: [String] = []) {
        self.status = status
        error = APIError(message, details: details)
    }

    var response: APIResponse { .json(error, status: status) }
}

extension WireJSON {
    /// A control-API body: the wire JSON and a newline, so `curl` output ends its line.
    static func encode(_ value: some Encodable, pretty: Bool = false) -> Data {
        data(value, pretty: pretty) + Data("\n".utf8)
    }
}
