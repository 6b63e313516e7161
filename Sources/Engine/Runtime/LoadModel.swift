import Protocol

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

    /// The same model running `slice` of its stages; `nil` when the load does not follow stages
    /// (none, or `setUsers`/`setRate` replaced them).
    func slicingStages(_ slice: LoadSlice) -> LoadModel? {
        switch self {
        case .closed(.stages(var stages)):
            stages.slice = slice
            return .closed(.stages(stages))
        case .open(.stages(var stages), let maxInFlight):
            stages.slice = slice
            return .open(.stages(stages), maxInFlight: maxInFlight)
        case .closed(.ramp), .open(.constant, _):
            return nil
        }
    }
}
