import Protocol

extension RunOverrides {
    /// What is wrong with these overrides, one sentence each (empty when they are fine): the checks
    /// behind both `loadctl run`'s flags and the daemon's `POST /v1/runs`.
    public func problems() -> [String] {
        var problems: [String] = []
        if let users, users < 0 { problems.append("overrides.users: must be 0 or more, got \(users)") }
        if let spawnRate, !(spawnRate > 0) { problems.append("overrides.spawn_rate: must be more than 0, got \(spawnRate)") }
        if let duration, DurationParser.parse(duration) == nil {
            problems.append("overrides.duration: '\(duration)' is not a duration (examples: 30s, 5m, 1h30m)")
        }
        if let host, !(host.hasPrefix("http://") || host.hasPrefix("https://")) {
            problems.append("overrides.host: must start with http:// or https://, got '\(host)'")
        }
        if let rate, !(rate > 0) { problems.append("overrides.rate: must be more than 0, got \(rate)") }
        if rate != nil && (users != nil || spawnRate != nil) {
            problems.append("overrides: give users/spawn_rate (closed model) or rate (open model), not both")
        }
        return problems
    }

    /// Applies the overrides, the same in-process (`loadctl run --users … --host …`) and on the
    /// daemon: a user count without a spawn rate starts everyone within a second unless the
    /// scenario set a rate; `rate` runs the open model, `users` the closed one.
    public func apply(to plan: inout Plan) {
        if let users {
            plan.users = users
            plan.usersGiven = true      // a warm-up before stages then runs at this count
            if spawnRate == nil && plan.spawnRate < 1 { plan.spawnRate = Double(max(1, users)) }
        }
        if let spawnRate { plan.spawnRate = spawnRate }
        if let duration { plan.duration = DurationParser.parse(duration) }
        if let host { plan.host = host.hasSuffix("/") ? String(host.dropLast()) : host }
        if let rate {
            plan.arrivalRate = rate
            plan.stages = []
        } else if users != nil && plan.isOpenModel {
            plan.arrivalRate = nil       // --users turns an open-model scenario into a closed one
            plan.stages = []
        }
    }
}
