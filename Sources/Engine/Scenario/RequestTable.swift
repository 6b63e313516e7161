import Protocol

/// The requests and stats rows found so far, numbered in first-use order as the plan needs them.
struct RequestTable {
    private(set) var requests: [RequestPlan] = []
    private(set) var endpoints: [EndpointKey] = []
    /// `endpoints` by key, so adding stays O(1) however many there are.
    private var rows: [EndpointKey: Int] = [:]

    /// Adds a request counted under `key` and returns its index; requests sharing a key share a row.
    mutating func add(_ key: EndpointKey, _ build: (_ endpoint: Int) -> RequestPlan) -> Int {
        let endpoint =
            rows[key]
            ?? {
                endpoints.append(key)
                rows[key] = endpoints.count - 1
                return endpoints.count - 1
            }()
        requests.append(build(endpoint))
        return requests.count - 1
    }
}

/// What every step inherits from the top level of the scenario.
struct StepDefaults {
    /// `headers:` in file order, each already rendered as a `Name: value` template.
    var headers: [(name: String, line: Template)] = []
    var timeout: Duration = ScenarioLoader.defaultTimeout
    var scope = TemplateScope()
    /// `follow_redirects:` and `auth:` from the top level.
    var session = RequestSession()
}
