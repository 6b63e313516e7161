import Foundation
import Glibc

/// One HTTP answer read off the control socket.
struct DaemonHTTPReply {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw DaemonTestError("cannot decode \(type) from HTTP \(status): \(text)\n\(error)")
        }
    }
}

/// A tiny blocking HTTP/1.1 client over `AF_UNIX`, so tests see exactly what crosses the socket:
/// one connection per request (`Connection: close`), every wait bounded by a receive timeout.
enum DaemonHTTP {
    static func request(
        _ socket: String, _ method: String, _ path: String, body: String? = nil,
        headers: [(String, String)] = []
    ) throws -> DaemonHTTPReply {
        let fd = try connect(socket)
        defer { close(fd) }
        send(fd, requestBytes(method, path, body: body.map { Array($0.utf8) }, headers: headers))
        return try readReply(fd)
    }

    /// Sends `bytes` as they are (malformed requests, oversized bodies) and reads the answer.
    static func raw(_ socket: String, _ bytes: [UInt8]) throws -> DaemonHTTPReply {
        let fd = try connect(socket)
        defer { close(fd) }
        send(fd, bytes)
        return try readReply(fd)
    }

    static func requestBytes(
        _ method: String, _ path: String, body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: loadd\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    /// A connected socket with a 10 s receive timeout, so a daemon that never answers fails the test.
    static func connect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonTestError("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withDaemonUnixAddress(path) { Glibc.connect(fd, $0, $1) }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DaemonTestError("connect \(path): \(reason)")
        }
        return fd
    }

    /// Writes all of `bytes`, stopping quietly when the daemon has closed the connection (it may
    /// answer 413 before reading everything); the answer is still there to read.
    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Reads one response: the head, then `content-length` bytes (or until end of stream).
    static func readReply(_ fd: Int32) throws -> DaemonHTTPReply {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headEnd: Int?
        var expected: Int?
        while true {
            if let headEnd, let expected, data.count - headEnd >= expected { break }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw DaemonTestError("no answer within 10 s") }
            if count <= 0 { break }
            data.append(contentsOf: buffer[..<count])
            while headEnd == nil, let end = find([13, 10, 13, 10], in: data) {
                let head = String(decoding: data[..<end], as: UTF8.self)
                // A 100 Continue head comes before the real one: drop it and look again.
                if head.hasPrefix("HTTP/1.1 100") {
                    data.removeFirst(end + 4)
                    continue
                }
                headEnd = end + 4
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                expected = length.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
            }
        }
        guard let headEnd else { throw DaemonTestError("no HTTP answer (got \(data.count) bytes)") }
        return try parse(head: String(decoding: data[..<(headEnd - 4)], as: UTF8.self), body: Array(data[headEnd...]))
    }

    private static func parse(head: String, body: [UInt8]) throws -> DaemonHTTPReply {
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw DaemonTestError("bad status line: \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return DaemonHTTPReply(status: status, headers: headers, body: body)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

/// A `sockaddr_un` for `path`, passed to `body` with its length.
func withDaemonUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    precondition(bytes.count < MemoryLayout.size(ofValue: address.sun_path), "socket path too long: \(path)")
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}
