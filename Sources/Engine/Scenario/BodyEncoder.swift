import Yams

/// Turns `form:` and `json:` values into body templates whose literals are already escaped for their
/// content type, so only placeholder output is escaped at render time.
enum BodyEncoder {
    /// `application/x-www-form-urlencoded`: space becomes `+`, everything but the RFC 3986 unreserved
    /// characters (ASCII letters, digits, `-._~`) becomes `%XX` — the same set `TemplateRenderer` uses
    /// for placeholder output, so a body is encoded one way throughout.
    static func formEncode(_ text: some StringProtocol) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// The inside of a JSON string literal (no quotes): `"`, `\` and control characters escaped.
    static func jsonEscape(_ text: some StringProtocol) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): out += Array(#"\r"#.utf8)
            case UInt8(ascii: "\t"): out += Array(#"\t"#.utf8)
            case 0..<0x20:
                out += Array(#"\u00"#.utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// What a plain, untagged scalar resolves to, for the two shapes that fill large bodies, decided without
    /// Yams's resolver (a handful of regular expressions per scalar: seconds for a long list).
    enum QuickKind: Equatable {
        /// `[-+]?(0|[1-9][0-9]*)` that fits 64 bits: Yams's int rule, decimal branch.
        case int(Int)
        /// Starts with an ASCII letter and is none of the YAML 1.1 bool/null words: no rule but `str` matches.
        case text
    }

    /// `nil` when only Yams's resolver can tell (octal, hex, floats, timestamps, bool and null words…).
    static func quickKind(_ text: String) -> QuickKind? {
        guard let first = text.utf8.first else { return nil }
        if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first)
        {
            return specialWords.contains(text) ? nil : .text
        }
        // `Int.init` takes exactly `[-+]?[0-9]+`; YAML reads a leading zero as octal, so leave that to Yams.
        guard let value = Int(text) else { return nil }
        let digits = text.utf8.dropFirst(first == UInt8(ascii: "-") || first == UInt8(ascii: "+") ? 1 : 0)
        if digits.first == UInt8(ascii: "0") && digits.count > 1 { return nil }
        return .int(value)
    }

    /// Words YAML 1.1 (as Yams resolves it) reads as bool or null.
    private static let specialWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
    ]
}

extension YAMLReader {
    /// `form: { key: value, … }` as `key=value&…`; values may hold placeholders, keys may not.
    mutating func formBody(_ node: Node, _ field: String, scope: TemplateScope) -> Template? {
        guard let entries = entries(of: node, field) else { return nil }
        var builder = TemplateBuilder()
        var valid = true
        for (index, entry) in entries.enumerated() {
            let path = "\(field).\(entry.key)"
            guard builder.literalBytes <= ScenarioLimits.maxBodyBytes else { break }
            if index > 0 { builder.appendLiteral("&") }
            builder.appendLiteral(BodyEncoder.formEncode(entry.key) + [UInt8(ascii: "=")])
            if entry.value.isNull { continue }
            guard let text = scalarText(entry.value, path, expected: "a form value (text or number)"),
                let parts = templateParts(
                    text, at: entry.value, path, scope: scope, encodeLiteral: BodyEncoder.formEncode)
            else { valid = false; continue }
            builder.append(contentsOf: parts)
        }
        guard bodyFits(builder, at: node, field) else { return nil }
        return valid ? builder.build(escaping: .form) : nil
    }

    /// A raw `body:`, refused before templating when it is over the body cap.
    mutating func rawBody(_ node: Node, _ field: String, scope: TemplateScope) -> Template? {
        if case .scalar(let scalar) = node, scalar.string.utf8.count > ScenarioLimits.maxBodyBytes {
            fail(at: node, field, Self.bodyTooLarge)
            return nil
        }
        return template(node, field, scope: scope)
    }

    /// Records the body-cap error at the body's own node; `false` when the body is too large.
    private mutating func bodyFits(_ builder: TemplateBuilder, at node: Node, _ field: String) -> Bool {
        guard builder.literalBytes > ScenarioLimits.maxBodyBytes else { return true }
        fail(at: node, field, Self.bodyTooLarge)
        return false
    }

    static let bodyTooLarge =
        "the body is more than \(ScenarioLimits.maxBodyBytes) bytes (1 MiB) once built; "
        + "a step's body may be at most 1 MiB"

    /// Any YAML value as compact JSON; placeholders may appear inside strings (keys and values).
    mutating func jsonBody(_ node: Node, _ field: String, scope: TemplateScope) -> Template? {
        var builder = TemplateBuilder()
        let valid = appendJSON(node, { field }, scope: scope, to: &builder)
        guard bodyFits(builder, at: node, field) else { return nil }
        return valid ? builder.build(escaping: .json) : nil
    }

    /// Returns false when a problem was recorded; keeps walking so every problem is found. `field` builds
    /// the node's path only when a problem needs it: building it for every item of a long list cost more
    /// than the list itself.
    private mutating func appendJSON(
        _ node: Node, _ field: () -> String, scope: TemplateScope,
        to builder: inout TemplateBuilder
    ) -> Bool {
        // Past the cap the body is refused anyway: stop walking, so a huge (or aliased) value costs no more.
        guard builder.literalBytes <= ScenarioLimits.maxBodyBytes else { return false }
        switch node {
        case .mapping(let mapping):
            var valid = true
            builder.appendLiteral("{")
            for (index, (key, value)) in mapping.enumerated() {
                if index > 0 { builder.appendLiteral(",") }
                let name = key.scalar?.string ?? ""
                valid = appendJSONString(key, { "\(field()).\(name)" }, scope: scope, to: &builder) && valid
                builder.appendLiteral(":")
                valid = appendJSON(value, { "\(field()).\(name)" }, scope: scope, to: &builder) && valid
            }
            builder.appendLiteral("}")
            return valid
        case .sequence(let sequence):
            var valid = true
            builder.appendLiteral("[")
            for (index, item) in sequence.enumerated() {
                if index > 0 { builder.appendLiteral(",") }
                valid = appendJSON(item, { "\(field())[\(index)]" }, scope: scope, to: &builder) && valid
            }
            builder.appendLiteral("]")
            return valid
        case .scalar(let scalar):
            guard scalar.style == .plain else { return appendJSONString(node, field, scope: scope, to: &builder) }
            if scalar.tag.description.isEmpty {   // untagged: no `!!str` or the like
                switch BodyEncoder.quickKind(scalar.string) {
                case .int(let value):
                    builder.appendLiteral("\(value)")
                    return true
                case .text:
                    return appendJSONString(node, field, scope: scope, to: &builder)
                case nil:
                    break
                }
            }
            switch node.tag.description {
            case Tag.Name.null.rawValue:
                builder.appendLiteral("null")
            case Tag.Name.bool.rawValue:
                builder.appendLiteral(Bool.construct(from: scalar) == true ? "true" : "false")
            case Tag.Name.int.rawValue:
                guard let value = Int.construct(from: scalar) else {
                    fail(at: node, field(), "\(scalar.string) does not fit a 64-bit integer; quote it to send a string")
                    return false
                }
                builder.appendLiteral("\(value)")
            case Tag.Name.float.rawValue:
                guard let value = Double.construct(from: scalar), value.isFinite else {
                    fail(at: node, field(), "JSON has no \(scalar.string); quote it to send a string")
                    return false
                }
                builder.appendLiteral("\(value)")
            default:
                return appendJSONString(node, field, scope: scope, to: &builder)
            }
            return true
        case .alias:
            fail(at: node, field(), "aliases are not supported in json bodies")
            return false
        }
    }

    private mutating func appendJSONString(
        _ node: Node, _ field: () -> String, scope: TemplateScope,
        to builder: inout TemplateBuilder
    ) -> Bool {
        guard case .scalar(let scalar) = node else {
            fail(at: node, field(), "expected text, got \(node.kindDescription)")
            return false
        }
        let (parts, problems) = TemplateParser.parse(scalar.string, scope: scope, encodeLiteral: BodyEncoder.jsonEscape)
        guard problems.isEmpty else {
            let path = field()
            for problem in problems { fail(at: node, path, problem) }
            return false
        }
        builder.appendLiteral("\"")
        builder.append(contentsOf: parts)
        builder.appendLiteral("\"")
        return true
    }

    /// A scalar's text, or a recorded problem naming what was expected instead.
    mutating func scalarText(_ node: Node, _ field: String, expected: String) -> String? {
        guard case .scalar(let scalar) = node else {
            fail(at: node, field, "expected \(expected), got \(node.kindDescription)")
            return nil
        }
        return scalar.string
    }
}
