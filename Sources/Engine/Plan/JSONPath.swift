/// A JSON path as `extract:` and `check: { json: … }` take it: `$`, then `.name` or `['name']` keys
/// and `[N]` / `[-N]` array indices (`-1` is the last element). Split once at load time.
public struct JSONPath: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        case key([UInt8])
        case index(Int)
    }

    /// As written, for messages.
    public let text: String
    public let segments: [Segment]

    /// The path, or why it is not one.
    static func parse(_ text: String) -> Result<JSONPath, Problem> {
        func bad(_ why: String) -> Result<JSONPath, Problem> {
            .failure(
                Problem("'\(text)' is not a JSON path: \(why) (write e.g. $.token, $.items[0].id or $.items[-1].id)"))
        }
        guard text.utf8.count <= ScenarioLimits.maxJSONPathBytes else {
            return .failure(Problem("a JSON path may be at most \(ScenarioLimits.maxJSONPathBytes) bytes"))
        }
        let chars = Array(text.utf8)
        guard chars.first == UInt8(ascii: "$") else { return bad("it must start with '$'") }
        var segments: [Segment] = []
        var i = 1
        while i < chars.count {
            switch chars[i] {
            case UInt8(ascii: "."):
                var end = i + 1
                while end < chars.count, chars[end] != UInt8(ascii: "."), chars[end] != UInt8(ascii: "[") { end += 1 }
                guard end > i + 1 else { return bad("a '.' must be followed by a key name") }
                segments.append(.key(Array(chars[(i + 1)..<end])))
                i = end
            case UInt8(ascii: "["):
                guard let close = chars[i...].firstIndex(of: UInt8(ascii: "]")) else { return bad("'[' without ']'") }
                let inner = chars[(i + 1)..<close]
                if let quote = inner.first, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""),
                    inner.count >= 2, inner.last == quote
                {
                    segments.append(.key(Array(inner.dropFirst().dropLast())))
                } else {
                    guard let index = Int(String(decoding: inner, as: UTF8.self)) else {
                        return bad("'[\(String(decoding: inner, as: UTF8.self))]' is neither an index nor a quoted key")
                    }
                    guard ScenarioLimits.jsonIndex.contains(index) else {
                        return .failure(
                            Problem(
                                "'\(text)': an index must be within \(ScenarioLimits.jsonIndex.lowerBound)…\(ScenarioLimits.jsonIndex.upperBound)"
                            ))
                    }
                    segments.append(.index(index))
                }
                i = close + 1
            default:
                return bad("expected '.' or '[' after '\(String(decoding: chars[..<i], as: UTF8.self))'")
            }
        }
        return .success(JSONPath(text: text, segments: segments))
    }
}
