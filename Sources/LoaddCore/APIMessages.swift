import Foundation
import NIOHTTP1
import Protocol

/// One complete control-API request, body included (bounded by `ControlAPI.maxRequestBytes`).
struct APIRequest: Sendable {
    var method: HTTPMethod
    /// The path without its query string.
    var path: String
    var body: [UInt8]
    /// The request's headers (the dashboard's Origin check reads `origin` and `host`).
    var headers = HTTPHeaders()
    /// The query string without its `?`, empty when there is none.
    var query = ""

    init(method: HTTPMethod, path: String, body: [UInt8], headers: HTTPHeaders = HTTPHeaders(), query: String = "") {
        self.method = method
        self.path = path
        self.body = body
        self.headers = headers
        self.query = query
    }

    /// The value of `name` in the query string (`a=1&b=2`), percent-decoded; `nil` when absent.
    func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name {
                return parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? String(parts[1]) : ""
            }
        }
        return nil
    }
}

/// One answer: a status and a body, JSON unless `contentType` says otherwise (the dashboard's page
/// and a stored run's files).
struct APIResponse: Sendable {
    var status: HTTPResponseStatus
    var body: Data
    var headers: [(String, String)] = []
    var contentType = "application/json"

    static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) -> APIResponse {
        APIResponse(status: status, body: WireJSON.encode(value))
    }

    /// A summary already encoded (the stored `summary.json`), passed through untouched.
    static func rawJSON(_ text: String) -> APIResponse {
        APIResponse(status: .ok, body: Data(text.utf8))
    }
}

extension APIResponse {
    /// A refusal as its answer (see `ControlError+HTTP.swift`); in an extension, so the memberwise
    /// initializer stays.
    init(_ refusal: ControlError) {
        self = refusal.response
    }
}

extension WireJSON {
    /// A control-API body: the wire JSON and a newline, so `curl` output ends its line.
    static func encode(_ value: some Encodable, pretty: Bool = false) -> Data {
        data(value, pretty: pretty) + Data("\n".utf8)
    }
}
