import Foundation
import Glibc
import NIOCore
import Protocol

@testable import Federation

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a blocking call on its own thread: a test blocked in `recv` on one of the few cooperative
/// threads would starve the very master (an actor) it is waiting for.
func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// A blocking TCP client that speaks frames byte by byte, so tests control exactly what reaches
/// the master: garbage, oversized headers, messages out of order. Every read times out, and runs
/// off the cooperative pool.
final class RawFrameClient: Sendable {
    let fd: Int32

    init(port: Int, timeout: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw TestFailure("connect 127.0.0.1:\(port): errno \(errno)")
        }
    }

    /// Takes over an accepted socket (a fake master's side).
    init(adopting fd: Int32, timeout: Int = 5) {
        self.fd = fd
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func sendRaw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    func sendFrame(payload: [UInt8]) {
        let length = UInt32(payload.count)
        sendRaw(
            [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + payload
        )
    }

    /// `message` as a real peer frames it: the per-second kinds in binary, the rest in JSON.
    func send(_ message: FederationMessage) throws {
        var frame = ByteBuffer()
        try FrameEncoder().encode(data: message, out: &frame)
        sendRaw(Array(frame.readableBytesView))
    }

    /// The next message, or `nil` when the master closed the connection.
    func receive() async throws -> FederationMessage? {
        try await offload { try self.receiveBlocking() }
    }

    private func receiveBlocking() throws -> FederationMessage? {
        guard let header = try read(4) else { return nil }
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard let payload = try read(length) else { throw TestFailure("connection closed inside a frame") }
        // The master's own decoder: heartbeats arrive in binary.
        var buffer = ByteBuffer(bytes: payload)
        return try FrameDecoder.message(from: &buffer, using: JSONDecoder())
    }

    /// Messages until the master closes the connection (heartbeats skipped); throws on timeout.
    func receiveUntilClosed() async throws -> [FederationMessage] {
        try await offload { try self.untilClosedBlocking() }
    }

    private func untilClosedBlocking() throws -> [FederationMessage] {
        var messages: [FederationMessage] = []
        while let message = try receiveBlocking() {
            if message != .heartbeat { messages.append(message) }
        }
        return messages
    }

    private func read(_ count: Int) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            if n == 0 || (n < 0 && errno == ECONNRESET) { return nil }
            if n < 0 {
                if errno == EINTR { continue }
                throw TestFailure("recv: errno \(errno) (timed out waiting for the master?)")
            }
            filled += n
        }
        return buffer
    }
}
