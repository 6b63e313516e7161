/// A `HOST:PORT` address, the one reader of that form in loadd: a fleet's `master:` and `listen:`,
/// the built-in target's `--listen`. `[IPv6]:PORT` holds the address without its brackets.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a text is not a `HOST:PORT`; `description` says it in a few words for the caller's message.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case unclosedBracket
        case noPortAfterBracket
        case emptyBracketedHost
        case unbracketedIPv6
        case noHost
        case portNotANumber(String)
        case portOutOfRange(Int, ClosedRange<Int>)

        public var description: String {
            switch self {
            case .empty: "it is empty"
            case .unclosedBracket: "'[' without a closing ']'"
            case .noPortAfterBracket: "no ':PORT' after the IPv6 address"
            case .emptyBracketedHost: "the host between '[' and ']' is empty"
            case .unbracketedIPv6: "write an IPv6 address in brackets, as [::1]:PORT"
            case .noHost: "no host before ':PORT'"
            case .portNotANumber(let text): "port '\(text)' is not a number"
            case .portOutOfRange(let port, let range): "port \(port) is not in \(range.lowerBound)…\(range.upperBound)"
            }
        }
    }

    /// Reads `HOST:PORT`, `[IPv6]:PORT`, and — when `defaultHost` is given — a bare `PORT` or `:PORT`
    /// meaning that host. `bareIPv6` accepts `::1:7557` as host `::1` (the last colon splits), as
    /// the config file always has.
    /// - Throws: `ParseError` naming what is wrong.
    public init(
        parsing text: some StringProtocol, defaultHost: String? = nil, ports: ClosedRange<Int> = 0...65535,
        bareIPv6: Bool = false
    ) throws(ParseError) {
        let text = Substring(text)
        guard !text.isEmpty else { throw .empty }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .unclosedBracket }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .noPortAfterBracket }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") && !bareIPv6 { throw .unbracketedIPv6 }
        } else if defaultHost != nil {
            host = ""
            portText = text
        } else {
            throw .noHost
        }
        guard let port = Int(portText) else { throw .portNotANumber(String(portText)) }
        guard ports.contains(port) else { throw .portOutOfRange(port, ports) }
        if host.isEmpty, text.hasPrefix("[") { throw .emptyBracketedHost }
        guard let resolved = host.isEmpty ? defaultHost : String(host) else { throw .noHost }
        self.init(host: resolved, port: port)
    }

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
