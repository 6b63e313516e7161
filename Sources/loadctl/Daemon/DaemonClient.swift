import CCurl
import Foundation
import Protocol

/// Talks HTTP/1.1 + JSON to the local loadd over its Unix socket, through libcurl's easy
/// interface (already linked for the engine). Every failure becomes a `DaemonClientError` that
/// says what to do about it.
struct DaemonClient {
    let socketPath: String

    /// `--socket`, else `$LOADD_SOCKET`, else the systemd default.
    static func resolveSocket(_ flag: String?) -> String {
        flag ?? ProcessInfo.processInfo.environment["LOADD_SOCKET"] ?? ControlAPI.defaultSocketPath
    }

    func get<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) throws -> Response {
        try decode(try send("GET", path, body: nil))
    }

    func post<Response: Decodable>(
        _ path: String, body: some Encodable, as type: Response.Type = Response.self
    ) throws -> Response {
        try decode(try send("POST", path, body: WireJSON.data(body)))
    }

    func post<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) throws -> Response {
        try decode(try send("POST", path, body: Data("{}".utf8)))
    }

    func delete<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) throws -> Response {
        try decode(try send("DELETE", path, body: nil))
    }

    private func decode<Response: Decodable>(_ reply: (status: Int, body: Data)) throws -> Response {
        guard (200..<300).contains(reply.status) else {
            if let apiError = try? WireJSON.decode(APIError.self, from: reply.body) {
                throw DaemonClientError.api(status: reply.status, apiError)
            }
            throw DaemonClientError.api(status: reply.status, APIError(String(decoding: reply.body, as: UTF8.self)))
        }
        do {
            return try WireJSON.decode(Response.self, from: reply.body)
        } catch {
            throw DaemonClientError.badReply("\(error)")
        }
    }

    /// One blocking exchange; the control API answers in milliseconds, so no event loop is needed.
    private func send(_ method: String, _ path: String, body: Data?) throws -> (status: Int, body: Data) {
        try checkSocket()
        guard let easy = curl_easy_init() else { throw DaemonClientError.badReply("curl_easy_init failed") }
        defer { curl_easy_cleanup(easy) }
        let reply = ReplyBuffer()
        let box = Unmanaged.passRetained(reply)
        defer { box.release() }
        let headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: application/json")
        defer { curl_slist_free_all(headers) }
        ccurl_easy_setopt_str(easy, CURLOPT_UNIX_SOCKET_PATH, socketPath)
        ccurl_easy_setopt_str(easy, CURLOPT_URL, "http://loadd\(path)")
        ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, 30_000)
        ccurl_easy_setopt_write_cb(easy, ReplyBuffer.onBody)
        ccurl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, box.toOpaque())
        let payload = body ?? Data()
        let code: CURLcode = payload.withUnsafeBytes { raw in
            if method == "DELETE" { ccurl_easy_setopt_str(easy, CURLOPT_CUSTOMREQUEST, "DELETE") }
            if method == "POST" {
                ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headers)
                ccurl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, raw.count)
                ccurl_easy_setopt_ptr(easy, CURLOPT_POSTFIELDS, raw.baseAddress)
            }
            return curl_easy_perform(easy)
        }
        guard code == CURLE_OK else {
            var osErrno = 0
            ccurl_easy_getinfo_long(easy, CURLINFO_OS_ERRNO, &osErrno)
            throw DaemonClientError.unreachable(socket: socketPath, reason: Self.explain(code, errno: osErrno))
        }
        var status = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return (status, reply.data)
    }

    private func checkSocket() throws {
        var info = stat()
        if stat(socketPath, &info) != 0 {
            throw DaemonClientError.unreachable(socket: socketPath, reason: "no such socket")
        }
        if access(socketPath, R_OK | W_OK) != 0 {
            throw DaemonClientError.permissionDenied(socket: socketPath)
        }
    }

    private static func explain(_ code: CURLcode, errno osErrno: Int) -> String {
        switch Int32(osErrno) {
        case ECONNREFUSED: return "nothing is listening on the socket (a stale socket file?)"
        case EACCES: return "permission denied"
        case ENOENT: return "no such socket"
        default: return String(cString: curl_easy_strerror(code))
        }
    }
}

/// Collects a reply body; passed to libcurl as userdata.
private final class ReplyBuffer {
    var data = Data()

    static let onBody: curl_write_callback = { bytes, size, count, userdata in
        let reply = Unmanaged<ReplyBuffer>.fromOpaque(userdata!).takeUnretainedValue()
        if let bytes {
            reply.data.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: size * count)
        }
        return size * count
    }
}

enum DaemonClientError: Error, CustomStringConvertible {
    case unreachable(socket: String, reason: String)
    case permissionDenied(socket: String)
    case api(status: Int, APIError)
    case badReply(String)

    var description: String {
        switch self {
        case .unreachable(let socket, let reason):
            return "cannot reach loadd at \(socket): \(reason). Is it running? `systemctl status loadd` "
                + "(or start one: `loadd --socket \(socket)`; pick another socket with --socket or $LOADD_SOCKET)"
        case .permissionDenied(let socket):
            return "cannot reach loadd at \(socket): permission denied. Join the `loadd` group "
                + "(`sudo usermod -aG loadd $USER`, then log in again) or use sudo"
        case .api(let status, let error):
            return (["loadd: \(error.error) (HTTP \(status))"] + error.details.map { "  \($0)" }).joined(
                separator: "\n")
        case .badReply(let text):
            return "loadd answered something loadctl does not understand: \(text)"
        }
    }
}
