import Protocol
import Yams

extension YAMLReader {
    /// `thresholds:` items: `"p95 < 150ms"` for the total row, `"GET /x": "p95 < 100ms"` /
    /// `"GET /x": ["p95 < 100ms", "failures == 0"]` for one endpoint, or the long form
    /// `{ threshold: "p95 < 150ms", endpoint: "GET /x", abort_on_fail: true, grace: 10s }`.
    mutating func thresholds(_ node: Node, endpoints: [EndpointKey], reportUnknownEndpoints: Bool = true) -> [Threshold]
    {
        guard let items = sequence(node, "thresholds") else { return [] }
        var result: [Threshold] = []
        for (index, item) in items.enumerated() {
            let path = "thresholds[\(index)]"
            if case .mapping(let mapping) = item, mapping.keys.contains(where: { $0.string == "threshold" }) {
                result += longForm(item, path, endpoints: endpoints, reportUnknownEndpoints: reportUnknownEndpoints)
            } else if case .mapping(let mapping) = item {
                guard mapping.count == 1, let (keyNode, value) = mapping.first.map({ ($0.key, $0.value) }) else {
                    fail(
                        at: item, path,
                        "an endpoint threshold is one 'ENDPOINT: EXPRESSION' pair; write one item per endpoint")
                    continue
                }
                guard let keyText = string(keyNode, path) else { continue }
                let itemPath = "\(path)[\"\(keyText)\"]"
                // An unknown endpoint still gets its expressions checked, so a typo there is found now too.
                var endpoint: EndpointKey?
                switch Self.resolveEndpoint(keyText, in: endpoints) {
                case .success(let key): endpoint = key
                case .failure(let problem):
                    if reportUnknownEndpoints { fail(at: keyNode, itemPath, problem.message) }
                }
                if case .sequence(let expressions) = value {
                    for (position, expression) in expressions.enumerated() {
                        result += threshold(expression, "\(itemPath)[\(position)]", endpoint: endpoint)
                    }
                } else {
                    result += threshold(value, itemPath, endpoint: endpoint)
                }
            } else {
                result += threshold(item, path, endpoint: nil)
            }
        }
        return result
    }

    private mutating func longForm(
        _ item: Node, _ path: String, endpoints: [EndpointKey],
        reportUnknownEndpoints: Bool
    ) -> [Threshold] {
        guard let fields = mapping(item, path, known: ["threshold", "endpoint", "abort_on_fail", "grace"]),
            let expression = fields["threshold"]
        else { return [] }
        var endpoint: EndpointKey?
        if let node = fields["endpoint"], let text = string(node, "\(path).endpoint") {
            switch Self.resolveEndpoint(text, in: endpoints) {
            case .success(let key): endpoint = key
            case .failure(let problem):
                if reportUnknownEndpoints { fail(at: node, "\(path).endpoint", problem.message) }
            }
        }
        var abortOnFail = false
        if let node = fields["abort_on_fail"] {
            if case .scalar(let scalar) = node, let flag = Bool.construct(from: scalar) {
                abortOnFail = flag
            } else {
                fail(at: node, "\(path).abort_on_fail", "expected true or false, got \(node.kindDescription)")
            }
        }
        let grace = fields["grace"].flatMap { duration($0, "\(path).grace", in: ScenarioLimits.pause) } ?? .zero
        if fields["grace"] != nil && !abortOnFail {
            fail(at: fields.keyNode("grace"), "\(path).grace", "grace only applies with abort_on_fail: true")
        }
        return threshold(expression, "\(path).threshold", endpoint: endpoint).map { parsed in
            var threshold = parsed
            threshold.abortOnFail = abortOnFail
            threshold.grace = grace
            return threshold
        }
    }

    private mutating func threshold(_ node: Node, _ field: String, endpoint: EndpointKey?) -> [Threshold] {
        guard let text = scalarText(node, field, expected: "a threshold such as 'p95 < 150ms'") else { return [] }
        do {
            return [try ThresholdParser.parse(text, endpoint: endpoint)]
        } catch {
            fail(at: node, field, error.message)
            return []
        }
    }

    /// `"METHOD NAME"`, or `NAME` alone when exactly one endpoint has that name.
    static func resolveEndpoint(_ text: String, in endpoints: [EndpointKey]) -> Result<EndpointKey, Problem> {
        let text = text.trimmingBlanks()
        if let exact = endpoints.first(where: { $0.description == text }) {
            return .success(exact)
        }
        let byName = endpoints.filter { $0.name == text }
        if byName.count == 1 { return .success(byName[0]) }
        if byName.count > 1 {
            let listed = byName.map { "'\($0)'" }.joined(separator: ", ")
            return .failure(Problem("'\(text)' names several endpoints (\(listed)); write 'METHOD NAME'"))
        }
        // A lower-case method is still the same endpoint.
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2,
            let key = endpoints.first(where: { $0.method == words[0].uppercased() && $0.name == words[1] })
        {
            return .success(key)
        }
        let names = endpoints.map(\.description)
        let hint =
            Suggestion.closest(to: text, in: names).map { " (did you mean '\($0)'?)" }
            ?? "; endpoints are \(names.map { "'\($0)'" }.joined(separator: ", "))"
        return .failure(Problem("no request matches endpoint '\(text)'\(hint)"))
    }
}
