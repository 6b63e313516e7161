import Glibc
import Synchronization

@testable import Engine

/// A deliberately broken HTTP "server" on 127.0.0.1 for tests: each connection gets `reply` once
/// and is closed, or (`reply == nil`) is read and never answered. One OS thread, blocking calls;
/// `stop()` shuts the listening socket, which wakes `accept`.
final class RawTarget: Sendable {
    let port: Int
    private let listener: Int32
    private let held = Mutex<[Int32]>([])

    init(reply: [UInt8]?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else { throw RawTargetError(errno: errno) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        OSThread.spawn { [self] in serve(reply) }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private func serve(_ reply: [UInt8]?) {
        var request = [UInt8](repeating: 0, count: 65_536)
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }   // the listener was shut down
            _ = recv(connection, &request, request.count, 0)
            guard let reply else {
                held.withLock { $0.append(connection) }
                continue
            }
            // MSG_NOSIGNAL: the client may hang up mid-reply (that is the point of some replies).
            var sent = 0
            while sent < reply.count {
                let n = reply[sent...].withUnsafeBytes {
                    send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if n <= 0 { break }
                sent += n
            }
            close(connection)
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in held.withLock({ $0 }) { close(fd) }
    }

    /// Replies a broken target can give.
    static let garbage = Array("HELLO THERE\r\nthis is not HTTP\r\n\r\n".utf8)
    static let hugeHeader = Array(
        "HTTP/1.1 200 OK\r\nX-Big: \(String(repeating: "a", count: 1 << 20))\r\nContent-Length: 0\r\n\r\n".utf8)
    static let cutBody = Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this".utf8)
}

struct RawTargetError: Error {
    let errno: Int32
}
