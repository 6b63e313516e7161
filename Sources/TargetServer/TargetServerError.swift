/// Why the target server could not start or refused a change. `description` is written for the person who
/// ran the command, and says what to do.
public struct TargetServerError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case portInUse(host: String, port: Int)
        case cannotBind(host: String, port: Int, reason: String)
        case invalidListen(text: String, reason: String)
        case invalidConfig(field: String, value: String, reason: String)
    }

    private let kind: Kind

    /// Another process already listens on `host:port`.
    public static func portInUse(host: String, port: Int) -> Self { Self(kind: .portInUse(host: host, port: port)) }
    /// Binding failed for another reason (unknown host, permission, …).
    public static func cannotBind(host: String, port: Int, reason: String) -> Self {
        Self(kind: .cannotBind(host: host, port: port, reason: reason))
    }
    /// A `--listen` value that is not `HOST:PORT`.
    public static func invalidListen(_ text: String, reason: String) -> Self {
        Self(kind: .invalidListen(text: text, reason: reason))
    }
    /// A configuration field or `/control` parameter out of range or not understood.
    public static func invalidConfig(field: String, value: String, reason: String) -> Self {
        Self(kind: .invalidConfig(field: field, value: value, reason: reason))
    }

    /// True when the error is `portInUse`, so callers can retry on another port.
    public var isPortInUse: Bool {
        if case .portInUse = kind { return true }
        return false
    }

    public var description: String {
        switch kind {
        case .portInUse(let host, let port):
            "cannot listen on \(host):\(port): the port is already in use; stop the other process "
                + "(`ss -ltnp 'sport = :\(port)'` shows it) or pick another port (0 picks a free one)"
        case .cannotBind(let host, let port, let reason):
            "cannot listen on \(host):\(port): \(reason)"
        case .invalidListen(let text, let reason):
            "invalid listen address '\(text)': \(reason); expected HOST:PORT, e.g. 127.0.0.1:8080"
        case .invalidConfig(let field, let value, let reason):
            "invalid \(field) '\(value)': \(reason)"
        }
    }
}
