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
}

extension YAMLReader {
    /// `form: { key: value, … }` as `key=value&…`; values may hold placeholders, keys may not.
    mutating func formBody(_ node: Node, _ field: String, scope: TemplateScope) -> Template? {
        guard let entries = entries(of: node, field) else { return nil }
        var builder = TemplateBuilder()
        var valid = true
        for (index, entry) in entries.enumerated() {
            let path = "\(field).\(entry.key)"
            if index > 0 { builder.appendLiteral("&") }
            builder.appendLiteral(BodyEncoder.formEncode(entry.key) + [UInt8(ascii: "=")])
            if entry.value.isNull { continue }
            guard let text = scalarText(entry.value, path, expected: "a form value (text or number)"),
                  let parts = templateParts(text, at: entry.value, path, scope: scope, encodeLiteral: BodyEncoder.formEncode)
            else { valid = false; continue }
            builder.append(contentsOf: parts)
        }
        return valid ? builder.build(escaping: .form) : nil
    }

    /// Any YAML value as compact JSON; placeholders may appear inside strings (keys and values).
    mutating func jsonBody(_ node: Node, _ field: String, scope: TemplateScope) -> Template? {
        var builder = TemplateBuilder()
        return appendJSON(node, field, scope: scope, to: &builder) ? builder.build(escaping: .json) : nil
    }

    /// Returns false when a problem was recorded; keeps walking so every problem is found.
    private mutating func appendJSON(_ node: Node, _ field: String, scope: TemplateScope,
                                     to builder: inout TemplateBuilder) -> Bool {
        switch node {
        case .mapping(let mapping):
            var valid = true
            builder.appendLiteral("{")
            for (index, (key, value)) in mapping.enumerated() {
                if index > 0 { builder.appendLiteral(",") }
                let name = key.scalar?.string ?? ""
                valid = appendJSONString(key, "\(field).\(name)", scope: scope, to: &builder) && valid
                builder.appendLiteral(":")
                valid = appendJSON(value, "\(field).\(name)", scope: scope, to: &builder) && valid
            }
            builder.appendLiteral("}")
            return valid
        case .sequence(let sequence):
            var valid = true
            builder.appendLiteral("[")
            for (index, item) in sequence.enumerated() {
                if index > 0 { builder.appendLiteral(",") }
                valid = appendJSON(item, "\(field)[\(index)]", scope: scope, to: &builder) && valid
            }
            builder.appendLiteral("]")
            return valid
        case .scalar(let scalar):
            guard scalar.style == .plain else { return appendJSONString(node, field, scope: scope, to: &builder) }
            switch node.tag.description {
            case Tag.Name.null.rawValue:
                builder.appendLiteral("null")
            case Tag.Name.bool.rawValue:
                builder.appendLiteral(Bool.construct(from: scalar) == true ? "true" : "false")
            case Tag.Name.int.rawValue:
                guard let value = Int.construct(from: scalar) else {
                    fail(at: node, field, "\(scalar.string) does not fit a 64-bit integer; quote it to send a string")
                    return false
                }
                builder.appendLiteral("\(value)")
            case Tag.Name.float.rawValue:
                guard let value = Double.construct(from: scalar), value.isFinite else {
                    fail(at: node, field, "JSON has no \(scalar.string); quote it to send a string")
                    return false
                }
                builder.appendLiteral("\(value)")
            default:
                return appendJSONString(node, field, scope: scope, to: &builder)
            }
            return true
        case .alias:
            fail(at: node, field, "aliases are not supported in json bodies")
            return false
        }
    }

    private mutating func appendJSONString(_ node: Node, _ field: String, scope: TemplateScope,
                                           to builder: inout TemplateBuilder) -> Bool {
        guard let text = scalarText(node, field, expected: "text"),
              let parts = templateParts(text, at: node, field, scope: scope, encodeLiteral: BodyEncoder.jsonEscape)
        else { return false }
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
