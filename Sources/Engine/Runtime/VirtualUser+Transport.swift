import CCurl
import Glibc
import Protocol

/// A plan's `http:` and `tls:` settings made ready for libcurl once per engine thread: the PEM files
/// in memory libcurl reads in place (CURL_BLOB_NOCOPY), the CONNECT_TO list for `server_name`. Each
/// new user's easy handle gets them once; nothing here runs per request. Owned by one engine thread
/// and outlives its users (their handles point into it), so not Sendable.
final class EngineTransport {
    private let http2: Bool
    /// CURL_HTTP_VERSION_2TLS when the scenario's host is https, else h2c with prior knowledge.
    private let http2Version: Int
    /// h2c on a libcurl that cannot reuse such a connection (see `reusesCleartextHTTP2`).
    private let freshConnectionPerRequest: Bool
    private let insecure: Bool
    private var blobs: [(option: CURLoption, blob: UnsafeMutablePointer<curl_blob>)] = []
    private var connectTo: UnsafeMutablePointer<curl_slist>?
    /// Distinct TLS failure texts this thread has seen, so a repeated failure reuses its string.
    private var tlsTexts: [(bytes: [CChar], reason: FailureReason)] = []

    /// At most this many distinct TLS failure texts are kept per thread (and so per endpoint row);
    /// further ones count as plain `tls`.
    static let maxTLSTexts = 16

    init(_ plan: Plan) {
        http2 = plan.transport.http == .http2
        // Prior knowledge is for cleartext; over TLS libcurl's standard path (ALPN) is taken, which
        // also reuses connections reliably on libcurl 7.x.
        http2Version =
            plan.requestHost.lowercased().hasPrefix("https://")
            ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
        freshConnectionPerRequest =
            http2 && !Self.reusesCleartextHTTP2
            && plan.requestHost.lowercased().hasPrefix("http://")
        let tls = plan.transport.tls
        insecure = tls.insecure
        for (option, pem) in [
            (CURLOPT_CAINFO_BLOB, tls.caPEM), (CURLOPT_SSLCERT_BLOB, tls.clientCertPEM),
            (CURLOPT_SSLKEY_BLOB, tls.clientKeyPEM),
        ] {
            guard let pem else { continue }
            let data = UnsafeMutableRawPointer.allocate(byteCount: max(pem.count, 1), alignment: 1)
            pem.withUnsafeBytes { data.copyMemory(from: $0.baseAddress!, byteCount: pem.count) }
            let blob = UnsafeMutablePointer<curl_blob>.allocate(capacity: 1)
            blob.initialize(to: curl_blob(data: data, len: pem.count, flags: UInt32(CURL_BLOB_NOCOPY)))
            blobs.append((option, blob))
        }
        if tls.serverName != nil, let real = HostParts(plan.host) {
            // "NAME::HOST:PORT": requests to NAME on any port connect to HOST:PORT instead, so SNI,
            // the certificate check and Host: all use NAME while the bytes go to the scenario's host.
            let server = tls.serverName!
            connectTo = curl_slist_append(nil, "\(server)::\(real.host):\(real.port)")
        }
    }

    deinit {
        for (_, blob) in blobs {
            blob.pointee.data?.deallocate()
            blob.deallocate()
        }
        curl_slist_free_all(connectTo)
    }

    /// Sets this plan's transport on a new user's handle; `multi` is the handle's multi.
    func apply(to user: VirtualUser, multi: UnsafeMutableRawPointer) {
        let easy = user.easy
        if http2 {
            // Over https ALPN offers h2 (falling back to 1.1 if the server declines); over http it is
            // h2c with prior knowledge, as `curl --http2-prior-knowledge`.
            ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, http2Version)
            // One connection per user, as a browser or k6 VU has: libcurl would otherwise multiplex
            // other users' requests onto it and the target would see a handful of connections.
            ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_NOTHING))
            if freshConnectionPerRequest { ccurl_easy_setopt_long(easy, CURLOPT_FORBID_REUSE, 1) }
        }
        if insecure {
            ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }
        for (option, blob) in blobs { ccurl_easy_setopt_ptr(easy, option, blob) }
        if let connectTo { ccurl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo) }
    }

    /// libcurl before 8.0.0 breaks a reused prior-knowledge h2c connection: it stacks a second HTTP/2
    /// layer on it and every second request fails with "Error in the HTTP2 framing layer" (fixed by
    /// curl's pull request 10643, in 8.0.0). There `http: 2` over http:// opens a fresh connection per
    /// request instead; over https (ALPN) reuse works on every version.
    static let reusesCleartextHTTP2: Bool = {
        // Only `version_num`, in every layout of the struct, is read: the oldest layout will do.
        guard let info = curl_version_info(CURLVERSION_FIRST) else { return false }
        return info.pointee.version_num >= 0x08_00_00
    }()

    /// `failure` with libcurl's own words when it is a TLS failure: "TLS error: SSL certificate
    /// problem: self-signed certificate in certificate chain" instead of a bare "TLS error". Runs only
    /// for failed transfers; a text seen before costs a comparison, not an allocation.
    func refine(_ failure: FailureReason?, code: CURLcode, detail: UnsafePointer<CChar>) -> FailureReason? {
        guard let failure, code != CURLE_OK, detail.pointee != 0, Self.isTLS(failure, code: code, detail: detail)
        else { return failure }
        for entry in tlsTexts where entry.bytes.withUnsafeBufferPointer({ strcmp($0.baseAddress!, detail) == 0 }) {
            return entry.reason
        }
        guard tlsTexts.count < Self.maxTLSTexts else { return .tls }
        let length = strnlen(detail, Int(CURL_ERROR_SIZE))
        var bytes: [CChar] = Array(UnsafeBufferPointer(start: detail, count: length))
        let reason = FailureReason.tlsDetail(String(decoding: bytes.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        bytes.append(0)
        tlsTexts.append((bytes, reason))
        return reason
    }

    /// libcurl's TLS codes, and a receive error that OpenSSL raised (a TLS 1.3 server refusing the
    /// client's certificate says so on the first read, e.g. "tlsv13 alert certificate required").
    private static func isTLS(_ failure: FailureReason, code: CURLcode, detail: UnsafePointer<CChar>) -> Bool {
        if case .tls = failure { return true }
        switch code {
        case CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CLIENTCERT,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            return true
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            if case .connectionReset = failure { return false }
            return strstr(detail, "SSL") != nil
        default:
            return false
        }
    }
}
