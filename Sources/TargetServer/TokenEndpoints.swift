import NIOCore
import NIOHTTP1

/// `POST /api/login` and `GET /api/me`: a bearer-token API for scenarios that log in and use what they
/// got. A token is `tok-NONCE-MAC`, the MAC keyed by a secret drawn when the process starts, so
/// `/api/me` recognises a token this target issued without a shared table (no lock between loops).
enum TokenEndpoints {
    private static let secret = UInt64.random(in: .min ... .max)

    static func respond(
        to route: Route, uri: String, authorization: String?, allocator: ByteBufferAllocator
    ) -> CannedResponse {
        switch route {
        case .apiLogin:
            // `?omit_token=1` answers 200 without the token: what a scenario's extraction must notice.
            if uri.contains("omit_token=1") {
                return json(.ok, #"{"ok":true}"#, allocator)
            }
            let nonce = UInt64.random(in: .min ... .max)
            let token = "tok-\(hex(nonce))-\(hex(mac(nonce)))"
            return json(.ok, #"{"token":"\#(token)","user":{"id":42,"roles":["reader","writer"]}}"#, allocator)
        default:
            guard let authorization, authorization.hasPrefix("Bearer "), isIssued(String(authorization.dropFirst(7)))
            else {
                return json(
                    .unauthorized, #"{"error":"a Bearer token from POST /api/login is required"}"#, allocator,
                    extra: [("www-authenticate", "Bearer")])
            }
            return json(.ok, #"{"status":"ok","user":"loadd"}"#, allocator)
        }
    }

    /// True for a token this process issued.
    static func isIssued(_ token: String) -> Bool {
        let parts = token.split(separator: "-")
        guard parts.count == 3, parts[0] == "tok", let nonce = UInt64(parts[1], radix: 16),
            let tag = UInt64(parts[2], radix: 16)
        else { return false }
        return mac(nonce) == tag
    }

    /// splitmix64 of the nonce under the secret: not cryptographic, enough that a test cannot guess one.
    private static func mac(_ nonce: UInt64) -> UInt64 {
        var z = (nonce ^ secret) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func hex(_ value: UInt64) -> String {
        String(value, radix: 16)
    }

    private static func json(
        _ status: HTTPResponseStatus, _ body: String, _ allocator: ByteBufferAllocator,
        extra: [(String, String)] = []
    ) -> CannedResponse {
        CannedResponse(
            status: status, contentType: "application/json", body: body, allocator: allocator,
            extraHeaders: [("cache-control", "no-store")] + extra)
    }
}
