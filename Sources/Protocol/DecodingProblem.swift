/// A `DecodingError` taken apart once, for every reader of JSON that names what is wrong to a user:
/// a request body (the field), a stored summary (the key), a fleet frame (its path). Each words the
/// message for its readers from these parts; none switches over `DecodingError` itself.
public struct DecodingProblem: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The key at the end of `path` is missing.
        case missingKey
        /// The value at `path` has another type than `expected`.
        case wrongType
        /// The value at `path` is `null` where `expected` is needed.
        case null
        /// The value at `path` is malformed; `detail` says how.
        case corrupted
    }

    public var kind: Kind
    /// Where: object keys and array positions from the top, e.g. `["endpoints", 0, "median_ms"]`.
    public var path: [PathElement]
    /// The type wanted, in words a user knows (`a whole number`, `text`), for `wrongType` and `null`.
    public var expected: String?
    /// Foundation's own description of the problem.
    public var detail: String

    public enum PathElement: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public init(_ error: DecodingError) {
        func elements(_ keys: [any CodingKey]) -> [PathElement] {
            keys.map { key in key.intValue.map(PathElement.index) ?? .key(key.stringValue) }
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(
                kind: .missingKey, path: elements(context.codingPath + [key]), expected: nil,
                detail: context.debugDescription)
        case .typeMismatch(let type, let context):
            self.init(
                kind: .wrongType, path: elements(context.codingPath), expected: Self.name(of: type),
                detail: context.debugDescription)
        case .valueNotFound(let type, let context):
            self.init(
                kind: .null, path: elements(context.codingPath), expected: Self.name(of: type),
                detail: context.debugDescription)
        case .dataCorrupted(let context):
            self.init(
                kind: .corrupted, path: elements(context.codingPath), expected: nil, detail: context.debugDescription)
        @unknown default:
            self.init(kind: .corrupted, path: [], expected: nil, detail: "\(error)")
        }
    }

    public init(kind: Kind, path: [PathElement], expected: String?, detail: String) {
        self.kind = kind
        self.path = path
        self.expected = expected
        self.detail = detail
    }

    /// The path as `endpoints[0].median_ms`: keys joined by dots, positions in brackets.
    public var location: String { Self.location(path) }

    /// The path without its last element (for a missing key: where it should have been).
    public var parentLocation: String { Self.location(path.dropLast()) }

    /// The last key of the path (for a missing key: its name).
    public var lastKey: String? {
        guard case .key(let key)? = path.last else { return nil }
        return key
    }

    private static func location(_ path: some Collection<PathElement>) -> String {
        var text = ""
        for element in path {
            switch element {
            case .index(let index): text += "[\(index)]"
            case .key(let key): text += (text.isEmpty ? "" : ".") + key
            }
        }
        return text
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is String.Type: "text"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
