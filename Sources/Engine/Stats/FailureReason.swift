import CCurl
import Glibc
import Protocol

/// How a failure is classified and worded; the reasons themselves are `Protocol.FailureReason`,
/// so the stats frames carry them typed.
extension FailureReason {
    /// Maps a finished transfer to a failure, or `nil` when the response counts as a success.
    /// `detail` is the transfer's CURLOPT_ERRORBUFFER (NUL-terminated), when it has one.
    @inline(__always)
    static func classify(
        curlCode: CURLcode, osErrno: Int, status: Int, check: Check, bodyMatched: Bool,
        detail: UnsafePointer<CChar>? = nil
    ) -> FailureReason? {
        switch curlCode {
        case CURLE_OK:
            if !check.accepts(status: status) { return .status(status) }
            if check.bodyContains != nil && !bodyMatched { return .bodyCheck }
            return nil
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT:
            return osErrno == Int(ECONNREFUSED) ? .connectionRefused : .connectFailed
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dnsFailure
        case CURLE_GOT_NOTHING:
            return .emptyReply
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            if osErrno == Int(ECONNRESET) || osErrno == Int(EPIPE) { return .connectionReset }
            // libcurl reports broken chunked framing as a receive error with its own text.
            if mentions(detail, "chunk") { return .badBodyEncoding }
            return .transport(Int32(curlCode.rawValue))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM:
            return .tls
        case CURLE_WEIRD_SERVER_REPLY:
            return .invalidResponse
        case CURLE_UNSUPPORTED_PROTOCOL:
            // The same code means "no HTTP in that URL" and "the reply was not HTTP/1.x" (libcurl
            // calls a reply without a status line HTTP/0.9): only the text tells them apart.
            return mentions(detail, "HTTP/0.9") || mentions(detail, "HTTP version")
                ? .invalidResponse
                : .transport(Int32(curlCode.rawValue))
        case CURLE_OUT_OF_MEMORY:
            // libcurl 7.x answers an over-long header with "out of memory"; its text says header.
            return detail == nil || mentions(detail, "header") || mentions(detail, "Header") || detail?.pointee == 0
                ? .headerTooLarge
                : .transport(Int32(curlCode.rawValue))
        case CURLE_PARTIAL_FILE:
            return .bodyCut
        case CURLE_BAD_CONTENT_ENCODING:
            return .badBodyEncoding
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects
        default:
            // CURLE_TOO_LARGE (100), libcurl 8's code for the same over-long header.
            if curlCode.rawValue == 100 { return .headerTooLarge }
            return .transport(Int32(curlCode.rawValue))
        }
    }

    /// True when the NUL-terminated `text` contains `needle`, case-sensitively (off the hot path: failures only).
    private static func mentions(_ text: UnsafePointer<CChar>?, _ needle: String) -> Bool {
        guard let text, text.pointee != 0 else { return false }
        return needle.withCString { strstr(text, $0) != nil }
    }

    /// The failures that mean no HTTP exchange happened at all.
    static let unreachable: Set<FailureReason> = [.connectionRefused, .connectFailed, .dnsFailure]

    /// The text users see in the failures table and Locust's `Error` column; `labels` name the
    /// checks and extractions of the plan.
    func describe(check: Check?, labels: ResponseLabels = ResponseLabels()) -> String {
        switch self {
        case .check(let row):
            return "check failed: " + (row < labels.checkRows.count ? labels.checkRows[row].check : "#\(row)")
        case .extraction(let id, let problem):
            let (name, source) = id < labels.extracts.count ? labels.extracts[id] : ("#\(id)", "?")
            return "extract \(name): " + problem.describe(source: source)
        case .status(let code): return "HTTP \(code)"
        case .timeout: return "timeout"
        case .connectionRefused: return "connection refused"
        case .connectionReset: return "connection reset"
        case .connectFailed: return "connect failed"
        case .dnsFailure: return "DNS resolution failed"
        case .emptyReply: return "empty reply from server"
        case .tls: return "TLS error"
        case .tlsDetail(let text): return "TLS error: \(text)"
        case .bodyCheck:
            let needle = check?.bodyContains.map { String(decoding: $0, as: UTF8.self) } ?? ""
            return "check failed: body does not contain \"\(needle)\""
        case .invalidResponse: return "invalid HTTP response"
        case .headerTooLarge: return "response header too large"
        case .bodyCut: return "body cut after headers"
        case .badBodyEncoding: return "invalid body encoding"
        case .notStarted: return "request not started (libcurl refused it)"
        case .cancelledAtEnd: return "cancelled at end"
        case .tooManyRedirects: return "too many redirects (more than \(RequestSession.maxRedirects))"
        case .transport(let code):
            let text =
                curl_easy_strerror(CURLcode(rawValue: UInt32(bitPattern: code))).map { String(cString: $0) } ?? "error"
            return "curl error \(code): \(text)"
        }
    }
}

extension ExtractionProblem {
    func describe(source: String) -> String {
        switch self {
        case .noMatch: return "no match for \(source)"
        case .notJSON: return "no match for \(source) (the body is not JSON)"
        case .bodyTooLarge:
            return "the body is over 1 MiB, the most kept for extract and check (\(source) not searched)"
        case .tooLong:
            return
                "the value of \(source) is over \(ScenarioLimits.maxExtractedBytes / 1024) KiB, the most a user keeps"
        case .unsafeValue: return "the value of \(source) holds a line break, a NUL or bytes that are not UTF-8"
        }
    }
}
