import Protocol

/// Merges interval deltas — from the local engine threads, or from a fleet's workers — into run
/// totals and a per-second history. Owned by one controller and read under its lock; engine
/// threads never touch it.
public struct RunAggregator: Sendable {
    public private(set) var keys: [EndpointKey]
    private var index: [EndpointKey: Int]
    private(set) var totals: [EndpointTotals]
    public private(set) var history: [HistorySample] = []
    public private(set) var dropped: UInt64 = 0
    /// The checks table so far, rows in first-seen order, and where each `(method, name, check)` is.
    public private(set) var checks: [CheckTally] = []
    private var checkIndex: [CheckTallyKey: Int] = [:]
    /// Steps skipped after a failed extraction.
    public private(set) var skipped: UInt64 = 0
    /// A second is closed into the history once this many intervals for it have arrived.
    public var expectedReporters: Int
    private var open: [Int: OpenSecond] = [:]   // see `RunAggregator+OpenSecond`
    /// Intervals of seconds before this one belong to a span the user reset away.
    private(set) var firstMeasuredSecond = 0
    /// The newest closed seconds, for the "current" figures.
    private(set) var recentSeconds = RecentSeconds()
    /// The run seconds at which `reset(atSecond:)` zeroed the statistics.
    public private(set) var resetSeconds: [Int] = []
    let startUnixSeconds: Int
    /// The run so far, failures' first and last seconds, the newest second's coverage (Locust's files).
    private(set) var soFar = RunSoFarTracker()

    public init(endpoints: [EndpointKey], expectedReporters: Int, startUnixSeconds: Int) {
        keys = endpoints
        index = Dictionary(uniqueKeysWithValues: endpoints.enumerated().map { ($1, $0) })
        self.expectedReporters = expectedReporters
        self.startUnixSeconds = startUnixSeconds
        totals = Array(repeating: EndpointTotals(), count: endpoints.count)
    }

    /// Carries on from `saved` (`RunAggregator+Checkpoint`); `saved.problem` must be `nil`.
    public init(restoring saved: Checkpoint, expectedReporters: Int, startUnixSeconds: Int) {
        self.init(endpoints: saved.keys, expectedReporters: expectedReporters, startUnixSeconds: startUnixSeconds)
        totals = saved.totals.map(EndpointTotals.init(restoring:))
        history = saved.history
        dropped = saved.dropped
        for tally in saved.checks { absorbChecks(tally) }
        skipped = saved.skipped
        resetSeconds = saved.resetSeconds
        firstMeasuredSecond = saved.firstMeasuredSecond
        soFar = RunSoFarTracker(restoring: saved.soFar)
    }

    public mutating func absorb(_ interval: IntervalStats) {
        absorb(interval, packed: nil)
    }

    /// Merges `interval`, whose rows' histograms are `packed` when given (a fleet master's: the rows'
    /// own are empty then), one `packed` row per endpoint row.
    public mutating func absorb(_ interval: IntervalStats, packed: PackedHistograms?) {
        precondition(packed.map { $0.rowCount == interval.endpoints.count } ?? true, "a packed row per endpoint row")
        guard interval.second >= firstMeasuredSecond else { return }
        if open[interval.second] == nil, let closed = history.lastIndex(where: { $0.second == interval.second }) {
            return absorbLate(packed.map(interval.unpacking) ?? interval, into: closed)
        }
        var second = open.removeValue(forKey: interval.second) ?? OpenSecond()
        for (i, row) in interval.endpoints.enumerated() {
            let slot = slot(for: row.key)
            totals[slot].addCounts(row)
            if let packed {
                packed.words.withUnsafeBufferPointer { words in
                    let ranges = packed.ranges(ofRow: i)
                    let held: OpenSecond.PackedRow = (
                        UnsafeBufferPointer(rebasing: words[ranges.latency]),
                        UnsafeBufferPointer(rebasing: words[ranges.serviceTime]),
                        UnsafeBufferPointer(rebasing: words[ranges.lag])
                    )
                    second.hold(row, packed: held, slot: slot, reporters: expectedReporters)
                }
            } else {
                second.hold(row, packed: nil, slot: slot, reporters: expectedReporters)
            }
            second.requests = second.requests.saturatingAdd(row.requests)
            second.failures = second.failures.saturatingAdd(row.failures)
            second.bytes = second.bytes.saturatingAdd(row.bytes)
            soFar.noteFailures(row, second: interval.second)
        }
        dropped = dropped.saturatingAdd(interval.dropped)
        absorbChecks(interval)
        second.reporters += 1
        second.users = second.users.saturatingAdd(interval.users)
        second.dropped = second.dropped.saturatingAdd(interval.dropped)
        second.cpuMicros = second.cpuMicros.saturatingAdd(interval.cpuMicros)
        second.wallMicros = second.wallMicros.saturatingAdd(interval.wallMicros)
        second.threads = second.threads.saturatingAdd(interval.threads)
        second.newConnections = second.newConnections.saturatingAdd(interval.newConnections ?? 0)
        if second.reporters >= expectedReporters {
            close(interval.second, second)
        } else {
            open[interval.second] = second
        }
    }

    /// An interval for a second already closed (its reporter was late): its counts join the totals
    /// and that second's row, whose latency figures stay those computed at closing.
    private mutating func absorbLate(_ interval: IntervalStats, into index: Int) {
        for row in interval.endpoints {
            let slot = slot(for: row.key)
            totals[slot].addCounts(row)
            totals[slot].addHistograms(latency: row.latency, serviceTime: row.serviceTime, lag: row.lag)
            history[index].requests = history[index].requests.saturatingAdd(row.requests)
            history[index].failures = history[index].failures.saturatingAdd(row.failures)
            soFar.noteFailures(row, second: interval.second)
            soFar.addLate(row)
        }
        dropped = dropped.saturatingAdd(interval.dropped)
        absorbChecks(interval)
        history[index].users = history[index].users.saturatingAdd(interval.users)
        if let connections = interval.newConnections {
            history[index].newConnections = (history[index].newConnections ?? 0).saturatingAdd(connections)
        }
        if interval.dropped > 0 {
            history[index].dropped = (history[index].dropped ?? 0).saturatingAdd(interval.dropped)
        }
    }

    /// Closes seconds older than `second` still short of reporters (one was lost or is late).
    public mutating func closeSeconds(before second: Int) {
        for index in open.keys.sorted() where index < second {
            close(index, open[index]!)
            open[index] = nil
        }
    }

    /// Closes every second still waiting for intervals: the run has stopped.
    public mutating func closeAll() {
        closeSeconds(before: Int.max)
    }

    /// Zeroes totals and history from `second` on, without touching the users.
    public mutating func reset(atSecond second: Int) {
        totals = Array(repeating: EndpointTotals(), count: keys.count)
        history.removeAll()
        open.removeAll()
        dropped = 0
        checks.removeAll()
        checkIndex.removeAll()
        skipped = 0
        recentSeconds.removeAll()
        resetSeconds.append(second)
        soFar = RunSoFarTracker()
        firstMeasuredSecond = second
    }

    /// Adds an interval's checks counts and skipped steps; counts saturate (another node may send 2^64 − 1).
    private mutating func absorbChecks(_ interval: IntervalStats) {
        skipped = skipped.saturatingAdd(interval.skipped ?? 0)
        for tally in interval.checks ?? [] { absorbChecks(tally) }
    }

    private mutating func absorbChecks(_ tally: CheckTally) {
        let key = CheckTallyKey(method: tally.method, name: tally.name, check: tally.check)
        if let at = checkIndex[key] {
            checks[at].passes = checks[at].passes.saturatingAdd(tally.passes)
            checks[at].fails = checks[at].fails.saturatingAdd(tally.fails)
        } else {
            checkIndex[key] = checks.count
            checks.append(tally)
        }
    }

    private mutating func slot(for key: EndpointKey) -> Int {
        if let existing = index[key] { return existing }
        keys.append(key)
        totals.append(EndpointTotals())
        index[key] = keys.count - 1
        return keys.count - 1
    }

    private mutating func close(_ index: Int, _ second: OpenSecond) {
        // Each endpoint's rows are summed once into `rows`, which then joins both the endpoint's
        // totals and the second's all-endpoint histogram: two histogram adds per reporter's row
        // instead of three (a fleet master merges a row per worker and endpoint each second).
        var latency = LatencyHistogram()
        var rowsLatency = LatencyHistogram()
        for (slot, rows) in second.pending.enumerated() where !rows.isEmpty {
            rowsLatency.reset()
            rows.add(latency: &rowsLatency, into: &totals[slot])
            totals[slot].latency.add(rowsLatency)
            latency.add(rowsLatency)
        }
        let hasData = latency.totalCount > 0
        func ms(_ value: UInt64) -> Double { hasData ? Double(value) / 1000 : 0 }
        let cpu = second.wallMicros == 0 ? 0 : Double(second.cpuMicros) / Double(second.wallMicros)
        let (values, mean) = latency.percentilesAndMean([50, 95, 99])
        var sample = HistorySample(
            second: index, timestamp: startUnixSeconds + index + 1, users: second.users,
            requests: second.requests, failures: second.failures,
            medianMs: ms(values[0]), p95Ms: ms(values[1]), p99Ms: ms(values[2]), maxMs: ms(latency.max),
            avgMs: mean / 1000, generatorCpu: cpu)
        sample.dropped = second.dropped
        recentSeconds.add(
            .init(index: index, requests: second.slotRequests, failures: second.slotFailures, latency: latency))
        sample.newConnections = second.newConnections
        sample.soFar = soFar.close(
            second: index, latency: latency, requests: second.requests, failures: second.failures,
            bytes: second.bytes, wallMicros: second.wallMicros, threads: second.threads)
        let at = history.firstIndex { $0.second > index } ?? history.endIndex
        history.insert(sample, at: at)
    }

    /// Requests so far, all endpoints.
    public var requestCount: UInt64 { totals.reduce(0) { $0.saturatingAdd($1.requests) } }

    /// The endpoint rows (sorted by name, then method) and the total row over `seconds`.
    public func rows(seconds: Double) -> (endpoints: [EndpointSummary], total: EndpointSummary) {
        var total = EndpointTotals()
        var rows: [EndpointSummary] = []
        for (i, key) in keys.enumerated() {
            total.add(totals[i])
            // Each endpoint's own counts over the newest closed seconds (`RecentSeconds`).
            let current = recentSeconds.rate(slot: i)
            var row = totals[i].summary(key: key, seconds: seconds, currentRps: current.requests)
            row.currentFailuresPerS = current.failures
            rows.append(row)
        }
        let window = recentSeconds.window()
        var totalRow = total.summary(
            key: EndpointKey(method: "", name: "Aggregated"), seconds: seconds,
            currentRps: window?.requestsPerS ?? 0)
        totalRow.currentFailuresPerS = window?.failuresPerS ?? 0
        return (rows.sorted { $0.key < $1.key }, totalRow)
    }

    /// Failures grouped by endpoint and reason, most frequent first, worded by `text` (reasons
    /// whose words are the same add up into one row).
    public func failureCounts(_ text: FailureText = FailureText()) -> [FailureCount] {
        var out: [FailureCount] = []
        for (i, key) in keys.enumerated() {
            var rows: [String: Int] = [:]
            for (reason, count) in totals[i].failureReasons {
                let words = text.text(reason, endpoint: key)
                let seen = soFar.seenSpan(key, reason)
                guard let at = rows[words] else {
                    rows[words] = out.count
                    out.append(
                        FailureCount(
                            method: key.method, name: key.name, reason: words, count: count,
                            firstSeen: seen.map { startUnixSeconds + $0.first },
                            lastSeen: seen.map { startUnixSeconds + $0.last }))
                    continue
                }
                out[at].count = out[at].count.saturatingAdd(count)
                if let seen {
                    out[at].firstSeen = min(out[at].firstSeen ?? Int.max, startUnixSeconds + seen.first)
                    out[at].lastSeen = max(out[at].lastSeen ?? Int.min, startUnixSeconds + seen.last)
                }
            }
        }
        return out.sorted { ($0.count, $1.name, $1.reason) > ($1.count, $0.name, $0.reason) }
    }

    /// True when requests were made and every one failed for a reason in `reasons`.
    public func onlyFailed(withReasonsIn reasons: Set<FailureReason>) -> Bool {
        let requests = requestCount
        guard requests > 0, totals.allSatisfy({ $0.failures == $0.requests }) else { return false }
        return totals.allSatisfy { $0.failureReasons.keys.allSatisfy(reasons.contains) }
    }
}

private struct CheckTallyKey: Hashable {
    var method: String
    var name: String
    var check: String
}
