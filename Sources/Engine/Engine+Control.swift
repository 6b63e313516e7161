import Protocol
import Synchronization

/// What the engine's owner (`loadctl run`, the daemon, a fleet worker) asks of a running engine:
/// change its load, reset or stop it, and read its figures. Each holds the state lock only briefly;
/// a load change goes to the engine threads through their `ShardControl`s, a stop through the
/// controller thread (`controlLoop`), which posts it once the ledger is stopping.
extension Engine {
    /// Closed model: moves the user count to `users` at `spawnRate` users per second (default:
    /// the plan's), leaving any stages. Does nothing in the open model (see `setRate`). Users past
    /// what this node's memory allows (`budget.maxUsers`), or past the rows of a `unique` data
    /// file's slice, are not started.
    public func setUsers(_ users: Int, spawnRate: Double? = nil) {
        let model: LoadModel? = state.withLock { state in
            guard case .closed(let schedule) = state.model else { return nil }
            let now = MonotonicClock.micros()
            // `data: { mode: unique }` holds at most one user per row of this node's slice.
            let most = min(budget.maxUsers, plan.uniqueUserCap ?? .max)
            state.model = .closed(
                .ramp(
                    Ramp(
                        from: schedule.total(at: now), to: min(max(0, users), most),
                        rate: spawnRate ?? plan.spawnRate, startMicros: now)))
            return state.model
        }
        if let model { for control in controls { control.post(model: model) } }
    }

    /// Open model: starts iterations at `rate` per second from now on, leaving any stages.
    /// Does nothing in the closed model (see `setUsers`).
    public func setRate(_ rate: Double) {
        let model: LoadModel? = state.withLock { state in
            guard case .open(_, let maxInFlight) = state.model else { return nil }
            state.model = .open(.constant(rate.clamped(0, .infinity)), maxInFlight: maxInFlight)
            return state.model
        }
        if let model { for control in controls { control.post(model: model) } }
    }

    /// Runs `slice` of the stages from now on: a fleet worker's part of a staged run after a worker
    /// joined or left. Does nothing when the load follows no stages (none, or `setUsers`/`setRate`
    /// replaced them).
    public func setStageSlice(_ slice: LoadSlice) {
        let model: LoadModel? = state.withLock { state in
            guard let scaled = state.model.slicingStages(slice) else { return nil }
            state.model = scaled
            return scaled
        }
        if let model { for control in controls { control.post(model: model) } }
    }

    /// Zeroes the statistics from the next second on; users keep running.
    public func resetStats() {
        state.withLock { state in
            collect(into: &state)
            state.ledger.reset(at: elapsed(MonotonicClock.micros()))
        }
    }

    /// Ends the run; `failure` marks it failed with that reason (e.g. a threshold abort).
    public func stop(failure: String? = nil) {
        state.withLock { state in
            state.stopRequested = true
            if let failure { state.ledger.fail(failure) }
        }
    }

    public var phase: Phase { state.withLock { $0.ledger.phase } }

    /// The intervals measured since the last call, oldest first (only with
    /// `EngineOptions.keepsIntervals`): what a fleet worker streams to its master.
    public func takeIntervals() -> [IntervalStats] {
        state.withLock { state in
            collect(into: &state)
            defer { state.outbox.removeAll() }
            return state.outbox
        }
    }

    /// The run so far (or, once finished, the final summary), with thresholds evaluated.
    public func snapshot() -> RunSummary {
        state.withLock { state in
            collect(into: &state)
            return summary(of: state)
        }
    }

    /// `snapshot()` and each endpoint's latency buckets, taken under one lock so a metrics scrape's
    /// counters and histograms describe the same moment.
    public func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets]) {
        state.withLock { state in
            collect(into: &state)
            return (summary: summary(of: state), buckets: state.ledger.measured.endpointBuckets())
        }
    }

    /// The run's books for a restarted daemon, with the run time they cover (`RunLedger.Checkpoint`).
    public func checkpoint() -> RunLedger.Checkpoint {
        // A copy taken under the lock, written out after it: the controller never waits on the encoding.
        let (ledger, at) = state.withLock { state in
            collect(into: &state)
            return (state.ledger, state.ledger.spanEnd(at: elapsed(MonotonicClock.micros())))
        }
        return ledger.checkpoint(at: at)
    }

    /// Suspends until the run has finished and returns its final summary.
    public func finished() async -> RunSummary {
        await withCheckedContinuation { continuation in
            let done: RunSummary? = state.withLock { state in
                state.ledger.wait(continuation) ? nil : summary(of: state)
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
