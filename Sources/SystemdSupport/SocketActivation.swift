import CSystemd
import Glibc

/// One listening socket passed by the service manager (`loadd.socket`, or `systemd-socket-activate`).
public struct ActivatedSocket: Sendable, Hashable {
    /// What kind of socket the descriptor is, so the daemon can pick the right server for it.
    public enum Kind: Sendable, Hashable {
        /// `AF_UNIX`, `SOCK_STREAM`: the local control socket.
        case unixStream
        /// `AF_INET`/`AF_INET6`, `SOCK_STREAM`: e.g. the federation listener.
        case tcp
        /// Anything else (datagram, FIFO, netlink, …): the daemon has no use for it.
        case other
    }

    /// The descriptor, already marked close-on-exec by libsystemd. The caller owns it.
    public let fd: Int32
    /// The unit's `FileDescriptorName=` (`LISTEN_FDNAMES`), or `"unknown"` as systemd names unnamed ones.
    public let name: String
    /// The socket's family and type.
    public let kind: Kind
    /// Whether `listen(2)` was called on it (`Accept=no` sockets are listening).
    public let isListening: Bool

    /// Describes a passed descriptor.
    public init(fd: Int32, name: String, kind: Kind, isListening: Bool) {
        self.fd = fd
        self.name = name
        self.kind = kind
        self.isListening = isListening
    }
}

/// Socket activation (`sd_listen_fds_with_names(3)`).
public enum SocketActivation {
    /// The sockets passed to this process, in order, starting at fd 3.
    ///
    /// Consumes `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` so that children (none are expected,
    /// but a curl resolver or a test helper could be one) do not believe the fds were meant for them.
    /// Hence call it once, early. Returns an empty array when the process was not socket-activated or
    /// the environment is malformed (which systemd never produces).
    public static func listenFDs() -> [ActivatedSocket] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let count = sd_listen_fds_with_names(1, &names)
        defer {
            // libsystemd allocates the array and each string with malloc; the caller frees both.
            if let names {
                for index in 0..<Int(max(count, 0)) { free(names[index]) }
                free(names)
            }
        }
        guard count > 0 else { return [] }
        let start = csystemd_listen_fds_start()
        return (0..<count).map { offset in
            let fd = start + offset
            let name = names?[Int(offset)].map { String(cString: $0) } ?? "unknown"
            return ActivatedSocket(fd: fd, name: name, kind: kind(of: fd), isListening: isListening(fd))
        }
    }

    /// Classifies a descriptor regardless of whether it listens (-1 means "don't care" to libsystemd).
    static func kind(of fd: Int32) -> ActivatedSocket.Kind {
        if sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), -1, nil, 0) > 0 { return .unixStream }
        if sd_is_socket_inet(fd, Int32(AF_UNSPEC), Int32(SOCK_STREAM.rawValue), -1, 0) > 0 { return .tcp }
        return .other
    }

    static func isListening(_ fd: Int32) -> Bool {
        sd_is_socket(fd, Int32(AF_UNSPEC), 0, 1) > 0
    }
}
