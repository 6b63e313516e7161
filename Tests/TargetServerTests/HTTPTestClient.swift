#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One parsed HTTP response.
struct HTTPReply {
    var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

struct HTTPTestClientError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking HTTP/1.1 client over one TCP connection to 127.0.0.1: small enough to trust, and it
/// reads responses strictly by `content-length`, so it notices a body one byte off.
final class HTTPTestConnection {
    private let fd: Int32
    private var buffered: [UInt8] = []

    /// `timeout` bounds every read, so a server that never answers fails the test instead of hanging it.
    init(port: Int, timeout: Duration = .seconds(5)) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPTestClientError(description: "socket() failed: errno \(errno)") }
        let seconds = timeout.components.seconds
        var limit = timeval(tv_sec: .init(seconds), tv_usec: .init(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw HTTPTestClientError(description: "connect to 127.0.0.1:\(port) failed: errno \(code)")
        }
    }

    deinit { close(fd) }

    /// Sends raw bytes, for pipelining and malformed-request tests.
    func sendRaw(_ raw: String) throws {
        var bytes = Array(raw.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, 0) }
            guard n > 0 else { throw HTTPTestClientError(description: "send failed: errno \(errno)") }
            sent += n
        }
    }

    /// Sends one request and reads its response.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) throws -> HTTPReply {
        try sendRaw(Self.format(method, path, body: body, headers: headers))
        return try readResponse()
    }

    static func format(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) -> String {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1"] + headers
        if let body { lines.append("Content-Length: \(body.utf8.count)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
    }

    /// Reads the next response; throws if the server closes or stays silent past the timeout.
    func readResponse() throws -> HTTPReply {
        let headEnd = try readUntilHeadEnd()
        let head = String(decoding: buffered[..<headEnd], as: UTF8.self)
        buffered.removeFirst(headEnd + 4)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw HTTPTestClientError(description: "bad status line: \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers[line[..<colon].lowercased()] = String(value)
        }
        let length = status < 200 ? 0 : Int(headers["content-length"] ?? "") ?? -1
        guard length >= 0 else { throw HTTPTestClientError(description: "response without content-length") }
        while buffered.count < length { try fill() }
        let body = Array(buffered[..<length])
        buffered.removeFirst(length)
        return HTTPReply(status: status, headers: headers, body: body)
    }

    /// True when a response (or a close) arrives within `limit`; waits no longer than that.
    func hasData(within limit: Duration) -> Bool {
        guard buffered.isEmpty else { return true }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)
        return poll(&entry, 1, ms) > 0
    }

    /// True when the server has closed its side and nothing is left to read.
    func isClosedByPeer() throws -> Bool {
        guard buffered.isEmpty else { return false }
        do { try fill() } catch let error as HTTPTestClientError where error.description == Self.closedMessage {
            return true
        }
        return false
    }

    private static let closedMessage = "connection closed by the server"

    private func readUntilHeadEnd() throws -> Int {
        let marker: [UInt8] = [13, 10, 13, 10]
        var searchFrom = 0
        while true {
            if buffered.count >= 4 {
                for start in searchFrom...(buffered.count - 4) where buffered[start..<start + 4].elementsEqual(marker) {
                    return start
                }
                searchFrom = buffered.count - 3
            }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw HTTPTestClientError(description: Self.closedMessage) }
        guard n > 0 else { throw HTTPTestClientError(description: "recv failed or timed out: errno \(errno)") }
        buffered.append(contentsOf: chunk[..<n])
    }
}
