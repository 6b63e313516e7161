import Yams

extension YAMLReader {
    /// `wait: none`, `wait: 1s` (constant), `wait: { constant: 1s }` or `wait: { between: [0.5s, 1.5s] }`.
    mutating func wait(_ node: Node) -> WaitPolicy? {
        if case .scalar(let scalar) = node, !node.isNull {
            if scalar.string == "none" { return WaitPolicy.none }
            if DurationParser.nanoseconds(scalar.string) != nil {
                return duration(node, "wait", in: ScenarioLimits.pause).map { .constant($0) }
            }
            fail(
                at: node, "wait",
                "expected none, a duration, { constant: 1s } or { between: [0.5s, 1.5s] }, got '\(scalar.string)'")
            return nil
        }
        guard let fields = mapping(node, "wait", known: ["constant", "between"]) else { return nil }
        guard fields.entries.count == 1 else {
            fail(at: node, "wait", "give exactly one of constant or between")
            return nil
        }
        if let constant = fields["constant"] {
            return duration(constant, "wait.constant", in: ScenarioLimits.pause).map { .constant($0) }
        }
        let between = fields["between"]!
        guard let bounds = sequence(between, "wait.between") else { return nil }
        guard bounds.count == 2 else {
            fail(at: between, "wait.between", "expected two durations [LOW, HIGH], got \(bounds.count) values")
            return nil
        }
        guard let low = duration(bounds[0], "wait.between[0]", in: ScenarioLimits.pause),
            let high = duration(bounds[1], "wait.between[1]", in: ScenarioLimits.pause)
        else { return nil }
        guard low <= high else {
            fail(at: between, "wait.between", "the low bound \(low) is above the high bound \(high)")
            return nil
        }
        return .between(low, high)
    }

    /// `host:` as an http(s) URL without trailing slash.
    mutating func host(_ node: Node) -> String? {
        guard let text = string(node, "host") else { return nil }
        guard RequestLineParser.isAbsoluteURL(text), !text.contains("{{"), !text.contains(where: \.isWhitespace) else {
            fail(at: node, "host", "expected an http:// or https:// URL such as http://127.0.0.1:8080, got '\(text)'")
            return nil
        }
        var host = Substring(text)
        while host.hasSuffix("/") { host = host.dropLast() }
        return String(host)
    }

    /// `vars:` names in order, checked; their values are read once the names are all known.
    mutating func varNames(_ entries: [Fields.Entry]) -> [String] {
        for entry in entries {
            let name = entry.key
            let path = "vars.\(name)"
            let isIdentifier =
                name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && name.allSatisfy { $0 == "_" || $0 == "-" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            if !isIdentifier {
                fail(
                    at: entry.keyNode, path, "a var name is letters, digits, '_' and '-', starting with a letter or '_'"
                )
            } else if TemplateParser.builtins.contains(name) || name == "vars" || name == "data" {
                fail(at: entry.keyNode, path, "'\(name)' is reserved for a built-in placeholder; choose another name")
            }
        }
        return entries.map(\.key)
    }
}
