import Foundation
import Protocol

/// One `extract:` entry of a step: where in the response its value is found and which of the user's
/// extracted slots it fills. Compiled at load time (the JSON path split, the regex built), so a
/// response is searched without parsing the rule again.
public struct ExtractRule: Sendable, Equatable {
    /// The name templates use (`{{token}}`).
    public let name: String
    /// Index into the user's extracted values; steps that extract the same name share it.
    public let slot: Int
    /// Index into `Plan.extractLabels`: names this rule in failure text.
    public let id: Int
    public let source: ResponseSource

    public init(name: String, slot: Int, id: Int, source: ResponseSource) {
        self.name = name
        self.slot = slot
        self.id = id
        self.source = source
    }
}

/// Where in a response a value is read.
public enum ResponseSource: Sendable, Equatable {
    /// A JSON path into the body (`$.a.b`, `$.items[0].id`, `$.items[-1].id`).
    case json(JSONPath)
    /// A response header, by name in any case.
    case header(String)
    /// The first capture group of a regular expression over the body.
    case regex(ResponseRegex)

    /// True when the value is read from the body, which must then be kept.
    public var needsBody: Bool {
        if case .header = self { return false }
        return true
    }

    /// As a user wrote it, for messages: `$.token`, `header Location`, `regex 'id=(\d+)'`.
    public var label: String {
        switch self {
        case .json(let path): return path.text
        case .header(let name): return "header \(name)"
        case .regex(let regex): return "regex '\(regex.pattern)'"
        }
    }
}

/// A regular expression compiled once at load time. NSRegularExpression is immutable and safe to
/// match from several threads at once.
public struct ResponseRegex: @unchecked Sendable, Equatable {
    public let pattern: String
    let expression: NSRegularExpression

    /// The compiled expression, or the reason it is not one; it must have a capture group.
    static func compile(_ pattern: String) -> Result<ResponseRegex, Problem> {
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            return .failure(Problem("'\(pattern)' is not a valid regular expression"))
        }
        guard expression.numberOfCaptureGroups >= 1 else {
            return .failure(Problem("'\(pattern)' has no capture group: put the part to keep in (…), e.g. 'id=(\\d+)'"))
        }
        return .success(ResponseRegex(pattern: pattern, expression: expression))
    }

    /// The first capture group of the first match in `bytes` (as UTF-8, invalid bytes replaced).
    func firstCapture(in bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        let whole = NSRange(text.startIndex..<text.endIndex, in: text)
        guard let match = expression.firstMatch(in: text, range: whole),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return Array(text[range].utf8)
    }

    public static func == (a: ResponseRegex, b: ResponseRegex) -> Bool { a.pattern == b.pattern }
}

/// A response check beyond `status` and `body_contains`: each is one row of the checks table.
public struct ResponseCheck: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The value at a JSON path, as text, equals this.
        case jsonEquals(JSONPath, [UInt8])
        /// The header (any case) is present and contains this text.
        case headerContains(String, [UInt8])
        /// The response took at most this many milliseconds from the request's send.
        case maxMillis(Int)
    }

    public let kind: Kind
    /// Row in `Plan.checkRows`.
    public let row: Int

    public init(kind: Kind, row: Int) {
        self.kind = kind
        self.row = row
    }

    public var needsBody: Bool {
        if case .jsonEquals = kind { return true }
        return false
    }
}

/// One row of the checks table: a check as written, under the request it belongs to.
public struct CheckRow: Sendable, Hashable {
    public let endpoint: EndpointKey
    /// `status 200`, `body contains "ok"`, `$.status == "ok"`, `header Content-Type contains "json"`, `max_ms 200`.
    public let check: String

    public init(endpoint: EndpointKey, check: String) {
        self.endpoint = endpoint
        self.check = check
    }
}

/// What a step asks of its response beyond the default status check: the checks table rows its
/// `status`/`body_contains` fill, its other checks, its extractions. Empty for most steps, which then
/// keep the zero-copy path (no body kept, no header looked at).
public struct ResponseRules: Sendable, Equatable {
    /// Rows for an explicit `status:` and `body_contains:`, when written.
    public var statusRow: Int?
    public var bodyRow: Int?
    public var checks: [ResponseCheck] = []
    public var extract: [ExtractRule] = []

    public init() {}

    public var isEmpty: Bool { statusRow == nil && bodyRow == nil && checks.isEmpty && extract.isEmpty }
    /// True when the body must be kept for these rules.
    public var needsBody: Bool { checks.contains(where: \.needsBody) || extract.contains { $0.source.needsBody } }
}

/// Plan-wide names the failure text and the checks table use: filled by the loader.
public struct ResponseLabels: Sendable, Equatable {
    /// The checks table's rows, in first-use order.
    public var checkRows: [CheckRow] = []
    /// Per `ExtractRule.id`: `token` and its source label.
    public var extracts: [(name: String, source: String)] = []
    /// How many extracted slots a user holds (distinct extracted names).
    public var extractSlots = 0

    public init() {}

    public static func == (a: ResponseLabels, b: ResponseLabels) -> Bool {
        a.checkRows == b.checkRows && a.extractSlots == b.extractSlots
            && a.extracts.map(\.name) == b.extracts.map(\.name) && a.extracts.map(\.source) == b.extracts.map(\.source)
    }
}
