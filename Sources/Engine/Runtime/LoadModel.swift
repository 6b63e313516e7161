/// What drives the load on every engine thread: users looping (closed) or arrivals at a rate (open).
enum LoadModel: Sendable, Equatable {
    case closed(UserSchedule)
    /// Arrivals per second fleet-wide, and the most iterations in flight fleet-wide.
    case open(RateSchedule, maxInFlight: Int)

    /// The arrival rate at `now` (0 in the closed model).
    func rate(at now: UInt64) -> Double {
        if case .open(let schedule, _) = self { return schedule.rate(at: now) }
        return 0
    }

    /// The same model with every stage's target (and the level before them) times `factor`; `nil`
    /// when the load does not follow stages (none, or `setUsers`/`setRate` replaced them).
    func scalingStages(by factor: Double) -> LoadModel? {
        switch self {
        case .closed(.stages(let stages)): .closed(.stages(stages.scaled(by: factor)))
        case .open(.stages(let stages), let maxInFlight): .open(.stages(stages.scaled(by: factor)), maxInFlight: maxInFlight)
        case .closed(.ramp), .open(.constant, _): nil
        }
    }
}
