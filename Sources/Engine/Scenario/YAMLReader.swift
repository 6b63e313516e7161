import Yams

/// Typed access to a composed YAML document that records every problem with its line, column and
/// field instead of stopping at the first, so the loader can report them all at once.
struct YAMLReader {
    let file: String
    private(set) var errors: [ScenarioError] = []

    init(file: String) {
        self.file = file
    }

    mutating func fail(at node: Node?, _ field: String, _ message: String) {
        fail(at: node?.mark, field, message)
    }

    mutating func fail(at mark: Mark?, _ field: String, _ message: String) {
        errors.append(ScenarioError(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0,
                                    field: field, message: message))
    }

    /// The entries of a mapping after reporting keys not in `known`; a null value reads as an empty mapping.
    mutating func mapping(_ node: Node, _ field: String, known: [String]) -> Fields? {
        guard let pairs = entries(of: node, field) else { return nil }
        var fields = Fields(node: node, field: field, entries: [])
        for entry in pairs where !known.contains(entry.key) {
            let hint = Suggestion.closest(to: entry.key, in: known).map { " (did you mean '\($0)'?)" }
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

    mutating func int(_ node: Node, _ field: String, atLeast minimum: Int) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int.construct(from: scalar) else {
            fail(at: node, field, "expected a whole number, got \(node.kindDescription)")
            return nil
        }
        guard value >= minimum else {
            fail(at: node, field, "must be at least \(minimum), got \(value)")
            return nil
        }
        return value
    }

    /// A finite number greater than zero.
    mutating func positiveNumber(_ node: Node, _ field: String) -> Double? {
        guard case .scalar(let scalar) = node, let value = Double.construct(from: scalar), value.isFinite else {
            fail(at: node, field, "expected a number, got \(node.kindDescription)")
            return nil
        }
        guard value > 0 else {
            fail(at: node, field, "must be greater than 0, got \(scalar.string)")
            return nil
        }
        return value
    }

    mutating func duration(_ node: Node, _ field: String, allowZero: Bool = false) -> Duration? {
        guard case .scalar(let scalar) = node, !node.isNull, let value = DurationParser.parse(scalar.string) else {
            fail(at: node, field, "expected a duration such as 500ms, 15s, 2m or 1h30m, got \(node.kindDescription)")
            return nil
        }
        guard allowZero || value > .zero else {
            fail(at: node, field, "must be longer than 0")
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
    /// A `~`, `null` or empty plain value; a quoted "null" is text.
    var isNull: Bool {
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
    mutating func templateParts(_ text: String, at node: Node, _ field: String, scope: TemplateScope,
                                encodeLiteral: (Substring) -> [UInt8] = { Array($0.utf8) }) -> [TemplatePart]? {
        let (parts, problems) = TemplateParser.parse(text, scope: scope, encodeLiteral: encodeLiteral)
        for problem in problems { fail(at: node, field, problem) }
        return problems.isEmpty ? parts : nil
    }

    /// A scalar holding a template, e.g. a var's value or a header's.
    mutating func template(_ node: Node, _ field: String, scope: TemplateScope,
                           escaping: Template.Escaping = .none) -> Template? {
        guard let text = string(node, field),
              let parts = templateParts(text, at: node, field, scope: scope) else { return nil }
        return Template(parts: parts, escaping: escaping)
    }
}
