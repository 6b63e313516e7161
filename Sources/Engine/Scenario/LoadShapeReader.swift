import Yams

/// The keys that choose and shape the load: `rate`, `max_in_flight`, `stages`, `warmup`.
struct LoadShape {
    var arrivalRate: Double?
    var maxInFlight = Plan.defaultMaxInFlight
    var stages: [Stage] = []
    var warmup: Duration?
}

extension YAMLReader {
    /// Reads the load-shape keys of the top-level mapping and checks they fit together with
    /// `users`, `spawn_rate` and `wait`.
    mutating func loadShape(_ top: Fields) -> LoadShape {
        var shape = LoadShape()
        if let node = top["rate"] { shape.arrivalRate = rate(node, "rate", allowZero: false) }
        var stagesAreRates = false
        if let node = top["stages"], let items = sequence(node, "stages") {
            if items.isEmpty {
                fail(at: node, "stages", "must list at least one stage, e.g. '- { duration: 1m, target: 100 }'")
            }
            if items.count > ScenarioLimits.maxStages {
                fail(at: node, "stages", "at most \(ScenarioLimits.maxStages) stages, got \(items.count)")
            }
            for (index, item) in items.enumerated().prefix(ScenarioLimits.maxStages) {
                let path = "stages[\(index)]"
                guard let fields = mapping(item, path, known: ["duration", "target"]) else { continue }
                guard let durationNode = fields["duration"], let targetNode = fields["target"] else {
                    fail(at: item, path, "a stage needs both duration and target, e.g. { duration: 1m, target: 100 }")
                    continue
                }
                let isRate = Self.isRateText(targetNode)
                stagesAreRates = stagesAreRates || isRate
                let target =
                    isRate || shape.arrivalRate != nil
                    ? rate(targetNode, "\(path).target", allowZero: true)
                    : int(targetNode, "\(path).target", in: ScenarioLimits.stageUsers).map(Double.init)
                if let duration = duration(durationNode, "\(path).duration", in: ScenarioLimits.duration), let target {
                    shape.stages.append(Stage(duration: duration, target: target))
                }
            }
        }
        let total = shape.stages.reduce(Duration.zero) { $0 + $1.duration }
        if total > ScenarioLimits.maxDuration, let node = top["stages"] {
            fail(
                at: node, "stages",
                "the stages last \(DurationFormat.short(total)) in total; "
                    + "at most \(DurationFormat.short(ScenarioLimits.maxDuration)) (30 days)")
        }
        if stagesAreRates && shape.arrivalRate == nil { shape.arrivalRate = shape.stages.first?.target ?? 0 }
        if let node = top["max_in_flight"] {
            if let value = int(node, "max_in_flight", in: ScenarioLimits.maxInFlight) { shape.maxInFlight = value }
            if shape.arrivalRate == nil {
                fail(at: node, "max_in_flight", "only applies to the open model: give rate: as well (e.g. rate: 500/s)")
            }
        }
        if let node = top["warmup"] { shape.warmup = duration(node, "warmup", in: ScenarioLimits.duration) }
        if shape.arrivalRate != nil {
            for key in ["users", "spawn_rate", "wait"] {
                if let node = top.keyNode(key) {
                    fail(
                        at: node, key,
                        "\(key) belongs to the closed model; with rate: (the open model) iterations "
                            + "start at the rate, so remove \(key): or rate:")
                }
            }
        }
        return shape
    }

    /// `5000/s`, `300/m`, `90k/s`, or a bare number (per second).
    mutating func rate(_ node: Node, _ field: String, allowZero: Bool) -> Double? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            fail(at: node, field, "expected a rate such as 5000/s or 300/m, got \(node.kindDescription)")
            return nil
        }
        guard let value = Self.parseRate(scalar.string), value.isFinite else {
            fail(at: node, field, "expected a rate such as 5000/s, 300/m or 90k/s, got '\(scalar.string)'")
            return nil
        }
        let range = ScenarioLimits.rate
        guard value >= range.lowerBound || (allowZero && value == 0) else {
            let least = "\(NumberFormat.plain(range.lowerBound))/s"
            fail(
                at: node, field,
                allowZero
                    ? "must be 0 or at least \(least), got '\(scalar.string)'"
                    : "must be at least \(least), got '\(scalar.string)'")
            return nil
        }
        guard value <= range.upperBound else {
            fail(at: node, field, "must be at most \(NumberFormat.plain(range.upperBound))/s, got '\(scalar.string)'")
            return nil
        }
        return value
    }

    static func isRateText(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.string.contains("/")
    }

    /// Iterations per second from `N`, `N/s`, `N/m`, `N/h`, with an optional `k` or `M` suffix on N.
    static func parseRate(_ text: String) -> Double? {
        let parts = text.filter { $0 != " " }.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        var number = Substring(parts[0].filter { $0 != "_" })
        var scale = 1.0
        if number.hasSuffix("k") {
            scale = 1_000; number = number.dropLast()
        } else if number.hasSuffix("M") {
            scale = 1_000_000; number = number.dropLast()
        }
        guard let value = Double(number), value >= 0 else { return nil }
        let per: Double
        switch parts.count == 2 ? String(parts[1]) : "s" {
        case "s", "sec", "second": per = 1
        case "m", "min", "minute": per = 60
        case "h", "hour": per = 3600
        default: return nil
        }
        return value * scale / per
    }
}
