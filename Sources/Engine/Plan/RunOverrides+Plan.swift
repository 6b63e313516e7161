import Protocol

extension RunOverrides {
    /// What is wrong with these overrides, one sentence each (empty when they are fine): the checks
    /// behind both `loadctl run`'s flags and the daemon's `POST /v1/runs`.
    public func problems() -> [String] {
        var problems: [String] = []
        if let users, !ScenarioLimits.users.contains(users) {
            problems.append("overrides.users: must be \(Self.describe(ScenarioLimits.users)), got \(users)")
        }
        if let spawnRate, !ScenarioLimits.spawnRate.contains(spawnRate) {
            problems.append(
                "overrides.spawn_rate: must be \(Self.describe(ScenarioLimits.spawnRate)) per second, got \(spawnRate)")
        }
        if let duration, let problem = Self.durationProblem(duration) {
            problems.append("overrides.duration: \(problem)")
        }
        if let host, !(host.hasPrefix("http://") || host.hasPrefix("https://")) {
            problems.append("overrides.host: must start with http:// or https://, got '\(host)'")
        }
        if let rate, !ScenarioLimits.rate.contains(rate) {
            problems.append("overrides.rate: must be \(Self.describe(ScenarioLimits.rate)) per second, got \(rate)")
        }
        if rate != nil && (users != nil || spawnRate != nil) {
            problems.append("overrides: give users/spawn_rate (closed model) or rate (open model), not both")
        }
        return problems
    }

    /// Why `text` is not a run duration within `ScenarioLimits.duration`, or `nil` when it is one.
    private static func durationProblem(_ text: String) -> String? {
        guard let nanoseconds = DurationParser.nanoseconds(text) else {
            return "'\(text)' is not a duration (examples: 30s, 5m, 1h30m)"
        }
        if nanoseconds == 0 { return "must be longer than 0" }
        let limit = ScenarioLimits.duration.upperBound
        guard let duration = DurationParser.parse(text), duration <= limit else {
            return "must be at most \(DurationFormat.short(limit)) (30 days), got '\(text)'"
        }
        return nil
    }

    /// `1…1000000` (NaN is never inside).
    private static func describe<Bound: Comparable>(_ range: ClosedRange<Bound>) -> String {
        func plain(_ bound: Bound) -> String { (bound as? Double).map(NumberFormat.plain) ?? "\(bound)" }
        return "\(plain(range.lowerBound))…\(plain(range.upperBound))"
    }
}
