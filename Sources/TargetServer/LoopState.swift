import NIOCore

/// Everything one event loop needs to answer a request without locks: its copy of the knobs, its
/// fraction sequence, its counters and its canned responses. Confined to that loop (not Sendable).
final class LoopState {
    let shared: SharedState
    let counters: RouteCounters
    let responses: CannedResponses
    let allocator: ByteBufferAllocator
    let eventLoop: any EventLoop

    private var generation: Int
    private var plan: Plan
    /// Workload requests admitted since the knobs last changed; drives the deterministic fractions.
    private var sequence = 0
    /// Responses waiting for the stall to end, and the one timer that releases them all.
    private var stallWaiters: [() -> Void] = []
    private var stallWake: (task: Scheduled<Void>, at: NIODeadline)?

    /// The knobs in the shape the hot path wants them.
    private struct Plan {
        var delay: TimeAmount
        var slowDelay: TimeAmount
        var slowPerMillion: Int
        var errorPerMillion: Int
        var error: CannedResponse
        /// `.distantPast` once the stall is known to be over, so that requests stop reading the clock.
        var stallUntil: NIODeadline
    }

    /// What to send for one workload request, and how long to hold it before the stall is considered.
    struct Admission {
        var response: CannedResponse
        var hold: TimeAmount
    }

    init(shared: SharedState, counters: RouteCounters, allocator: ByteBufferAllocator, eventLoop: any EventLoop) {
        self.shared = shared
        self.eventLoop = eventLoop
        self.counters = counters
        self.allocator = allocator
        self.responses = CannedResponses(allocator: allocator)
        let state = shared.snapshot()
        self.plan = Self.makePlan(state, allocator: allocator)
        self.generation = state.generation
    }

    /// Picks the response and the hold for the next workload request on this loop.
    func admit(_ route: Route) -> Admission {
        refresh()
        sequence += 1
        var hold = plan.delay
        if Self.picks(sequence, perMillion: plan.slowPerMillion) { hold = hold + plan.slowDelay }
        let response =
            Self.picks(sequence, perMillion: plan.errorPerMillion)
            ? plan.error : responses.workload[route.rawValue]
        return Admission(response: response, hold: hold)
    }

    /// When the current stall ends, or nil if there is none. Reads the clock only while a stall is set.
    func stallEnd() -> NIODeadline? {
        refresh()
        guard plan.stallUntil != .distantPast else { return nil }
        if NIODeadline.now() >= plan.stallUntil {
            plan.stallUntil = .distantPast
            return nil
        }
        return plan.stallUntil
    }

    /// Runs `resume` on this loop once the current stall is over. Call only while `stallEnd()` is non-nil.
    func afterStall(_ resume: @escaping () -> Void) {
        stallWaiters.append(resume)
        scheduleStallWake()
    }

    /// Called on this loop after `/control` set or cleared a stall: a shortened stall must release its
    /// waiters early, and no request may come along to notice.
    func stallChanged() {
        scheduleStallWake()
    }

    private func scheduleStallWake() {
        guard let end = stallEnd() else {
            stallWake?.task.cancel()
            stallWake = nil
            let waiters = stallWaiters
            stallWaiters = []
            for resume in waiters { resume() }
            return
        }
        guard stallWake?.at != end else { return }
        stallWake?.task.cancel()
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: end) { [self] in
            stallWake = nil
            scheduleStallWake()
        }
        stallWake = (task, end)
    }

    /// Request `k` is picked when `floor(k·f)` steps up, so exactly `floor(n·f)` of the first `n` are.
    static func picks(_ k: Int, perMillion: Int) -> Bool {
        guard perMillion > 0 else { return false }
        return (k * perMillion) / 1_000_000 != ((k - 1) * perMillion) / 1_000_000
    }

    private func refresh() {
        let current = shared.currentGeneration
        guard current != generation else { return }
        let state = shared.snapshot()
        plan = Self.makePlan(state, allocator: allocator)
        generation = state.generation
        sequence = 0
    }

    private static func makePlan(_ state: KnobState, allocator: ByteBufferAllocator) -> Plan {
        let config = state.config
        return Plan(
            delay: TimeAmount(config.delay),
            slowDelay: TimeAmount(config.slowDelay),
            slowPerMillion: Int((config.slowFraction * 1_000_000).rounded()),
            errorPerMillion: Int((config.errorFraction * 1_000_000).rounded()),
            error: CannedResponses.injectedError(status: config.errorStatus, allocator: allocator),
            stallUntil: state.stallUntil)
    }
}
