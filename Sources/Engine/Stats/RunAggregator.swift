import Histogram
import Protocol

/// Merges the engine threads' windows into run totals and a per-second history. Owned by the
/// engine's controller and read under its lock; never touched by engine threads.
struct RunAggregator {
    /// One second of the run while its shards' windows arrive.
    private struct OpenSecond {
        var reporters = 0
        var requests: UInt64 = 0
        var failures: UInt64 = 0
        var users = 0
        var cpuMicros: UInt64 = 0
        var wallMicros: UInt64 = 0
        var latency = LatencyHistogram.latency()
    }

    let endpoints: [EndpointKey]
    let shardCount: Int
    private(set) var totals: [EndpointTotals]
    private(set) var history: [HistorySample] = []
    private(set) var dropped: UInt64 = 0
    private var open: [Int: OpenSecond] = [:]
    /// Windows of seconds before this one belong to a span the user reset away.
    private var firstMeasuredSecond = 0
    private let startUnixSeconds: Int

    init(endpoints: [EndpointKey], shardCount: Int, startUnixSeconds: Int) {
        self.endpoints = endpoints
        self.shardCount = shardCount
        self.startUnixSeconds = startUnixSeconds
        totals = Array(repeating: EndpointTotals(), count: endpoints.count)
    }

    mutating func absorb(_ window: WindowStats) {
        guard window.second >= firstMeasuredSecond else { return }
        var second = open[window.second] ?? OpenSecond()
        for i in endpoints.indices {
            totals[i].add(window: window, endpoint: i)
            second.requests += window.requests[i]
            second.failures += window.failures[i]
            if window.latency[i].totalCount > 0 { second.latency.add(window.latency[i]) }
        }
        dropped += window.dropped
        second.reporters += 1
        second.users += window.users
        second.cpuMicros += window.cpuMicros
        second.wallMicros += window.wallMicros
        if second.reporters >= shardCount {
            open[window.second] = nil
            close(window.second, second)
        } else {
            open[window.second] = second
        }
    }

    /// Closes every second still waiting for windows: the run has stopped.
    mutating func closeAll() {
        for second in open.keys.sorted() { close(second, open[second]!) }
        open.removeAll()
    }

    /// Zeroes totals and history from `second` on, without touching the users.
    mutating func reset(atSecond second: Int) {
        totals = Array(repeating: EndpointTotals(), count: endpoints.count)
        history.removeAll()
        open.removeAll()
        dropped = 0
        firstMeasuredSecond = second
    }

    private mutating func close(_ index: Int, _ second: OpenSecond) {
        let latency = second.latency
        let hasData = latency.totalCount > 0
        func ms(_ value: UInt64) -> Double { hasData ? Double(value) / 1000 : 0 }
        let cpu = second.wallMicros == 0 ? 0 : Double(second.cpuMicros) / Double(second.wallMicros)
        let sample = HistorySample(
            second: index, timestamp: startUnixSeconds + index + 1, users: second.users,
            requests: second.requests, failures: second.failures,
            medianMs: ms(latency.valueAtPercentile(50)), p95Ms: ms(latency.valueAtPercentile(95)),
            p99Ms: ms(latency.valueAtPercentile(99)), maxMs: ms(latency.max),
            avgMs: hasData ? latency.mean / 1000 : 0, generatorCpu: cpu)
        let at = history.firstIndex { $0.second > index } ?? history.endIndex
        history.insert(sample, at: at)
    }

    /// Requests per second over the last few closed seconds (Locust's "current" rate).
    func currentRate(lastSeconds: Int = 5) -> (requests: Double, failures: Double) {
        let recent = history.suffix(lastSeconds)
        guard !recent.isEmpty else { return (0, 0) }
        let n = Double(recent.count)
        return (Double(recent.reduce(0) { $0 + $1.requests }) / n,
                Double(recent.reduce(0) { $0 + $1.failures }) / n)
    }

    /// The endpoint rows and the total row over a measured span of `seconds`.
    func rows(seconds: Double) -> (endpoints: [EndpointSummary], total: EndpointSummary) {
        var total = EndpointTotals()
        var rows: [EndpointSummary] = []
        let recentSeconds = Double(min(5, max(1, history.suffix(5).count)))
        for (i, key) in endpoints.enumerated() {
            total.add(totals[i])
            let recent = history.isEmpty ? 0 : currentRate(for: i, over: recentSeconds)
            rows.append(totals[i].summary(key: key, seconds: seconds, currentRps: recent))
        }
        let current = currentRate().requests
        return (rows.sorted { $0.key < $1.key },
                total.summary(key: EndpointKey(method: "", name: "Aggregated"), seconds: seconds, currentRps: current))
    }

    /// Per-endpoint current rate, apportioned from the total by the endpoint's share of requests:
    /// the history is kept for the total only, to keep memory per second constant.
    private func currentRate(for endpoint: Int, over seconds: Double) -> Double {
        let all = totals.reduce(0) { $0 + $1.requests }
        guard all > 0 else { return 0 }
        return currentRate().requests * Double(totals[endpoint].requests) / Double(all)
    }

    /// Failures grouped by endpoint and reason, most frequent first. `checks[i]` is the body
    /// check of endpoint `i`, if any, which a `bodyCheck` failure's description quotes.
    func failureCounts(checks: [Check?]) -> [FailureCount] {
        var out: [FailureCount] = []
        for (i, key) in endpoints.enumerated() {
            for (reason, count) in totals[i].failureReasons {
                out.append(FailureCount(method: key.method, name: key.name,
                                        reason: reason.describe(check: checks[i]), count: count))
            }
        }
        return out.sorted { ($0.count, $1.name, $1.reason) > ($1.count, $0.name, $0.reason) }
    }
}
