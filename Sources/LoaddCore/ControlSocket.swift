import Foundation
import Glibc
import SystemdSupport

/// The control API's bound Unix socket: systemd's (socket activation) or one loadd made itself.
struct ControlSocket {
    let fd: Int32
    let path: String
    /// Whether loadd created the file and so removes it on exit; systemd's socket outlives loadd.
    let isOwned: Bool

    /// A socket file's mode: owner and group (`loadd`) may connect, nobody else.
    static let mode: mode_t = 0o660

    /// Adopts the first Unix stream socket systemd passed (preferring the one named `control`), else
    /// binds `path`.
    static func open(path: String, activated: [ActivatedSocket]) throws -> ControlSocket {
        if !activated.isEmpty {
            let streams = activated.filter { $0.kind == .unixStream }
            guard let socket = streams.first(where: { $0.name == "control" }) ?? streams.first else {
                throw ControlSocketError(
                    "systemd passed \(activated.count) socket(s) but none is a Unix stream "
                        + "socket: check ListenStream= in loadd.socket")
            }
            return ControlSocket(fd: socket.fd, path: boundPath(socket.fd) ?? path, isOwned: false)
        }
        return try bind(path)
    }

    /// Removes the socket file if loadd made it (after the server channel closed the descriptor).
    func removeFile() {
        if isOwned { unlink(path) }
    }

    /// Gives the socket up before a server took it over (start-up failed after binding).
    func closeAndRemove() {
        close(fd)
        removeFile()
    }

    /// Binds a fresh socket at `path` with mode 0660. A socket file already there is removed only if
    /// nothing answers on it (a previous loadd that crashed), as tailscaled does: unlinking a live
    /// daemon's socket would leave it running but unreachable.
    private static func bind(_ path: String) throws -> ControlSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw ControlSocketError("socket path \(path) is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try removeIfStale(path, address: address)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlSocketError("cannot create a socket: \(lastError())") }
        // umask decides the mode bind(2) gives the file; setting it around bind leaves no window in
        // which the socket is more open than 0660. Only start-up code runs at this point.
        let previous = umask(0o777 & ~ControlSocket.mode)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        umask(previous)
        guard bound == 0 else {
            let reason = lastError()
            close(fd)
            throw ControlSocketError("cannot bind \(path): \(reason)")
        }
        return ControlSocket(fd: fd, path: path, isOwned: true)
    }

    private static func removeIfStale(_ path: String, address: sockaddr_un) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ControlSocketError("\(path) exists and is not a socket; move it away or choose another --socket")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw ControlSocketError("cannot create a socket: \(lastError())") }
        defer { close(probe) }
        var target = address
        let result = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result == 0 {
            throw ControlSocketError(
                "another loadd is serving \(path); stop it first (`systemctl stop loadd`) "
                    + "or choose another --socket")
        }
        guard errno == ECONNREFUSED else {
            throw ControlSocketError("cannot check whether \(path) is in use: \(lastError())")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ControlSocketError("cannot remove the stale socket \(path): \(lastError())")
        }
    }

    /// The path a passed socket is bound to, for logs and status.
    private static func boundPath(_ fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        let path = withUnsafeBytes(of: address.sun_path) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return path.isEmpty ? nil : path
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// Why the control socket cannot be opened, in words for the operator.
struct ControlSocketError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
