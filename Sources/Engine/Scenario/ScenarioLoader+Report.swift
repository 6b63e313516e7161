import Yams

extension YAMLReader {
    /// `report: { slow_p99: 1s, slow_failures: 1% }`: the bounds of the summary's slow periods. A missing
    /// key keeps its default; a bad one is reported at its line:col with its range (`ScenarioLimits`).
    mutating func slowBounds(_ node: Node) -> SlowBounds? {
        guard let fields = mapping(node, "report", known: ["slow_p99", "slow_failures"]) else { return nil }
        var bounds = SlowBounds()
        if let value = fields["slow_p99"] {
            guard let p99 = duration(value, "report.slow_p99", in: ScenarioLimits.slowP99) else { return nil }
            bounds.p99 = p99
        }
        if let value = fields["slow_failures"] {
            guard let share = share(value, "report.slow_failures") else { return nil }
            bounds.failureShare = share
        }
        return bounds
    }

    /// `1%`, `0.5 %` or a fraction `0.01`, within `ScenarioLimits.slowFailures`.
    private mutating func share(_ node: Node, _ field: String) -> Double? {
        guard case .scalar(let scalar) = node else {
            fail(at: node, field, "expected a share such as 1% or 0.01, got \(node.kindDescription)")
            return nil
        }
        var text = Substring(scalar.string)
        let percent = text.hasSuffix("%")
        if percent { text = text.dropLast() }
        guard let number = Double(String(text).trimmingBlanks()), number.isFinite else {
            fail(at: node, field, "expected a share such as 1% or 0.01, got \(scalar.string)")
            return nil
        }
        let value = percent ? number / 100 : number
        guard ScenarioLimits.slowFailures.contains(value) else {
            fail(at: node, field, "must be 0…100% (a fraction 0…1), got \(scalar.string)")
            return nil
        }
        return value
    }
}
