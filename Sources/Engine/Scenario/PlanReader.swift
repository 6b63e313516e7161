import Protocol
import Yams

extension YAMLReader {
    /// The whole scenario, or `nil` when anything is wrong. Keeps reading after a problem so one run of
    /// `loadctl validate` lists everything to fix.
    mutating func plan(
        _ root: Node, defaultName: String,
        readData: (String) -> Result<String, Problem>
    ) -> Plan? {
        guard case .mapping = root else {
            fail(at: root, "", "expected a mapping of settings (name:, host:, tasks:, …) at the top level")
            return nil
        }
        guard let top = mapping(root, "", known: ScenarioLoader.topLevelKeys) else { return nil }
        let shape = loadShape(top)

        var name = defaultName
        if let node = top["name"], let text = string(node, "name") {
            if text.trimmingBlanks().isEmpty { fail(at: node, "name", "must not be empty") } else { name = text }
        }
        let host = top["host"].flatMap { self.host($0) } ?? ""
        let users = top["users"].flatMap { int($0, "users", in: ScenarioLimits.users) } ?? 1
        let spawnRate =
            top["spawn_rate"].flatMap { number($0, "spawn_rate", in: ScenarioLimits.spawnRate) } ?? Double(users)
        let duration = top["duration"].flatMap { self.duration($0, "duration", in: ScenarioLimits.duration) }
        let wait = top["wait"].flatMap { self.wait($0) } ?? WaitPolicy.none
        let timeout =
            top["timeout"].flatMap { self.duration($0, "timeout", in: ScenarioLimits.timeout) }
            ?? ScenarioLoader.defaultTimeout

        var scope = TemplateScope()
        scope.environment = environment
        let data = top["data"].flatMap { self.data($0, readData: readData) }
        if top["data"] != nil {
            scope.columns = data?.columns ?? []
            scope.dataFile = top["data"].flatMap { $0.mapping?["csv"]?.scalar?.string } ?? "the data file"
            // An unreadable CSV is already reported; its columns are unknown, not missing.
            scope.acceptsAnyColumn = data == nil
        }
        let varEntries = top["vars"].flatMap { entries(of: $0, "vars") } ?? []
        if varEntries.count > ScenarioLimits.maxVars, let node = top["vars"] {
            fail(at: node, "vars", "at most \(ScenarioLimits.maxVars) vars, got \(varEntries.count)")
        }
        // Declared names, even of vars with a broken value, so uses of them are not reported twice.
        scope.vars = varNames(varEntries)
        let vars = self.vars(varEntries, scope: scope)

        var defaults = StepDefaults(timeout: timeout, scope: scope)
        let settings = sessionSettings(top)
        defaults.session = requestSession(top, defaults: RequestSession(), scope: scope) ?? RequestSession()
        defaults.headers = top["headers"].flatMap { headers($0, "headers", scope: scope) } ?? []
        if defaults.headers.count > ScenarioLimits.maxHeaders, let node = top["headers"] {
            fail(at: node, "headers", Self.tooManyHeaders(defaults.headers.count))
            defaults.headers = []   // reported once here, not again at every step
        }

        let errorsBeforeSteps = errors.count
        var table = RequestTable()
        var onStart: [Int] = []
        if let node = top["on_start"], let items = sequence(node, "on_start") {
            onStart = steps(items, "on_start", defaults: defaults, table: &table) ?? []
            // A value on_start extracts serves every task of the user's life.
            for item in items { defaults.scope.extracted.merge(extractedNames(of: item)) { old, _ in old } }
        }
        var tasks: [TaskPlan] = []
        if let node = top["tasks"] {
            let items = sequence(node, "tasks") ?? []
            if items.isEmpty, case .sequence = node { fail(at: node, "tasks", "must list at least one task") }
            if node.isNull { fail(at: node, "tasks", "must list at least one task") }
            for (index, item) in items.enumerated() {
                // Past the cap (reported below) reading on would only cost memory.
                if table.requests.count > ScenarioLimits.maxRequests { break }
                if let task = task(item, "tasks[\(index)]", defaults: defaults, table: &table) { tasks.append(task) }
            }
        } else {
            fail(at: root, "tasks", "required: a list of requests such as '- { weight: 1, request: GET / }'")
        }
        if table.requests.count > ScenarioLimits.maxRequests {
            fail(
                at: top["tasks"] ?? root, "tasks",
                "more than \(ScenarioLimits.maxRequests) requests; a scenario may have "
                    + "at most \(ScenarioLimits.maxRequests) (the steps of tasks and on_start)")
        }
        if labels.checkRows.count > ScenarioLimits.maxCheckRows {
            fail(
                at: top["tasks"] ?? root, "tasks",
                "\(labels.checkRows.count) checks; a scenario may have at most "
                    + "\(ScenarioLimits.maxCheckRows) (each status, body_contains, json, header and max_ms of every step)"
            )
        }
        // A broken request has no endpoint yet; naming it in a threshold is not a second mistake.
        let endpointsComplete = errors.count == errorsBeforeSteps
        let slowBounds = top["report"].flatMap { self.slowBounds($0) }
        let thresholds =
            top["thresholds"].map {
                self.thresholds($0, endpoints: table.endpoints, reportUnknownEndpoints: endpointsComplete)
            } ?? []

        let transport = self.transport(top, readData: readData)

        guard errors.isEmpty else { return nil }
        var plan = Plan(
            name: name, host: host, users: users, spawnRate: spawnRate, duration: duration, wait: wait,
            requests: table.requests, tasks: tasks, onStart: onStart, vars: vars, data: data,
            endpoints: table.endpoints, thresholds: thresholds)
        plan.arrivalRate = shape.arrivalRate
        plan.maxInFlight = shape.maxInFlight
        plan.stages = shape.stages
        plan.warmup = shape.warmup
        plan.usersGiven = top["users"] != nil
        plan.labels = labels
        plan.transport = transport
        plan.session = settings ?? SessionSettings()
        if let slowBounds { plan.slowBounds = slowBounds }
        checkUniqueData(plan, modeNode: top["data"]?.mapping?["mode"])
        guard errors.isEmpty else { return nil }
        return plan
    }

    /// `data: { csv: FILE }`; CSV problems are reported at the `csv:` value with the CSV's own line.
    private mutating func data(_ node: Node, readData: (String) -> Result<String, Problem>) -> DataFeed? {
        guard let fields = mapping(node, "data", known: ["csv", "mode", "secret"]) else { return nil }
        let mode = dataMode(fields["mode"], "data.mode")
        guard let csv = fields["csv"] else {
            fail(at: node, "data.csv", "required: the CSV file to read, e.g. 'data: { csv: users.csv }'")
            return nil
        }
        guard let path = string(csv, "data.csv") else { return nil }
        switch readData(path) {
        case .failure(let problem):
            fail(at: csv, "data.csv", problem.message)
            return nil
        case .success(let text):
            let (feed, problems) = CSVParser.feed(text)
            for problem in problems { fail(at: csv, "data.csv", "\(path): \(problem)") }
            guard var feed, let mode else { return nil }
            feed.mode = mode
            if let secret = fields["secret"] {
                guard let columns = secretColumns(secret, in: feed.columns, file: path) else { return nil }
                feed.secretColumns = columns
            }
            return feed
        }
    }

    /// `vars: { name: template }`: rendered once per user, so they may use data and built-ins but not each other.
    private mutating func vars(_ entries: [Fields.Entry], scope: TemplateScope) -> [VariablePlan] {
        var varScope = scope
        varScope.allowsVars = false
        return entries.compactMap { entry in
            template(entry.value, "vars.\(entry.key)", scope: varScope).map { VariablePlan(name: entry.key, value: $0) }
        }
    }
}
