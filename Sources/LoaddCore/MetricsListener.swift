import Glibc
import Logging
import NIOCore
import Protocol

/// `metrics_listen: HOST:PORT`: where Prometheus may scrape `/metrics` over TCP. HOST is an IP
/// address (IPv6 in brackets, `[::1]:9557`) or `localhost`; names are refused because which
/// address a name binds is not for a config line to guess. PORT is 1…65535.
struct MetricsAddress: Equatable, Sendable, CustomStringConvertible {
    static let portRange = 1...65535

    let host: String
    let port: Int
    /// AF_INET or AF_INET6.
    let family: Int32

    var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `nil` and the reason when `text` is not such an address. `HostPort` splits it (the one
    /// HOST:PORT reader); this only insists that the host is an IP literal.
    static func parse(_ text: String) -> (MetricsAddress?, String?) {
        let parsed: HostPort
        do {
            parsed = try HostPort(parsing: text, ports: portRange)
        } catch {
            switch error {
            case .portNotANumber, .portOutOfRange:
                return (nil, "expected a port from 1 to 65535 after the last ':', got '\(text)'")
            default:
                return (nil, "expected HOST:PORT such as 127.0.0.1:9557 (\(error)), got '\(text)'")
            }
        }
        let host = parsed.host == "localhost" ? "127.0.0.1" : parsed.host
        if isAddress(host, AF_INET6) { return (MetricsAddress(host: host, port: parsed.port, family: AF_INET6), nil) }
        guard isAddress(host, AF_INET) else {
            return (nil, "expected an IP address (127.0.0.1, [::1]) or localhost before the port, got '\(host)'")
        }
        return (MetricsAddress(host: host, port: parsed.port, family: AF_INET), nil)
    }

    private static func isAddress(_ text: String, _ family: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(family, text, &buffer) == 1
    }
}

/// The TCP listener behind `metrics_listen:`: the control server's HTTP handling with a router
/// that knows only `GET /metrics` (404 for every other path, 405 for other methods), so nothing
/// that steers a run is reachable over TCP. Its own small connection cap keeps scrapers from
/// taking descriptors the engine's users are promised.
enum MetricsListener {
    /// Enough for a few Prometheus servers and curl; the next connection gets 503.
    static let limits: ControlLimits = {
        var limits = ControlLimits(connections: 16, requestTimeout: .seconds(10), idleTimeout: .seconds(60))
        limits.refusing = 16
        limits.bufferedBodyBytes = 1 << 20
        return limits
    }()

    struct BindError: Error, CustomStringConvertible {
        let description: String
    }

    /// Binds `address` and serves on `group`. - Throws: `BindError` naming the address and errno.
    static func start(
        _ address: MetricsAddress, group: any EventLoopGroup, manager: RunManager,
        logger: Logger
    ) async throws -> ControlServer {
        let fd = try bind(address)
        return try await ControlServer.start(
            fd: fd, group: group, router: .metricsOnly(manager), limits: limits,
            logger: logger)
    }

    /// A bound, listening TCP socket (`SO_REUSEADDR`, so a restart does not wait out TIME_WAIT).
    static func bind(_ address: MetricsAddress) throws -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BindError(description: "metrics_listen: cannot create a socket: \(errorText())") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if address.family == AF_INET6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = UInt16(address.port).bigEndian
            _ = inet_pton(AF_INET6, address.host, &socketAddress.sin6_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = UInt16(address.port).bigEndian
            _ = inet_pton(AF_INET, address.host, &socketAddress.sin_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0, listen(fd, 64) == 0 else {
            let reason = errorText()
            close(fd)
            throw BindError(description: "metrics_listen: cannot listen on \(address): \(reason)")
        }
        return fd
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
