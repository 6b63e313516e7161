extension TargetServer {
    /// Parses a `--listen` value: `HOST:PORT`, `[IPv6]:PORT`, or a bare `PORT` / `:PORT`.
    ///
    /// A missing host means `127.0.0.1`, not every interface (as it would in Go): this server exists to
    /// be loaded by tests and demos on the same machine. Port 0 asks for a free port.
    public static func parseListen(_ s: String) throws -> (host: String, port: Int) {
        let text = s.trimmingSpaces()
        guard !text.isEmpty else { throw TargetServerError.invalidListen(s, reason: "it is empty") }

        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw TargetServerError.invalidListen(s, reason: "'[' without a closing ']'")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw TargetServerError.invalidListen(s, reason: "no ':PORT' after the IPv6 address")
            }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                throw TargetServerError.invalidListen(s, reason: "write an IPv6 address in brackets, as [::1]:PORT")
            }
        } else {
            host = ""
            portText = text[...]
        }

        guard let port = Int(portText) else {
            throw TargetServerError.invalidListen(s, reason: "port '\(portText)' is not a number")
        }
        guard (0...65535).contains(port) else {
            throw TargetServerError.invalidListen(s, reason: "port \(port) is not in 0…65535")
        }
        if host.isEmpty, text.hasPrefix("[") {
            throw TargetServerError.invalidListen(s, reason: "the host between '[' and ']' is empty")
        }
        return (host.isEmpty ? "127.0.0.1" : String(host), port)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<max(start, end)]
    }
}
