import Protocol
import Yams

extension YAMLReader {
    static let stepKeys =
        ["request", "name", "headers", "form", "json", "body", "content_type", "check", "timeout", "extract"]
        + sessionStepKeys
    static let taskKeys = ["weight", "steps"] + stepKeys

    /// One `tasks:` item: `{ weight, request, …step fields }` or `{ weight, steps: [...] }`.
    mutating func task(_ node: Node, _ field: String, defaults: StepDefaults, table: inout RequestTable) -> TaskPlan? {
        guard let fields = mapping(node, field, known: Self.taskKeys) else { return nil }
        var weight: Int? = 1
        if let value = fields["weight"] { weight = int(value, fields.path("weight"), in: ScenarioLimits.weight) }
        var steps: [Int]?
        if let list = fields["steps"] {
            for key in Self.stepKeys where fields[key] != nil {
                fail(
                    at: fields.keyNode(key), fields.path(key),
                    "a task has either 'steps' or the fields of one step, not both")
            }
            if let items = sequence(list, fields.path("steps")) {
                if items.isEmpty { fail(at: list, fields.path("steps"), "must list at least one step") }
                steps = self.steps(items, fields.path("steps"), defaults: defaults, table: &table)
            }
        } else {
            steps = step(fields, defaults: defaults, table: &table).map { [$0] }
        }
        guard let weight, let steps, !steps.isEmpty else { return nil }
        return TaskPlan(weight: weight, steps: steps)
    }

    /// A list of steps (`on_start:` or a task's `steps:`); `nil` if any of them is invalid.
    mutating func steps(_ items: [Node], _ field: String, defaults: StepDefaults, table: inout RequestTable) -> [Int]? {
        var indices: [Int] = []
        var valid = true
        var defaults = defaults
        for (index, item) in items.enumerated() {
            let path = "\(field)[\(index)]"
            if let fields = mapping(item, path, known: Self.stepKeys),
                let request = step(fields, defaults: defaults, table: &table)
            {
                indices.append(request)
            } else {
                valid = false
            }
            // What this step extracts, the steps after it may use.
            defaults.scope.extracted.merge(extractedNames(of: item)) { old, _ in old }
        }
        return valid ? indices : nil
    }

    /// One request; returns its index in `table`, or `nil` after recording its problems.
    private mutating func step(_ fields: Fields, defaults: StepDefaults, table: inout RequestTable) -> Int? {
        let scope = defaults.scope
        guard let requestNode = fields["request"] else {
            fail(at: fields.node, fields.path("request"), "required, e.g. 'request: GET /items'")
            return nil
        }
        var line: RequestLine?
        var target: [TemplatePart]?
        if let text = string(requestNode, fields.path("request")) {
            switch RequestLineParser.parse(text) {
            case .success(let parsed):
                line = parsed
                target = templateParts(parsed.target, at: requestNode, fields.path("request"), scope: scope)
            case .failure(let problem):
                fail(at: requestNode, fields.path("request"), problem.message)
            }
        }
        var name = line?.target
        if let node = fields["name"], let text = string(node, fields.path("name")) {
            if text.trimmingBlanks().isEmpty {
                fail(at: node, fields.path("name"), "must not be empty")
            } else {
                name = text
            }
        }
        let timeout =
            fields["timeout"].map { duration($0, fields.path("timeout"), in: ScenarioLimits.timeout) }
            ?? defaults.timeout
        let check = fields["check"].map { self.check($0, fields.path("check")) } ?? .default
        let stepHeaders = fields["headers"].map { headers($0, fields.path("headers"), scope: scope) } ?? []
        let body = self.body(fields, scope: scope)
        let session = requestSession(fields, defaults: defaults.session, scope: scope)
        let pendingChecks = fields["check"].map { responseChecks($0, fields.path("check")) } ?? []
        let extracts = fields["extract"].map { extractions($0, fields.path("extract"), scope: scope) } ?? []
        guard let line, let target, let name, let timeout, let check, let stepHeaders, let body, let session,
            let pendingChecks, let extracts
        else { return nil }

        // Checked before merging, which compares every step header with every default one.
        let headerCount = defaults.headers.count + stepHeaders.count
        guard headerCount <= ScenarioLimits.maxHeaders else {
            fail(at: fields["headers"] ?? requestNode, fields.path("headers"), Self.tooManyHeaders(headerCount))
            return nil
        }
        var merged = Self.merge(defaults: defaults.headers, step: stepHeaders)
        if let contentType = body.contentType, !merged.contains(where: { $0.name.lowercased() == "content-type" }) {
            merged.append(("Content-Type", Template(literal: "Content-Type: \(contentType)")))
        }
        let key = EndpointKey(method: line.method, name: name)
        let explicitStatus = fields["check"]?.mapping?["status"] != nil
        let rules = responseRules(
            endpoint: key, check: check, pending: pendingChecks, extracts: extracts,
            explicitStatus: explicitStatus)
        return table.add(key) { endpoint in
            var request = RequestPlan(
                endpoint: endpoint, method: line.method, target: Template(parts: target),
                targetIsAbsolute: line.isAbsolute, headers: merged.map(\.line), body: body.template,
                check: check, timeout: timeout)
            request.session = session
            request.rules = rules
            return request
        }
    }

    static func tooManyHeaders(_ count: Int) -> String {
        "at most \(ScenarioLimits.maxHeaders) headers per request (the scenario's headers: included), got \(count)"
    }

    /// Default headers first; a step header with the same name (in any case) takes the default's place.
    static func merge(
        defaults: [(name: String, line: Template)],
        step: [(name: String, line: Template)]
    ) -> [(name: String, line: Template)] {
        var merged = defaults
        for header in step {
            if let index = merged.firstIndex(where: { $0.name.lowercased() == header.name.lowercased() }) {
                merged[index] = header
            } else {
                merged.append(header)
            }
        }
        return merged
    }
}
