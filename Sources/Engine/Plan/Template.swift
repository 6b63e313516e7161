/// A string with `{{…}}` placeholders, split once at load time so a request renders by appending
/// bytes into a reusable buffer: no parsing and no `String` per request.
public struct Template: Sendable, Equatable {
    /// How rendered placeholder values are escaped; literals are stored already escaped.
    public enum Escaping: Sendable, Equatable {
        case none
        /// `application/x-www-form-urlencoded` and query strings.
        case form
        /// Inside a JSON string literal.
        case json
    }

    public var parts: [TemplatePart]
    public var escaping: Escaping

    public init(parts: [TemplatePart], escaping: Escaping = .none) {
        self.parts = parts
        self.escaping = escaping
    }

    public init(literal: String) {
        self.init(parts: [.literal(Array(literal.utf8))])
    }

    /// True when every render gives the same bytes, so they can be prepared once.
    public var isConstant: Bool {
        parts.allSatisfy { if case .literal = $0 { return true } else { return false } }
    }

    /// True when the value depends only on the user (vars, data), not on the moment.
    public var isPerUser: Bool {
        parts.allSatisfy {
            switch $0 {
            case .literal, .variable, .data: return true
            case .base64(let value): return value.isPerUser
            case .uuid, .now, .nowMillis, .randomInt, .extracted: return false
            }
        }
    }
}

public enum TemplatePart: Sendable, Equatable {
    case literal([UInt8])
    /// `{{uuid}}`: a random version-4 UUID, lower case.
    case uuid
    /// `{{now}}`: Unix time in whole seconds.
    case now
    /// `{{now_ms}}`: Unix time in milliseconds.
    case nowMillis
    /// `{{random_int a b}}`: uniform in `a...b`.
    case randomInt(Int, Int)
    /// `{{name}}` or `{{vars.name}}`: index into `Plan.vars`.
    case variable(Int)
    /// `{{data.column}}`: index into `DataFeed.columns`.
    case data(Int)
    /// `{{token}}` where a step's `extract:` defines `token`: index into the user's extracted values.
    case extracted(Int)
    /// `{{base64 NAME}}`: a var, data column or extracted value, base64-encoded (RFC 4648, padded).
    case base64(TemplateValue)
}

/// A per-user value a builtin such as `base64` takes.
public enum TemplateValue: Sendable, Equatable {
    case variable(Int)
    case data(Int)
    case extracted(Int)

    var isPerUser: Bool {
        if case .extracted = self { return false }
        return true
    }
}
