// Yams has no event API; its libyaml is the `CYaml` module it is built on (see `AliasBudget` for why
// events are needed here).
import CYaml

/// Measures what a document's aliases (`*name`, also under a merge key `<<: *name`) add when expanded,
/// before Yams composes it. It has to be before: compose puts a copy of the anchored node everywhere it
/// is aliased and hashes mapping keys deeply for its duplicate-key check, so a 400-byte "billion laughs"
/// costs exponential time inside compose, and again in every walk of the tree after it. libyaml's events
/// give each anchored node's expanded size in one linear pass: a node's size is 1 plus its children's,
/// an alias's is its anchor's, and the sum over all aliases is exactly what expansion adds.
enum AliasBudget {
    /// Where the budget ran out: the alias's place (1-based, like Yams's marks) and its field path.
    struct Excess: Equatable {
        var line: Int
        var column: Int
        var field: String
        var message: String
    }

    /// Nodes and scalar bytes, saturating so counting itself can never trap.
    private struct Size {
        var nodes = 0
        var bytes = 0

        mutating func add(_ other: Size) {
            nodes = nodes.addingSaturated(other.nodes)
            bytes = bytes.addingSaturated(other.bytes)
        }
    }

    /// An open sequence or mapping, with enough to name the path of its current child.
    private struct Frame {
        var anchor: String?
        var size = Size(nodes: 1, bytes: 0)
        var isMapping: Bool
        var expectingKey = true
        var key = ""
        var index = 0
    }

    /// The first alias that takes the expansion past `maxNodes` nodes or `maxBytes` bytes, or `nil`.
    /// A document libyaml cannot parse returns `nil` here: Yams then reports the syntax error with its place.
    /// Nesting deeper than `maxDepth` is refused here too, before anything walks the tree recursively.
    static func excess(
        in yaml: String, maxNodes: Int = ScenarioLimits.maxAliasNodes,
        maxBytes: Int = ScenarioLimits.maxAliasBytes, maxDepth: Int = ScenarioLimits.maxNesting
    ) -> Excess? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(yaml.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Excess? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var stack: [Frame] = []
            var anchors: [String: Size] = [:]
            var added = Size()
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let size = Size(nodes: 1, bytes: scalar.length)
                    if let anchor = string(scalar.anchor) { anchors[anchor] = size }
                    // Only a mapping key's text is kept, to name the path.
                    let isKey = stack.last.map { $0.isMapping && $0.expectingKey } ?? false
                    let text =
                        isKey
                        ? scalar.value.map {
                            String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
                        } : nil
                    complete(size, keyText: text, in: &stack)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    guard stack.count < maxDepth else {
                        return Excess(
                            line: event.start_mark.line + 1, column: event.start_mark.column + 1, field: path(stack),
                            message: "lists and mappings are nested more than \(maxDepth) levels deep")
                    }
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                    stack.append(Frame(anchor: string(anchor), isMapping: isMapping))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let frame = stack.popLast() else { return nil }
                    if let anchor = frame.anchor { anchors[anchor] = frame.size }
                    complete(frame.size, keyText: nil, in: &stack)
                case YAML_ALIAS_EVENT:
                    // An undefined alias adds nothing here; compose reports it.
                    let size = string(event.data.alias.anchor).flatMap { anchors[$0] } ?? Size()
                    added.add(size)
                    if added.nodes > maxNodes || added.bytes > maxBytes {
                        let what = added.nodes > maxNodes ? "\(maxNodes) nodes" : "\(maxBytes) bytes"
                        return Excess(
                            line: event.start_mark.line + 1, column: event.start_mark.column + 1,
                            field: path(stack),
                            message: "YAML aliases expand to more than \(what) (an alias bomb?); "
                                + "write the values out or use fewer aliases")
                    }
                    complete(size, keyText: nil, in: &stack)
                default:
                    break   // stream and document start/end
                }
            }
            return nil
        }
    }

    /// A child node of the innermost open collection is complete: count it and move to the next child.
    private static func complete(_ size: Size, keyText: String?, in stack: inout [Frame]) {
        guard !stack.isEmpty else { return }
        stack.withUnsafeMutableBufferPointer { frames in
            let top = frames.count - 1
            frames[top].size.add(size)
            if frames[top].isMapping {
                if frames[top].expectingKey { frames[top].key = keyText ?? "?" }
                frames[top].expectingKey.toggle()
            } else {
                frames[top].index += 1
            }
        }
    }

    /// `tasks[0].json.items`, as the loader names fields.
    private static func path(_ stack: [Frame]) -> String {
        var path = ""
        for frame in stack {
            if frame.isMapping {
                guard !frame.expectingKey else { break }
                path += path.isEmpty ? frame.key : ".\(frame.key)"
            } else {
                path += "[\(frame.index)]"
            }
        }
        return path
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

extension Int {
    /// `self + other`, or `Int.max` when that would overflow (both are counts, never negative).
    func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
