import NIOHTTP1

/// Keeps a web page from steering or reading loadd through a forwarded port (`loadctl ui`, `ssh -L`).
/// A browser adds `Origin` to every cross-site request and to same-site writes, and `Sec-Fetch-Site`
/// to every request; `loadctl` and `curl` send neither. A request that carries an Origin is served
/// only when it names the page's own origin: the scheme and the `Host` the request came in under.
/// A request from a browser must also have come in as `localhost` or an IP address, because a hostile
/// name that re-resolves to 127.0.0.1 (DNS rebinding) would otherwise be its own origin.
enum OriginCheck {
    /// `nil` when the request may be served, else why it is refused (for a 403).
    static func refusal(_ headers: HTTPHeaders) -> String? {
        let origins = headers["origin"]
        guard origins.count <= 1 else { return "origin: given \(origins.count) times; a browser sends it once" }
        let fromBrowser = !origins.isEmpty || !headers["sec-fetch-site"].isEmpty
        guard fromBrowser else { return nil }
        let hosts = headers["host"]
        guard hosts.count == 1, let host = hosts.first?.lowercased(), !host.isEmpty else {
            return "browser request refused: it names no single Host to check"
        }
        guard let origin = origins.first else {
            return isLocalName(host) ? nil : nameRefusal(host)
        }
        let lowered = origin.lowercased()
        let own = ["http://" + host, "https://" + host] + defaultPortForms(host)
        guard own.contains(lowered) else {
            return "origin \(shown(origin)) refused: only the dashboard's own page (http://\(host)) may call this API "
                + "from a browser"
        }
        return isLocalName(host) ? nil : nameRefusal(host)
    }

    private static func nameRefusal(_ host: String) -> String {
        "browser request refused: a browser may reach loadd only as localhost or by IP address, not as "
            + "\(shown(host)) (a name could re-resolve to this node)"
    }

    /// `http://h` for `Host: h:80` and `https://h` for `Host: h:443`, which a browser writes without the port.
    private static func defaultPortForms(_ host: String) -> [String] {
        if host.hasSuffix(":80") { return ["http://" + host.dropLast(3)] }
        if host.hasSuffix(":443") { return ["https://" + host.dropLast(4)] }
        return []
    }

    /// `localhost`, a dotted IPv4 address or a bracketed IPv6 one, with or without a port.
    static func isLocalName(_ host: String) -> Bool {
        if host.hasPrefix("[") { return host.contains("]") }
        let name = host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
        if name == "localhost" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                    && (Int(part) ?? 256) <= 255
            }
    }

    /// A header value quoted in a message, cut so a hostile one cannot flood the log.
    private static func shown(_ text: String) -> String {
        text.count > 80 ? "'\(text.prefix(80))…'" : "'\(text)'"
    }
}
