import Protocol

extension RunAggregator {
    /// The closed books of an aggregator in a form a file can hold, so a restarted daemon carries
    /// on with the statistics it had (`RunLedger.Checkpoint`). Histograms travel as their non-empty
    /// buckets (`SparseHistogram`, the federation's form), so a checkpoint costs about what a
    /// second of stats frames does plus the history.
    ///
    /// Left out on purpose: the "current" window (`RecentSeconds`, refilled within seconds of a
    /// resume) and a histogram's over-range count (its values are recorded at the highest bucket).
    public struct Checkpoint: Codable, Sendable, Equatable {
        public var keys: [EndpointKey]
        public var totals: [Totals]
        public var history: [HistorySample]
        public var dropped: UInt64
        public var checks: [CheckTally]
        public var skipped: UInt64
        public var resetSeconds: [Int]
        public var firstMeasuredSecond: Int
        public var soFar: RunSoFarCheckpoint

        /// One endpoint's `EndpointTotals`.
        public struct Totals: Codable, Sendable, Equatable {
            public var requests: UInt64
            public var failures: UInt64
            public var bytes: UInt64
            public var latency: SparseHistogram
            public var serviceTime: SparseHistogram
            public var lag: SparseHistogram
            public var failureReasons: [ReasonTally]
        }

        /// What makes a checkpoint unusable (edited, or from another build): `nil` when it is whole.
        public var problem: String? {
            if keys.count != totals.count { return "\(keys.count) endpoints but \(totals.count) totals" }
            if Set(keys).count != keys.count { return "an endpoint is listed twice" }
            if history.count > RunAggregator.maxCheckpointSeconds {
                return "\(history.count) seconds of history, more than \(RunAggregator.maxCheckpointSeconds)"
            }
            return nil
        }
    }

    /// A week of seconds: a checkpoint's history beyond that is not a run this daemon wrote.
    public static let maxCheckpointSeconds = 7 * 86_400

    /// This aggregator's books with every second still open closed first, so the counts and the
    /// histograms agree (counts join the totals at once, histograms when their second closes). Works
    /// on a copy: the running aggregator keeps waiting for its late reporters.
    public func checkpoint() -> Checkpoint {
        var closed = self
        closed.closeAll()
        return Checkpoint(
            keys: closed.keys,
            totals: closed.totals.map {
                Checkpoint.Totals(
                    requests: $0.requests, failures: $0.failures, bytes: $0.bytes,
                    latency: SparseHistogram($0.latency), serviceTime: SparseHistogram($0.serviceTime),
                    lag: SparseHistogram($0.lag),
                    failureReasons: $0.failureReasons.map { ReasonTally(reason: $0.key, count: $0.value) })
            },
            history: closed.history, dropped: closed.dropped, checks: closed.checks, skipped: closed.skipped,
            resetSeconds: closed.resetSeconds, firstMeasuredSecond: closed.firstMeasuredSecond,
            soFar: closed.soFar.checkpoint())
    }
}

extension EndpointTotals {
    init(restoring saved: RunAggregator.Checkpoint.Totals) {
        self.init()
        requests = saved.requests
        failures = saved.failures
        bytes = saved.bytes
        saved.latency.add(into: &latency)
        saved.serviceTime.add(into: &serviceTime)
        saved.lag.add(into: &lag)
        for tally in saved.failureReasons {
            failureReasons[tally.reason, default: 0] = failureReasons[tally.reason, default: 0].saturatingAdd(
                tally.count)
        }
    }
}
