import NIOCore
import Synchronization

/// The knobs as the server holds them: the configuration plus when the current stall ends.
struct KnobState: Sendable {
    var config: TargetConfig
    var stallUntil: NIODeadline
    /// Bumped by every change; a loop that sees a new value reloads its copy and restarts its sequence.
    var generation: Int

    /// The configuration as reported: `stall` is what is left of the current stall.
    func reported(now: NIODeadline = .now()) -> TargetConfig {
        var config = config
        let left = stallUntil > now ? (stallUntil - now).nanoseconds : 0
        config.stall = .nanoseconds(left)
        return config
    }
}

/// State every event loop reads: knobs behind a lock, plus a generation number so that a loop learns
/// "nothing changed" with one atomic load per request instead of taking the lock.
final class SharedState: Sendable {
    private let knobs: Mutex<KnobState>
    private let generation = Atomic<Int>(0)
    /// One set per event loop, so that increments never contend.
    let counters: [RouteCounters]
    /// Tell each event loop that the stall changed. Cleared on stop: they hold the loops' state, which
    /// holds this object.
    private let stallListeners = Mutex<[@Sendable () -> Void]>([])
    /// The board's sessions and per-user counts (BoardState.swift).
    let board = BoardState()

    init(config: TargetConfig, loopCount: Int) {
        let stallUntil = config.stall > .zero ? NIODeadline.now() + TimeAmount(config.stall) : .distantPast
        knobs = Mutex(KnobState(config: config, stallUntil: stallUntil, generation: 0))
        counters = (0..<loopCount).map { _ in RouteCounters() }
    }

    var currentGeneration: Int { generation.load(ordering: .acquiring) }

    func snapshot() -> KnobState { knobs.withLock { $0 } }

    /// Validates and applies `change`; returns the knobs that are now in force.
    func update(_ change: TargetChange) throws -> KnobState {
        try change.validate()
        let state = knobs.withLock { state in
            state.config = state.config.applying(change)
            if let stall = change.stall {
                state.stallUntil = stall > .zero ? .now() + TimeAmount(stall) : .distantPast
            }
            bump(&state)
            return state
        }
        if change.stall != nil {
            for listener in stallListeners.withLock({ $0 }) { listener() }
        }
        return state
    }

    func addStallListener(_ listener: @escaping @Sendable () -> Void) {
        stallListeners.withLock { $0.append(listener) }
    }

    func removeStallListeners() {
        stallListeners.withLock { $0.removeAll() }
    }

    /// Zeroes every counter and restarts every loop's fraction sequence, so that what follows a reset is
    /// as predictable as what follows a start.
    func resetStats() {
        knobs.withLock { state in
            for counter in counters { counter.reset() }
            bump(&state)
        }
    }

    func stats() -> TargetStats {
        var byRoute = [Int](repeating: 0, count: Route.countedCount)
        for counter in counters {
            for index in byRoute.indices { byRoute[index] += counter.value(at: index) }
        }
        var byPath: [String: Int] = [:]
        for route in Route.workload { byPath[route.path] = byRoute[route.rawValue] }
        return TargetStats(
            requests: byRoute.reduce(0, +), unmatched: byRoute[Route.unmatched.rawValue],
            byPath: byPath)
    }

    private func bump(_ state: inout KnobState) {
        state.generation += 1
        generation.store(state.generation, ordering: .releasing)
    }
}

/// Responses sent by one event loop, by route. Written only by that loop; read by whoever asks for stats.
final class RouteCounters: Sendable {
    // The literal must equal `Route.countedCount`; the initializer checks it.
    private let counts: InlineArray<9, Atomic<Int>> = InlineArray { _ in Atomic(0) }

    init() {
        precondition(counts.count == Route.countedCount, "RouteCounters must have one slot per counted route")
    }

    func increment(_ route: Route) {
        // Relaxed: nothing else is published with the count, and only this loop writes it.
        counts[route.rawValue].wrappingAdd(1, ordering: .relaxed)
    }

    func value(at index: Int) -> Int { counts[index].load(ordering: .relaxed) }

    func reset() {
        for index in counts.indices { counts[index].store(0, ordering: .relaxed) }
    }
}

/// What the target has served since it started or since the last reset. Admin endpoints (`/stats`,
/// `/stats/reset`, `/control`) are not counted; 404 and 405 answers are, under `unmatched`.
public struct TargetStats: Sendable, Hashable {
    /// Responses sent, workload and unmatched together.
    public var requests: Int
    /// 404 and 405 responses.
    public var unmatched: Int
    /// Responses per workload path (`/Test/V1`…`/Test/V4`, `/login`, `/metrics`), zeros included.
    public var byPath: [String: Int]

    public init(requests: Int, unmatched: Int, byPath: [String: Int]) {
        self.requests = requests
        self.unmatched = unmatched
        self.byPath = byPath
    }
}
