import Foundation
import Glibc

/// One HTTP/1.1 request per connection to a Unix socket, as `loadctl` would send it, on a thread
/// of its own (blocking I/O must not hold a cooperative thread the in-process daemon needs).
/// Throws `UnixSocketClient.Failure` when the socket does not answer: refused, gone, or closed
/// before a whole answer.
struct UnixSocketClient: Sendable {
    let path: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Answer: Sendable {
        let status: Int
        let body: Data
    }

    func request(_ method: String, _ target: String, body: Data = Data()) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try exchange(method, target, body: body) })
            }
            thread.start()
        }
    }

    private func exchange(_ method: String, _ target: String, body: Data) throws -> Answer {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect \(path): errno \(errno)") }
        let head =
            "\(method) \(target) HTTP/1.1\r\nhost: loadd\r\ncontent-length: \(body.count)\r\n"
            + "connection: close\r\n\r\n"
        let request = Data(head.utf8) + body
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw Failure(description: "send: errno \(errno)") }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let got = recv(fd, &buffer, buffer.count, 0)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            answer.append(contentsOf: buffer[0..<got])
        }
        return try parse(answer)
    }

    /// Status and body of a `connection: close` answer with a `content-length`.
    private func parse(_ answer: Data) throws -> Answer {
        guard let end = answer.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "no whole answer (\(answer.count) bytes)")
        }
        let head = String(decoding: answer[..<end.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw Failure(description: "bad status line: \(statusLine)")
        }
        let length =
            head.split(separator: "\r\n").dropFirst().compactMap { line -> Int? in
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2, pair[0].lowercased() == "content-length" else { return nil }
                return Int(pair[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        let body = answer[end.upperBound...]
        guard body.count == length else {
            throw Failure(description: "body cut short: \(body.count) of \(length) bytes")
        }
        return Answer(status: status, body: Data(body))
    }
}
