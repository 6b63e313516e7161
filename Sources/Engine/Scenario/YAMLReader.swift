import Yams

/// Typed access to a composed YAML document that records every problem with its line, column and
/// field instead of stopping at the first, so the loader can report them all at once.
struct YAMLReader {
    let file: String
    private(set) var errors: [ScenarioError] = []
    /// What `{{env.NAME}}` reads (see `TemplateScope.environment`).
    var environment: [String: String] = [:]
    /// Checks table rows and extraction names found so far (`StepReader+Response.swift`).
    var labels = ResponseLabels()
    var extractSlots: [String: Int] = [:]

    init(file: String) {
        self.file = file
    }

    mutating func fail(at node: Node?, _ field: String, _ message: String) {
        fail(at: node?.mark, field, message)
    }

    mutating func fail(at mark: Mark?, _ field: String, _ message: String) {
        errors.append(
            ScenarioError(
                file: file, line: mark?.line ?? 0, column: mark?.column ?? 0,
                field: field, message: message))
    }

    /// The entries of a mapping after reporting keys not in `known`; a null value reads as an empty mapping.
    mutating func mapping(_ node: Node, _ field: String, known: [String]) -> Fields? {
        guard let pairs = entries(of: node, field) else { return nil }
        var fields = Fields(node: node, field: field, entries: [])
        for entry in pairs where !known.contains(entry.key) {
            let hint =
                Suggestion.closest(to: entry.key, in: known).map { " (did you mean '\($0)'?)" }
                ?? "; expected one of: \(known.joined(separator: ", "))"
            fail(at: entry.keyNode, fields.path(entry.key), "unknown key '\(entry.key)'\(hint)")
        }
        fields.entries = pairs.filter { known.contains($0.key) }
        return fields
    }

    /// The entries of a mapping whose keys are free-form names (headers, vars, form fields).
    mutating func entries(of node: Node, _ field: String) -> [Fields.Entry]? {
        if node.isNull { return [] }
        guard case .mapping(let mapping) = node else {
            fail(at: node, field, "expected a mapping (key: value), got \(node.kindDescription)")
            return nil
        }
        var result: [Fields.Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                fail(at: key, field, "keys must be plain text, got \(key.kindDescription)")
                continue
            }
            result.append(Fields.Entry(key: scalar.string, keyNode: key, value: value))
        }
        return result
    }

    /// The items of a list; a null value reads as an empty list.
    mutating func sequence(_ node: Node, _ field: String) -> [Node]? {
        if node.isNull { return [] }
        guard case .sequence(let sequence) = node else {
            fail(at: node, field, "expected a list, got \(node.kindDescription)")
            return nil
        }
        return Array(sequence)
    }

    /// A scalar's text; numbers and booleans read as written.
    mutating func string(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            fail(at: node, field, "expected text, got \(node.kindDescription)")
            return nil
        }
        return scalar.string
    }

    /// A whole number inside `range`; a number too large for 64 bits is "out of range", not "not a number".
    /// `outOfRange` replaces "must be at least/at most …" when the range has a name of its own.
    mutating func int(_ node: Node, _ field: String, in range: ClosedRange<Int>, outOfRange: String? = nil) -> Int? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            fail(at: node, field, "expected a whole number, got \(node.kindDescription)")
            return nil
        }
        guard let value = Int.construct(from: scalar) else {
            if Self.isWholeNumberText(scalar.string) {
                let negative = scalar.string.hasPrefix("-")
                fail(
                    at: node, field,
                    outOfRange.map { "\($0), got \(scalar.string)" }
                        ?? (negative
                            ? "must be at least \(range.lowerBound), got \(scalar.string)"
                            : "must be at most \(range.upperBound), got \(scalar.string)"))
            } else {
                fail(at: node, field, "expected a whole number, got \(node.kindDescription)")
            }
            return nil
        }
        guard value >= range.lowerBound else {
            fail(
                at: node, field,
                outOfRange.map { "\($0), got \(value)" } ?? "must be at least \(range.lowerBound), got \(value)")
            return nil
        }
        guard value <= range.upperBound else {
            fail(
                at: node, field,
                outOfRange.map { "\($0), got \(value)" } ?? "must be at most \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    /// Digits with an optional sign and `_` separators: a whole number, however large.
    static func isWholeNumberText(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0 == "_" || ($0.isASCII && $0.isNumber) }
            && digits.contains { $0 != "_" }
    }

    /// A finite number inside `range`.
    mutating func number(_ node: Node, _ field: String, in range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let scalar) = node, let value = Double.construct(from: scalar), value.isFinite else {
            fail(at: node, field, "expected a number, got \(node.kindDescription)")
            return nil
        }
        guard value >= range.lowerBound else {
            fail(at: node, field, "must be at least \(NumberFormat.plain(range.lowerBound)), got \(scalar.string)")
            return nil
        }
        guard value <= range.upperBound else {
            fail(at: node, field, "must be at most \(NumberFormat.plain(range.upperBound)), got \(scalar.string)")
            return nil
        }
        return value
    }

    /// A duration inside `range` (see `ScenarioLimits`); a zero lower bound allows `0s`.
    mutating func duration(_ node: Node, _ field: String, in range: ClosedRange<Duration>) -> Duration? {
        guard case .scalar(let scalar) = node, !node.isNull,
            let nanoseconds = DurationParser.nanoseconds(scalar.string)
        else {
            fail(at: node, field, "expected a duration such as 500ms, 15s, 2m or 1h30m, got \(node.kindDescription)")
            return nil
        }
        let upper = range.upperBound
        guard nanoseconds <= Double(upper.components.seconds) * 1e9, let value = DurationParser.parse(scalar.string),
            value <= upper
        else {
            fail(at: node, field, "must be at most \(DurationFormat.short(upper)) (30 days), got \(scalar.string)")
            return nil
        }
        guard value >= range.lowerBound else {
            fail(
                at: node, field,
                range.lowerBound == .nanoseconds(1)
                    ? "must be longer than 0"
                    : "must be at least \(DurationFormat.short(range.lowerBound)), got \(scalar.string)")
            return nil
        }
        return value
    }
}

/// A mapping's known entries in document order, with the nodes needed to locate errors.
struct Fields {
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    let node: Node
    /// Path of the mapping itself; empty at the top level.
    let field: String
    var entries: [Entry]

    subscript(key: String) -> Node? {
        entries.first { $0.key == key }?.value
    }

    func keyNode(_ key: String) -> Node? {
        entries.first { $0.key == key }?.keyNode
    }

    /// Dotted path of one entry, e.g. `tasks[2].weight`.
    func path(_ key: String) -> String {
        field.isEmpty ? key : "\(field).\(key)"
    }
}

extension Node {
    /// A `~`, `null` or empty plain value; a quoted "null" is text. The one null test of every YAML
    /// loadd reads (scenarios and `loadd.yaml`).
    public var isNull: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.style == .plain && tag.description == Tag.Name.null.rawValue
    }

    /// What the user wrote, for "expected X, got Y" messages.
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar): return isNull ? "nothing" : "'\(scalar.string)'"
        }
    }
}

extension YAMLReader {
    /// `text` (found at `node`) split into template parts; each problem is recorded at the node's line.
    mutating func templateParts(
        _ text: String, at node: Node, _ field: String, scope: TemplateScope,
        encodeLiteral: (Substring) -> [UInt8] = { Array($0.utf8) }
    ) -> [TemplatePart]? {
        let (parts, problems) = TemplateParser.parse(text, scope: scope, encodeLiteral: encodeLiteral)
        for problem in problems { fail(at: node, field, problem) }
        return problems.isEmpty ? parts : nil
    }

    /// A scalar holding a template, e.g. a var's value or a header's.
    mutating func template(
        _ node: Node, _ field: String, scope: TemplateScope,
        escaping: Template.Escaping = .none
    ) -> Template? {
        guard let text = string(node, field),
            let parts = templateParts(text, at: node, field, scope: scope)
        else { return nil }
        return Template(parts: parts, escaping: escaping)
    }
}
