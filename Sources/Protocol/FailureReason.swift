/// Why one request failed: a closed set, counted per endpoint like Locust's Failures tab.
/// Classified once, at completion (`FailureReason.classify` in Engine), and kept typed through the
/// windows, the intervals (a fleet's stats frames carry it as a code), the aggregator and the
/// merge; it becomes text only when a summary is rendered (`FailureText` in Engine), because the
/// text of some reasons needs the plan (a check's expression, an extraction's name).
public enum FailureReason: Hashable, Sendable {
    case status(Int)
    case timeout
    case connectionRefused
    case connectionReset
    case connectFailed
    case dnsFailure
    case emptyReply
    case tls
    /// A TLS failure with libcurl's text for it (`EngineTransport.refine`).
    case tlsDetail(String)
    case bodyCheck
    /// The bytes back were not an HTTP response (garbage, HTTP/0.9, a bad status line or header).
    case invalidResponse
    /// A response header line or the whole header block was past libcurl's limit (100 KiB).
    case headerTooLarge
    /// The connection closed before the body the headers announced was complete.
    case bodyCut
    /// The body's chunked framing or content encoding was broken.
    case badBodyEncoding
    /// libcurl refused to start the transfer (`curl_multi_add_handle` failed): never sent.
    case notStarted
    /// Still in flight when the run ended; its latency is the age it had then (a lower bound).
    case cancelledAtEnd
    /// A redirect chain longer than `RequestSession.maxRedirects` (a loop, most often).
    case tooManyRedirects
    /// Another libcurl result code.
    case transport(Int32)
    /// A `check:` beyond status and body failed: `row` indexes `ResponseLabels.checkRows`.
    case check(row: Int)
    /// A step's `extract:` found no value: `id` indexes `ResponseLabels.extracts`.
    case extraction(id: Int, ExtractionProblem)
}

/// Why an `extract:` found no value.
public enum ExtractionProblem: UInt8, Error, Hashable, Sendable {
    case noMatch
    /// A JSON path over a body that is not JSON where the path leads.
    case notJSON
    /// The body was longer than the part kept for checks and extractions (`VirtualUser.capturedBodyLimit`).
    case bodyTooLarge
    /// The value holds a line break, a NUL or bytes that are not UTF-8, which no header or URL should carry.
    case unsafeValue
    /// The value is past `ScenarioLimits.maxExtractedBytes` (a user keeps it for its life).
    case tooLong
}

/// How often one endpoint failed for one reason within an interval (the summary's rendered form is
/// `FailureTally`).
public struct ReasonTally: Codable, Sendable, Equatable {
    public var reason: FailureReason
    public var count: UInt64

    public init(reason: FailureReason, count: UInt64) {
        self.reason = reason
        self.count = count
    }
}

extension FailureReason {
    /// The stats frame's form of a reason: a kind code, one number (a status, a libcurl code, a
    /// check row, an extraction's id and problem) and, for `tlsDetail` only, a text. Codes are
    /// protocol 4's; a new reason takes a new code.
    public struct WireForm: Codable, Sendable, Equatable {
        public var kind: UInt8
        public var number: UInt64
        public var text: String?

        public init(kind: UInt8, number: UInt64 = 0, text: String? = nil) {
            self.kind = kind
            self.number = number
            self.text = text
        }
    }

    /// Largest check row or extraction id a frame may name; a plan holds far fewer.
    public static let maxIndex = 1 << 24

    public var wireForm: WireForm {
        switch self {
        case .status(let code): WireForm(kind: 0, number: UInt64(clamping: code))
        case .timeout: WireForm(kind: 1)
        case .connectionRefused: WireForm(kind: 2)
        case .connectionReset: WireForm(kind: 3)
        case .connectFailed: WireForm(kind: 4)
        case .dnsFailure: WireForm(kind: 5)
        case .emptyReply: WireForm(kind: 6)
        case .tls: WireForm(kind: 7)
        case .tlsDetail(let text): WireForm(kind: 8, text: text)
        case .bodyCheck: WireForm(kind: 9)
        case .invalidResponse: WireForm(kind: 10)
        case .headerTooLarge: WireForm(kind: 11)
        case .bodyCut: WireForm(kind: 12)
        case .badBodyEncoding: WireForm(kind: 13)
        case .notStarted: WireForm(kind: 14)
        case .cancelledAtEnd: WireForm(kind: 15)
        case .tooManyRedirects: WireForm(kind: 16)
        case .transport(let code): WireForm(kind: 17, number: UInt64(UInt32(bitPattern: code)))
        case .check(let row): WireForm(kind: 18, number: UInt64(clamping: row))
        case .extraction(let id, let problem):
            WireForm(kind: 19, number: UInt64(clamping: id) << 3 | UInt64(problem.rawValue))
        }
    }

    /// The reason a wire form names, or why it names none (an unknown kind, a number out of range).
    public init(_ form: WireForm) throws(WireFormError) {
        func index(_ value: UInt64) throws(WireFormError) -> Int {
            guard value <= UInt64(Self.maxIndex) else { throw WireFormError("index \(value) is over \(Self.maxIndex)") }
            return Int(value)
        }
        switch form.kind {
        case 0:
            guard form.number <= 999 else { throw WireFormError("HTTP status \(form.number) is over 999") }
            self = .status(Int(form.number))
        case 1: self = .timeout
        case 2: self = .connectionRefused
        case 3: self = .connectionReset
        case 4: self = .connectFailed
        case 5: self = .dnsFailure
        case 6: self = .emptyReply
        case 7: self = .tls
        case 8: self = .tlsDetail(form.text ?? "")
        case 9: self = .bodyCheck
        case 10: self = .invalidResponse
        case 11: self = .headerTooLarge
        case 12: self = .bodyCut
        case 13: self = .badBodyEncoding
        case 14: self = .notStarted
        case 15: self = .cancelledAtEnd
        case 16: self = .tooManyRedirects
        case 17:
            guard let code = UInt32(exactly: form.number) else {
                throw WireFormError("libcurl code \(form.number) is over 32 bits")
            }
            self = .transport(Int32(bitPattern: code))
        case 18: self = .check(row: try index(form.number))
        case 19:
            guard let problem = ExtractionProblem(rawValue: UInt8(form.number & 7)) else {
                throw WireFormError("extraction problem \(form.number & 7) is unknown")
            }
            self = .extraction(id: try index(form.number >> 3), problem)
        default:
            throw WireFormError("failure reason kind \(form.kind) is unknown")
        }
    }

    /// Why a wire form names no reason.
    public struct WireFormError: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

extension FailureReason: Codable {
    /// JSON carries the wire form (`{"kind":0,"number":503}`), checked the same way.
    public init(from decoder: any Decoder) throws {
        let form = try WireForm(from: decoder)
        do {
            self = try FailureReason(form)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try wireForm.encode(to: encoder)
    }
}
