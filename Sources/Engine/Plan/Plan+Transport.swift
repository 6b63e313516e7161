/// How a scenario's requests travel: the HTTP version and the TLS settings (`http:` and `tls:` at
/// the top of a scenario). Applied once per user when its easy handle is made, never per request.
public struct TransportPlan: Sendable, Equatable {
    /// `http: 1.1` (the default) or `http: 2`.
    public var http: HTTPVersionChoice = .http1
    public var tls = TLSPlan()

    public init(http: HTTPVersionChoice = .http1, tls: TLSPlan = TLSPlan()) {
        self.http = http
        self.tls = tls
    }
}

/// The HTTP version a scenario's users speak.
public enum HTTPVersionChoice: String, Sendable, Equatable {
    /// HTTP/1.1 with keep-alive: one request at a time per connection.
    case http1 = "1.1"
    /// HTTP/2: negotiated by ALPN over TLS, and spoken with prior knowledge (h2c) over cleartext.
    case http2 = "2"
}

/// `tls: { ca_file, insecure, client_cert, client_key, server_name }`. The files are read when the
/// scenario is compiled (from disk by `loadctl`, from the bundle by a daemon or a worker) and kept
/// here as PEM bytes, so an engine never opens a path.
public struct TLSPlan: Sendable, Equatable {
    /// PEM certificates trusted instead of the system store.
    public var caPEM: [UInt8]?
    /// Skip verifying the target's certificate and name (a test target with a throw-away certificate).
    public var insecure = false
    /// The client certificate (PEM) and its key (PEM), sent when the target asks for one.
    public var clientCertPEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    /// The name sent in SNI, put in `Host:` and checked against the certificate, when it is not the
    /// host the scenario connects to.
    public var serverName: String?

    public init(
        caPEM: [UInt8]? = nil, insecure: Bool = false, clientCertPEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil, serverName: String? = nil
    ) {
        self.caPEM = caPEM
        self.insecure = insecure
        self.clientCertPEM = clientCertPEM
        self.clientKeyPEM = clientKeyPEM
        self.serverName = serverName
    }
}

extension Plan {
    /// The base URL requests are built on: `host`, or with `tls.server_name`, the same URL naming that
    /// server instead (the engine then connects to `host`'s address with libcurl's CONNECT_TO).
    public var requestHost: String {
        guard let serverName = transport.tls.serverName, let parts = HostParts(host) else { return host }
        return "\(parts.scheme)://\(serverName):\(parts.port)\(parts.path)"
    }
}

/// `scheme://host[:port][/path]` taken apart; the port is filled in from the scheme when absent.
struct HostParts: Equatable {
    var scheme: String
    /// As written in the URL: an IPv6 address keeps its brackets.
    var host: String
    var port: Int
    var path: String

    init?(_ url: String) {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        path = String(rest[authorityEnd...])
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let defaultPort = scheme == "https" ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let value = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = value
        } else {
            host = String(authority)
            port = defaultPort
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
    }
}
