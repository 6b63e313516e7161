/// How the fleet-wide user count moves from `from` to `to` at `rate` users per second, started at
/// `startMicros`. Every engine thread holds the same ramp and derives its own share, so no
/// thread waits on another: global user *k* lives on thread `k % threads` and starts at
/// `k / rate` seconds into a ramp-up (or stops that long into a ramp-down), the first at once.
struct Ramp: Sendable, Equatable {
    var from: Int
    var to: Int
    var rate: Double
    var startMicros: UInt64

    /// The fleet-wide user count the ramp asks for at `now`.
    func total(at now: UInt64) -> Int {
        guard from != to, rate.isFinite, rate > 0 else { return to }
        let elapsed = Double(now &- min(now, startMicros)) / 1_000_000
        let moved = Int((elapsed * rate).clamped(0, Double(Int32.max)).rounded(.down)) + 1
        return from < to ? min(to, from + moved) : max(to, from - moved)
    }

    /// How many of `total` users thread `thread` of `threads` runs.
    static func share(of total: Int, thread: Int, threads: Int) -> Int {
        total > thread ? (total - thread + threads - 1) / threads : 0
    }

    /// True once the ramp has reached its target.
    func isDone(at now: UInt64) -> Bool { total(at: now) == to }
}
