import NIOCore
import NIOHTTP1

/// A whole response built once, so answering costs a few reference-count bumps and no formatting.
struct CannedResponse {
    var head: HTTPResponseHead
    var body: ByteBuffer

    init(
        status: HTTPResponseStatus, contentType: String, body text: String, allocator: ByteBufferAllocator,
        extraHeaders: [(String, String)] = []
    ) {
        let body = allocator.buffer(string: text)
        var headers = HTTPHeaders([("content-type", contentType), ("content-length", "\(body.readableBytes)")])
        headers.add(contentsOf: extraHeaders)
        self.head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        self.body = body
    }
}

/// The fixed answers of one event loop. Each loop gets its own copies so that two loops never bump the
/// reference count of the same buffer.
struct CannedResponses {
    /// Body sizes of the workload endpoints; the engine's tests and demo scenarios rely on these numbers.
    static let bodySizes: [Route: Int] = [.testV1: 1578, .testV2: 13, .testV3: 378, .testV4: 378]

    /// Indexed by `Route.rawValue` for the workload routes.
    let workload: [CannedResponse]
    let notFound: CannedResponse
    /// Indexed by `Route.rawValue` for every route that has methods to allow.
    let methodNotAllowed: [CannedResponse]

    init(allocator: ByteBufferAllocator) {
        let json = "application/json"
        workload = Route.workload.map { route in
            switch route {
            case .testV2:
                CannedResponse(status: .ok, contentType: "text/plain", body: "Hello, world!", allocator: allocator)
            case .login:
                CannedResponse(
                    status: .ok, contentType: json, body: #"{"token":"loadd-target-5f1c2e9a7b3d4860"}"#,
                    allocator: allocator)
            case .metrics:
                CannedResponse(status: .ok, contentType: json, body: #"{"accepted":true}"#, allocator: allocator)
            case .apiLogin, .apiMe:
                // Never sent: these answer per request (`TokenEndpoints`); the slot keeps the table indexed by route.
                CannedResponse(
                    status: .unauthorized, contentType: json, body: #"{"error":"unauthorized"}"#, allocator: allocator)
            default:
                CannedResponse(
                    status: .ok, contentType: json,
                    body: Self.filler(name: route.path, size: Self.bodySizes[route]!),
                    allocator: allocator)
            }
        }
        notFound = CannedResponse(
            status: .notFound, contentType: json, body: #"{"error":"not found"}"#,
            allocator: allocator)
        methodNotAllowed = Route.allCases.map { route in
            CannedResponse(
                status: .methodNotAllowed, contentType: json,
                body: #"{"error":"method not allowed","allow":"\#(route.allowedMethods)"}"#,
                allocator: allocator, extraHeaders: [("allow", route.allowedMethods)])
        }
    }

    /// The answer that replaces a workload response picked for an injected error.
    static func injectedError(status: Int, allocator: ByteBufferAllocator) -> CannedResponse {
        CannedResponse(
            status: HTTPResponseStatus(statusCode: status), contentType: "application/json",
            body: #"{"error":"injected","status":\#(status)}"#, allocator: allocator)
    }

    /// A JSON document of exactly `size` bytes whose content depends only on `name` and `size`.
    static func filler(name: String, size: Int) -> String {
        let prefix = #"{"endpoint":"\#(name)","filler":""#
        let suffix = #""}"#
        let padLength = size - prefix.utf8.count - suffix.utf8.count
        precondition(padLength >= 0, "body of \(size) bytes is too small for the JSON frame")
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 ")
        let pad = String((0..<padLength).map { alphabet[$0 % alphabet.count] })
        return prefix + pad + suffix
    }
}
