import Protocol

/// A run a previous daemon saved, for an `Engine` to carry on: its books, the wall-clock second it
/// started at (the run keeps its original end time), and the load it had when saved if a user had
/// changed it from the plan's.
public struct EngineResume: Sendable {
    public var checkpoint: RunLedger.Checkpoint
    public var startUnixSeconds: Int { checkpoint.startUnixSeconds }
    /// `loadctl users N` (closed model) or `loadctl rate N` (open model) had replaced the plan's load.
    public var users: Int?
    public var rate: Double?

    public init(checkpoint: RunLedger.Checkpoint, users: Int? = nil, rate: Double? = nil) {
        self.checkpoint = checkpoint
        self.users = users
        self.rate = rate
    }

    /// Microseconds since the run's start, by the wall clock (the only clock two processes share).
    func elapsedMicros() -> UInt64 {
        let now = MonotonicClock.unixMicros()
        let start = UInt64(max(0, startUnixSeconds)).saturatingMultiply(1_000_000)
        return now - min(now, start)
    }

    /// The load from now on. Stages stay where the run's clock puts them (the engine's start is
    /// back-dated); a plain ramp, or a count a user set, ramps up again from 0 at the spawn rate,
    /// as a fresh start does, rather than every user at once.
    func model(_ plan: Plan, initial: LoadModel, now: UInt64) -> LoadModel {
        if let rate { return .open(.constant(rate.clamped(0, .infinity)), maxInFlight: plan.maxInFlight) }
        if let users {
            return .closed(.ramp(Ramp(from: 0, to: max(0, users), rate: plan.spawnRate, startMicros: now)))
        }
        if case .closed(.ramp) = initial {
            return .closed(.ramp(Ramp(from: 0, to: plan.users, rate: plan.spawnRate, startMicros: now)))
        }
        return initial
    }
}
