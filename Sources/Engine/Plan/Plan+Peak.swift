extension Plan {
    /// The most users the run asks for at once, which `validate`, `start`, `runs` and `status`
    /// report: `users`, or in a staged closed-model run the highest stage target (rounded up; at
    /// least `users` when given, since the stages start from it). The open model has no users to
    /// ask for: its `users` as is.
    public var peakUsers: Int {
        guard !isOpenModel, let top = stages.map(\.target).max() else { return users }
        let peak = top.isFinite && top < 9.0e18 ? Int(max(0, top).rounded(.up)) : Int.max
        return usersGiven ? max(users, peak) : peak
    }

    /// The load asked for in words: `60 users`, `60 users at peak (3 stages)`, `open model at 50/s`.
    public var loadDescription: String {
        if let rate = arrivalRate {
            let top = stages.map(\.target).max()
            return top.map { "open model, up to \(Self.number($0)) iterations/s (\(stages.count) stages)" }
                ?? "open model at \(Self.number(rate)) iterations/s"
        }
        return stages.isEmpty ? "\(users) users" : "\(peakUsers) users at peak (\(stages.count) stages)"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }
}
