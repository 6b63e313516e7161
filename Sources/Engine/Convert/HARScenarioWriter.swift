/// Writes a converted recording as scenario YAML. Every string is double-quoted with YAML's escapes
/// and everything outside printable ASCII escaped (`\uXXXX`), so no recorded byte can change the
/// document's structure or trip the scenario's text checks.
struct HARScenarioWriter {
    var name: String
    var host: String
    var file: String
    var recorded: Int
    var http2: Bool
    var steps: [HARConverter.Step]
    var notes: [String]

    func render() -> String {
        var out: [String] = []
        let base = file.split(separator: "/").last.map(String.init) ?? file
        out.append(
            "# Converted by `loadctl convert` from \(Self.comment(base)): \(steps.count) of \(recorded) recorded requests."
        )
        for note in notes { out.append("# \(Self.comment(note))") }
        out.append("name: \(Self.quote(name))")
        out.append("host: \(Self.quote(host))")
        out.append("users: 1")
        out.append("spawn_rate: 1")
        out.append("duration: 1m")
        if http2 { out.append("http: 2                      # the recording spoke HTTP/2") }
        let think = steps.reduce(0) { $0 + $1.thinkMillis }
        if think >= 1 {
            out.append(
                "# loadd pauses between tasks, not between the steps of one: the \(Self.seconds(think)) of think time")
            out.append("# recorded between these steps is taken after each pass, so a user keeps the recorded pace.")
            out.append("wait: \(Int(min(think, 2_592_000_000).rounded()))ms")
        } else {
            out.append("wait: none")
        }
        let shared = sharedHeaders()
        if !shared.isEmpty {
            out.append("headers:")
            for header in shared { out.append("  \(Self.quote(header.name)): \(Self.quote(header.value))") }
        }
        out.append("tasks:")
        out.append("  - steps:")
        for step in steps {
            if step.thinkMillis >= 1 { out.append("      # after \(Self.seconds(step.thinkMillis)) of think time") }
            out.append("      - request: \(Self.quote(step.request))")
            let own = step.headers.filter { header in
                !shared.contains { $0.name == header.name && $0.value == header.value }
            }
            if !own.isEmpty {
                out.append("        headers:")
                for header in own { out.append("          \(Self.quote(header.name)): \(Self.quote(header.value))") }
            }
            switch step.body {
            case nil: break
            case .json(let value): out.append("        json: \(Self.flow(value))")
            case .form(let fields):
                out.append("        form:")
                if fields.isEmpty { out[out.count - 1] += " {}" }
                for field in fields { out.append("          \(Self.quote(field.name)): \(Self.quote(field.value))") }
            case .raw(let text, let type):
                out.append("        body: \(Self.quote(text))")
                out.append("        content_type: \(Self.quote(type))")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Headers every step sends with the same value (when there are two steps or more): written once.
    private func sharedHeaders() -> [(name: String, value: String)] {
        guard steps.count > 1, let first = steps.first else { return [] }
        return first.headers.filter { header in
            steps.allSatisfy { step in step.headers.contains { $0.name == header.name && $0.value == header.value } }
        }
    }

    private static func seconds(_ millis: Double) -> String {
        millis >= 1000 ? "\(Double(Int((millis / 100).rounded())) / 10) s" : "\(Int(millis.rounded())) ms"
    }

    /// A comment's text on one line, in ASCII.
    static func comment(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? $0 : "?" }))
    }

    /// A YAML double-quoted scalar.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFF {
                    out += "\\x" + hex(scalar.value, 2)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, 4)
                } else {
                    out += "\\U" + hex(scalar.value, 8)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A JSON value as a YAML flow node that `json:` turns back into the same JSON.
    static func flow(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return "\(number)"
        case .double(let number):
            // YAML 1.1 reads a float only with a dot; Swift writes 1e+20 without one.
            var text = "\(number)"
            if !text.contains(".") {
                if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                    text.insert(contentsOf: ".0", at: e)
                } else {
                    text += ".0"
                }
            }
            return number.isFinite ? text : "null"
        case .string(let text): return quote(text)
        case .array(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { "\(quote($0)): \(flow(fields[$0]!))" }.joined(separator: ", ") + "}"
        }
    }
}
