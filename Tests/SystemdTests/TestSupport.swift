import Glibc
import Testing

/// Tests that change process-wide state (environment variables, fds 3 and 4, child processes that
/// inherit both) are nested in this suite, so they run one at a time and never interleave with each
/// other. Tests elsewhere must not touch the environment or low fds.
@Suite(.serialized) struct ProcessStateTests {}

/// Sets environment variables for the duration of `body`, then restores the previous values.
@discardableResult
func withEnvironment<R>(_ values: [String: String?], _ body: () throws -> R) rethrows -> R {
    let previous = values.keys.map { ($0, getenv($0).map { String(cString: $0) }) }
    for (name, value) in values { setEnvironment(name, value) }
    defer { for (name, value) in previous { setEnvironment(name, value) } }
    return try body()
}

func setEnvironment(_ name: String, _ value: String?) {
    if let value { setenv(name, value, 1) } else { unsetenv(name) }
}

/// A fresh directory under /tmp, removed by `body`'s end.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    var template = Array("/tmp/loadd-systemd-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp: errno \(errno)") }
    let path = String(cString: made)
    defer { removeTree(path) }
    return try body(path)
}

/// Removes the flat directories the tests create (sockets and plain files, no subdirectories).
private func removeTree(_ path: String) {
    if let dir = opendir(path) {
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(dir)
    }
    rmdir(path)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A `sockaddr_un` for `path`, passed to `body` with its length.
func withUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    precondition(bytes.count < MemoryLayout.size(ofValue: address.sun_path), "socket path too long")
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}

/// A bound `AF_UNIX` socket of `type`; listening if it is a stream socket.
func makeUnixSocket(path: String, type: Int32) throws -> Int32 {
    let fd = socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    let bound = withUnixAddress(path) { bind(fd, $0, $1) }
    guard bound == 0 else { close(fd); throw TestFailure("bind \(path): errno \(errno)") }
    if type == Int32(SOCK_STREAM.rawValue), listen(fd, 16) != 0 {
        close(fd)
        throw TestFailure("listen: errno \(errno)")
    }
    return fd
}

/// A TCP socket listening on an ephemeral loopback port.
func makeLoopbackListener() throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw TestFailure("bind/listen: errno \(errno)") }
    return fd
}

/// Receives one datagram, waiting at most `timeoutMilliseconds`; `nil` on timeout.
func receiveDatagram(_ fd: Int32, timeoutMilliseconds: Int32 = 2_000) -> String? {
    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&poller, 1, timeoutMilliseconds) == 1 else { return nil }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = recv(fd, &buffer, buffer.count, 0)
    guard count >= 0 else { return nil }
    return String(decoding: buffer[..<count], as: UTF8.self)
}
