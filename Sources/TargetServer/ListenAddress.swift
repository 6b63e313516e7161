import Protocol

extension TargetServer {
    /// Parses a `--listen` value: `HOST:PORT`, `[IPv6]:PORT`, or a bare `PORT` / `:PORT`.
    ///
    /// A missing host means `127.0.0.1`, not every interface (as it would in Go): this server exists to
    /// be loaded by tests and demos on the same machine. Port 0 asks for a free port.
    public static func parseListen(_ s: String) throws -> (host: String, port: Int) {
        do {
            let address = try HostPort(parsing: s.trimmingSpaces(), defaultHost: "127.0.0.1")
            return (address.host, address.port)
        } catch {
            throw TargetServerError.invalidListen(s, reason: error.description)
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<max(start, end)]
    }
}
