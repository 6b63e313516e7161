import Glibc

/// The proxy libcurl would pick from the environment (`http_proxy`, `https_proxy`, `all_proxy`,
/// `no_proxy`, as libcurl reads them), resolved once per run instead of on every request.
struct ProxySettings: Sendable, Equatable {
    /// An empty string tells libcurl: no proxy.
    var proxy: String
    var noProxy: String?

    /// The settings for requests to `host` (`http://…` or `https://…`).
    static func forHost(_ host: String) -> ProxySettings {
        func variable(_ names: String...) -> String? {
            for name in names {
                if let value = getenv(name), value.pointee != 0 { return String(cString: value) }
            }
            return nil
        }
        // As libcurl: lower-case http_proxy only (HTTP_PROXY can be set by a CGI request header).
        let scheme = host.hasPrefix("https://") ? variable("https_proxy", "HTTPS_PROXY") : variable("http_proxy")
        let proxy = scheme ?? variable("all_proxy", "ALL_PROXY") ?? ""
        return ProxySettings(proxy: proxy, noProxy: variable("no_proxy", "NO_PROXY"))
    }
}
