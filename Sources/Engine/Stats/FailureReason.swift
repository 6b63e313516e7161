import CCurl
import Glibc

/// Why one request failed: a closed set, counted per endpoint like Locust's Failures tab.
/// Classified once, at completion, from libcurl's result, the socket errno and the status.
public enum FailureReason: Hashable, Sendable {
    case status(Int)
    case timeout
    case connectionRefused
    case connectionReset
    case connectFailed
    case dnsFailure
    case emptyReply
    case tls
    case bodyCheck
    case transport(Int32)

    /// Maps a finished transfer to a failure, or `nil` when the response counts as a success.
    @inline(__always)
    static func classify(curlCode: CURLcode, osErrno: Int, status: Int, check: Check, bodyMatched: Bool) -> FailureReason? {
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
            return osErrno == Int(ECONNRESET) || osErrno == Int(EPIPE) ? .connectionReset : .transport(Int32(curlCode.rawValue))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM:
            return .tls
        default:
            return .transport(Int32(curlCode.rawValue))
        }
    }

    /// Descriptions of the failures that mean no HTTP exchange happened at all.
    static let unreachableDescriptions: Set<String> = [
        FailureReason.connectionRefused, .connectFailed, .dnsFailure,
    ].reduce(into: []) { $0.insert($1.describe(check: nil)) }

    /// The text users see in the failures table and Locust's `Error` column.
    func describe(check: Check?) -> String {
        switch self {
        case .status(let code): return "HTTP \(code)"
        case .timeout: return "timeout"
        case .connectionRefused: return "connection refused"
        case .connectionReset: return "connection reset"
        case .connectFailed: return "connect failed"
        case .dnsFailure: return "DNS resolution failed"
        case .emptyReply: return "empty reply from server"
        case .tls: return "TLS error"
        case .bodyCheck:
            let needle = check?.bodyContains.map { String(decoding: $0, as: UTF8.self) } ?? ""
            return "check failed: body does not contain \"\(needle)\""
        case .transport(let code):
            let text = curl_easy_strerror(CURLcode(rawValue: UInt32(code))).map { String(cString: $0) } ?? "error"
            return "curl error \(code): \(text)"
        }
    }
}
