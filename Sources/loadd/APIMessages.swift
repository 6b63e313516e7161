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

/// JSON as the control API writes it: sorted keys (stable output, easy diffs), slashes unescaped
/// (endpoint names are paths), and non-finite numbers as the strings `SummaryJSON` uses.
enum WireJSON {
    static func encode(_ value: some Encodable, pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try encoder.encode(value) + Data("\n".utf8)
        } catch {
            // Plain value types with the float strategy above cannot fail to encode.
            preconditionFailure("cannot encode \(type(of: value)): \(error)")
        }
    }
}
