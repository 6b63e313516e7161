import Protocol
import Yams

/// A check read from a step's `check:` before its request has a stats row (the table row comes after).
struct PendingCheck {
    var kind: ResponseCheck.Kind
    var label: String
}

extension YAMLReader {
    static let checkKeys = ["status", "body_contains", "json", "header", "max_ms"]
    static let extractSourceKeys = ["json", "header", "regex"]

    /// The `json:`, `header:` and `max_ms:` entries of `check:` (its `status`/`body_contains` are `check(_:_:)`'s).
    mutating func responseChecks(_ node: Node, _ field: String) -> [PendingCheck]? {
        // `check(_:_:)` has reported the mapping's own problems (unknown keys, not a mapping) already.
        guard case .mapping(let raw) = node else { return [] }
        var fields = Fields(node: node, field: field, entries: [])
        for (key, value) in raw {
            if case .scalar(let scalar) = key, Self.checkKeys.contains(scalar.string) {
                fields.entries.append(Fields.Entry(key: scalar.string, keyNode: key, value: value))
            }
        }
        var checks: [PendingCheck] = []
        var valid = true
        if let json = fields["json"], let entries = entries(of: json, fields.path("json")) {
            if entries.count > ScenarioLimits.maxExtracts {
                fail(
                    at: json, fields.path("json"),
                    "at most \(ScenarioLimits.maxExtracts) JSON checks per step, got \(entries.count)")
                valid = false
            }
            for entry in entries {
                let path = fields.path("json") + ".\(entry.key)"
                switch JSONPath.parse(entry.key) {
                case .failure(let problem):
                    fail(at: entry.keyNode, path, problem.message)
                    valid = false
                case .success(let jsonPath):
                    guard
                        let expected = scalarText(
                            entry.value, path, expected: "the value expected there, e.g. \"ok\" or 200")
                    else {
                        valid = false
                        continue
                    }
                    guard expected.utf8.count <= ScenarioLimits.maxCheckTextBytes else {
                        fail(at: entry.value, path, "at most \(ScenarioLimits.maxCheckTextBytes) bytes")
                        valid = false
                        continue
                    }
                    checks.append(
                        PendingCheck(
                            kind: .jsonEquals(jsonPath, Array(expected.utf8)),
                            label: "\(entry.key) == \"\(expected)\""))
                }
            }
        } else if fields["json"] != nil {
            valid = false
        }
        if let header = fields["header"], let entries = entries(of: header, fields.path("header")) {
            for entry in entries {
                let path = fields.path("header") + ".\(entry.key)"
                guard Self.isHeaderName(entry.key) else {
                    fail(at: entry.keyNode, path, "'\(entry.key)' is not a valid header name")
                    valid = false
                    continue
                }
                guard let text = scalarText(entry.value, path, expected: "text the header must contain"),
                    text.utf8.count <= ScenarioLimits.maxCheckTextBytes
                else {
                    if case .scalar = entry.value {
                        fail(at: entry.value, path, "at most \(ScenarioLimits.maxCheckTextBytes) bytes")
                    }
                    valid = false
                    continue
                }
                checks.append(
                    PendingCheck(
                        kind: .headerContains(entry.key, Array(text.utf8)),
                        label: "header \(entry.key) contains \"\(text)\""))
            }
        } else if fields["header"] != nil {
            valid = false
        }
        if let node = fields["max_ms"] {
            if let millis = int(node, fields.path("max_ms"), in: ScenarioLimits.maxMillis) {
                checks.append(PendingCheck(kind: .maxMillis(millis), label: "max_ms \(millis)"))
            } else {
                valid = false
            }
        }
        return valid ? checks : nil
    }

    /// `extract: { NAME: { json: PATH } | { header: NAME } | { regex: PATTERN } }`, in file order.
    mutating func extractions(
        _ node: Node, _ field: String, scope: TemplateScope
    ) -> [(name: String, source: ResponseSource)]? {
        guard let entries = entries(of: node, field) else { return nil }
        if entries.count > ScenarioLimits.maxExtracts {
            fail(at: node, field, "at most \(ScenarioLimits.maxExtracts) values per step, got \(entries.count)")
            return nil
        }
        var result: [(name: String, source: ResponseSource)] = []
        var valid = true
        for entry in entries {
            let path = "\(field).\(entry.key)"
            if let problem = Self.extractNameProblem(entry.key, scope: scope) {
                fail(at: entry.keyNode, path, problem)
                valid = false
            }
            guard let source = extractSource(entry.value, path) else {
                valid = false
                continue
            }
            result.append((entry.key, source))
        }
        return valid ? result : nil
    }

    private static func extractNameProblem(_ name: String, scope: TemplateScope) -> String? {
        if !VarName.isValid(name) {
            return "'\(name)' cannot be a name: use letters, digits and _, not starting with a digit"
        }
        if TemplateParser.builtins.contains(name) || ["env", "data", "vars"].contains(name) {
            return "'\(name)' is a built-in name; choose another"
        }
        if scope.vars.contains(name) {
            return "'\(name)' is already a var; choose another name for the extracted value"
        }
        return nil
    }

    private mutating func extractSource(_ node: Node, _ field: String) -> ResponseSource? {
        guard let fields = mapping(node, field, known: Self.extractSourceKeys) else { return nil }
        guard fields.entries.count == 1, let entry = fields.entries.first else {
            // Only unknown keys: already reported, with a suggestion.
            if fields.entries.isEmpty, case .mapping(let raw) = node, !raw.isEmpty { return nil }
            fail(
                at: node, field,
                fields.entries.isEmpty
                    ? "say where the value is: { json: \"$.token\" }, { header: Location } or { regex: 'id=(\\d+)' }"
                    : "exactly one of json, header or regex")
            return nil
        }
        let path = fields.path(entry.key)
        guard let text = string(entry.value, path) else { return nil }
        switch entry.key {
        case "json":
            switch JSONPath.parse(text) {
            case .success(let jsonPath): return .json(jsonPath)
            case .failure(let problem): fail(at: entry.value, path, problem.message)
            }
        case "header":
            guard Self.isHeaderName(text) else {
                fail(at: entry.value, path, "'\(text)' is not a valid header name")
                return nil
            }
            return .header(text)
        default:
            guard text.utf8.count <= ScenarioLimits.maxRegexBytes else {
                fail(at: entry.value, path, "a regular expression may be at most \(ScenarioLimits.maxRegexBytes) bytes")
                return nil
            }
            switch ResponseRegex.compile(text) {
            case .success(let regex): return .regex(regex)
            case .failure(let problem): fail(at: entry.value, path, problem.message)
            }
        }
        return nil
    }

    /// The names a step's `extract:` defines (valid ones), with their slots, without reporting anything:
    /// later steps may use them even when the step itself is broken, so one mistake is reported once.
    mutating func extractedNames(of item: Node) -> [String: Int] {
        guard case .mapping(let step) = item, let extract = step["extract"], case .mapping(let entries) = extract else {
            return [:]
        }
        var names: [String: Int] = [:]
        for (key, _) in entries {
            guard case .scalar(let scalar) = key, VarName.isValid(scalar.string) else { continue }
            names[scalar.string] = extractSlot(scalar.string)
        }
        return names
    }

    /// The slot of an extracted name: steps extracting the same name fill the same value.
    mutating func extractSlot(_ name: String) -> Int {
        if let slot = extractSlots[name] { return slot }
        extractSlots[name] = extractSlots.count
        labels.extractSlots = extractSlots.count
        return extractSlots.count - 1
    }

    /// The checks table rows and extraction ids for one step now that its stats row is known.
    mutating func responseRules(
        endpoint: EndpointKey, check: Check, pending: [PendingCheck],
        extracts: [(name: String, source: ResponseSource)], explicitStatus: Bool
    ) -> ResponseRules {
        var rules = ResponseRules()
        if explicitStatus, case .oneOf(let codes) = check.status {
            rules.statusRow = checkRow(endpoint, "status \(codes.map(String.init).joined(separator: ", "))")
        }
        if let needle = check.bodyContains {
            rules.bodyRow = checkRow(endpoint, "body contains \"\(String(decoding: needle, as: UTF8.self))\"")
        }
        rules.checks = pending.map { ResponseCheck(kind: $0.kind, row: checkRow(endpoint, $0.label)) }
        rules.extract = extracts.map { extract in
            labels.extracts.append((extract.name, extract.source.label))
            return ExtractRule(
                name: extract.name, slot: extractSlot(extract.name), id: labels.extracts.count - 1,
                source: extract.source)
        }
        return rules
    }

    private mutating func checkRow(_ endpoint: EndpointKey, _ text: String) -> Int {
        // A fleet's frames carry a label in at most 4096 bytes: a long body_contains is shortened.
        let label = text.count > 200 ? String(text.prefix(200)) + "…" : text
        let row = CheckRow(endpoint: endpoint, check: label)
        if let index = labels.checkRows.firstIndex(of: row) { return index }
        labels.checkRows.append(row)
        return labels.checkRows.count - 1
    }
}
