import Protocol

/// A load level that moves linearly from one target to the next over time: users (closed model)
/// or arrivals per second (open model). Shared by every engine thread; each derives its share.
/// The levels are the whole fleet's; `slice` is this node's part of them.
struct Stages: Sendable, Equatable {
    struct Segment: Sendable, Equatable {
        var micros: UInt64
        var target: Double
    }

    var startMicros: UInt64
    /// The level before the first segment begins.
    var initial: Double
    var segments: [Segment]
    var slice = LoadSlice.whole

    /// The level at `now`; after the last segment, its target holds.
    func value(at now: UInt64) -> Double {
        var from = initial
        var elapsed = now &- min(now, startMicros)
        for segment in segments {
            if elapsed < segment.micros {
                return from + (segment.target - from) * Double(elapsed) / Double(segment.micros)
            }
            elapsed -= segment.micros
            from = segment.target
        }
        return from
    }

    var totalMicros: UInt64 { segments.reduce(0) { $0.saturatingAdd($1.micros) } }

    func isSettled(at now: UInt64) -> Bool { now &- min(now, startMicros) >= totalMicros }
}

/// How many users the closed model wants over time: a ramp at the spawn rate (also what
/// `setUsers` installs), or the scenario's stages.
enum UserSchedule: Sendable, Equatable {
    case ramp(Ramp)
    case stages(Stages)

    func total(at now: UInt64) -> Int {
        switch self {
        case .ramp(let ramp): return ramp.total(at: now)
        // Clamped before it becomes an Int: a stage target past 2^63 must not trap (the memory
        // budget refuses such a plan; a level reaching here is at most `maxUsers`).
        case .stages(let stages): return stages.slice.users(of: stages.value(at: now).clamped(0, UserSchedule.maxUsers))
        }
    }

    /// The most users any schedule asks for: far above what a node's memory holds, far below Int's
    /// limits, so every count derived from it stays exact.
    static let maxUsers = Double(Int32.max)

    func isSettled(at now: UInt64) -> Bool {
        switch self {
        case .ramp(let ramp): return ramp.isDone(at: now)
        case .stages(let stages): return stages.isSettled(at: now)
        }
    }
}

/// How many iterations per second the open model starts over time, fleet-wide.
enum RateSchedule: Sendable, Equatable {
    case constant(Double)
    case stages(Stages)

    func rate(at now: UInt64) -> Double {
        switch self {
        case .constant(let rate): return rate
        case .stages(let stages): return stages.slice.rate(of: stages.value(at: now))
        }
    }
}
