import CCurl
import Glibc

/// The parts of one `RequestPlan` that never change, converted once per engine thread into the C
/// forms libcurl takes, so issuing a request sets pointers instead of building strings.
final class PreparedRequest {
    enum Method {
        case get
        case head
        /// POST, or PUT/PATCH/DELETE/OPTIONS through CURLOPT_CUSTOMREQUEST (`custom` non-nil).
        case withBody(custom: UnsafeMutablePointer<CChar>?)
    }

    let plan: RequestPlan
    let method: Method
    /// Host + path as a C string, when the URL is the same for every request; else `nil`.
    let constantURL: UnsafeMutablePointer<CChar>?
    /// Header lines when none of them is templated; else `nil` and they are built per request.
    let constantHeaders: UnsafeMutablePointer<curl_slist>?
    /// The body when it is not templated (stable pointer for CURLOPT_POSTFIELDS).
    let constantBody: UnsafeMutablePointer<UInt8>?
    let constantBodyCount: Int
    let hostBytes: [UInt8]
    let timeoutMillis: Int
    /// The response body is kept for `body_contains`, a JSON check or a body extraction.
    let capturesBody: Bool
    /// The response is looked at past its status (checks table rows, checks, extractions).
    let inspects: Bool

    init(_ request: RequestPlan, host: String) {
        plan = request
        hostBytes = Array(host.utf8)
        capturesBody = request.check.bodyContains != nil || request.rules.needsBody
        inspects = !request.rules.isEmpty
        switch request.method {
        case "GET": method = .get
        case "HEAD": method = .head
        case "POST": method = .withBody(custom: nil)
        default: method = .withBody(custom: strdup(request.method))
        }
        if request.target.isConstant {
            let url = (request.targetIsAbsolute ? [] : hostBytes) + request.target.literalBytes
            constantURL = strdup(String(decoding: url, as: UTF8.self))
        } else {
            constantURL = nil
        }
        if request.headers.allSatisfy(\.isConstant) {
            var list: UnsafeMutablePointer<curl_slist>? = nil
            for header in request.headers {
                list = curl_slist_append(list, String(decoding: header.literalBytes, as: UTF8.self))
            }
            constantHeaders = list
        } else {
            constantHeaders = nil
        }
        if request.body?.isConstant ?? true {
            // A body-less POST still needs a valid pointer: CURLOPT_POSTFIELDS with size 0.
            let bytes = request.body?.literalBytes ?? []
            let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
            storage.initialize(from: bytes, count: bytes.count)
            constantBody = storage
            constantBodyCount = bytes.count
        } else {
            constantBody = nil
            constantBodyCount = 0
        }
        // Clamped: a timeout of any size must not trap (past 31 years it makes no difference).
        let (seconds, attoseconds) = request.timeout.components
        timeoutMillis = max(
            1, Int(min(max(0, seconds), 1_000_000_000)) * 1000 + Int(max(0, attoseconds) / 1_000_000_000_000_000))
    }

    deinit {
        if case .withBody(let custom?) = method { free(custom) }
        free(constantURL)
        curl_slist_free_all(constantHeaders)
        constantBody?.deallocate()
    }
}

extension Template {
    /// The bytes of a template made only of literals.
    var literalBytes: [UInt8] {
        var bytes: [UInt8] = []
        for case .literal(let piece) in parts { bytes += piece }
        return bytes
    }
}
