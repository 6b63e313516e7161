import Protocol

/// What the aggregator keeps across seconds for Locust's files: the run so far (one latency
/// histogram for all endpoints, its counts and bytes), when each failure reason of each endpoint was
/// first and last seen, and how much of the newest closed second was measured. Memory is one
/// histogram plus one entry per endpoint and reason, the same bound as the totals'.
struct RunSoFarTracker: Sendable {
    /// Locust's history columns: 50 … 99.99 %, then 100 % (the maximum).
    static let percentiles: [Double] = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100]
    /// A closed second whose reporters' wall time covers less than this share of it was cut short.
    static let fullSecondShare = 0.9

    private var latency = LatencyHistogram()
    private var requests: UInt64 = 0
    private var failures: UInt64 = 0
    private var bytes: UInt64 = 0
    private var seen: [EndpointKey: [FailureReason: SeenSpan]] = [:]
    /// Failures by reason (all endpoints) of each second that had any, for the slow periods; the
    /// oldest are dropped past `maxSecondsWithReasons`. Typed: only a slow period's seconds are
    /// ever worded.
    private(set) var reasonsBySecond: [Int: [FailureKind: UInt64]] = [:]
    static let maxSecondsWithReasons = 86_400
    /// The highest closed second and the share of it its reporters measured.
    private(set) var newest: (second: Int, share: Double)?

    struct SeenSpan: Sendable {
        var first: Int
        var last: Int
    }

    /// Notes the failure reasons of one interval row, seen in run second `second`.
    mutating func noteFailures(_ row: EndpointInterval, second: Int) {
        guard !row.failureReasons.isEmpty else { return }
        var reasons = seen[row.key, default: [:]]
        var ofSecond = reasonsBySecond[second, default: [:]]
        for tally in row.failureReasons where tally.count > 0 {
            let kind = FailureKind(tally.reason, of: row.key)
            ofSecond[kind] = ofSecond[kind, default: 0].saturatingAdd(tally.count)
            if var span = reasons[tally.reason] {
                span.first = min(span.first, second)
                span.last = max(span.last, second)
                reasons[tally.reason] = span
            } else {
                reasons[tally.reason] = SeenSpan(first: second, last: second)
            }
        }
        seen[row.key] = reasons
        reasonsBySecond[second] = ofSecond
        if reasonsBySecond.count > Self.maxSecondsWithReasons {
            // One sweep drops the oldest tenth, so the sweep is rare.
            let keep = second - Self.maxSecondsWithReasons * 9 / 10
            reasonsBySecond = reasonsBySecond.filter { $0.key >= keep }
        }
    }

    /// First and last run second `reason` of `key` was seen in.
    func seenSpan(_ key: EndpointKey, _ reason: FailureReason) -> SeenSpan? {
        seen[key]?[reason]
    }

    /// Adds a late interval's figures (its second already closed) to the run so far.
    mutating func addLate(_ row: EndpointInterval) {
        requests = requests.saturatingAdd(row.requests)
        failures = failures.saturatingAdd(row.failures)
        bytes = bytes.saturatingAdd(row.bytes)
        row.latency.add(into: &latency)
    }

    /// Adds a closing second and returns the run so far at its end. `wallMicros` over
    /// `threads` seconds of engine time says how much of the second was measured.
    mutating func close(
        second: Int, latency secondLatency: LatencyHistogram, requests secondRequests: UInt64,
        failures secondFailures: UInt64, bytes secondBytes: UInt64, wallMicros: UInt64,
        threads: Int
    ) -> RunSoFar {
        latency.add(secondLatency)
        requests = requests.saturatingAdd(secondRequests)
        failures = failures.saturatingAdd(secondFailures)
        bytes = bytes.saturatingAdd(secondBytes)
        let share = threads <= 0 ? 1 : Double(wallMicros) / (Double(threads) * 1_000_000)
        if newest == nil || second >= newest!.second { newest = (second, share) }
        let (values, mean) = latency.percentilesAndMean(Self.percentiles)
        let hasData = latency.totalCount > 0
        return RunSoFar(
            requests: requests, failures: failures, percentilesMs: values.map { hasData ? Double($0) / 1000 : 0 },
            minMs: Double(latency.min) / 1000, avgMs: mean / 1000,
            avgBytes: requests == 0 ? 0 : Double(bytes) / Double(requests))
    }

    /// `history` with its newest sample marked partial when the run measured too little of it.
    func markingPartialTail(_ history: [HistorySample]) -> [HistorySample] {
        guard let newest, newest.share < Self.fullSecondShare, let last = history.last, last.second == newest.second
        else { return history }
        var marked = history
        marked[marked.count - 1].partial = true
        return marked
    }
}

/// A `RunSoFarTracker`'s state for a run checkpoint (`RunAggregator.Checkpoint`).
public struct RunSoFarCheckpoint: Codable, Sendable, Equatable {
    var latency: SparseHistogram
    var requests: UInt64
    var failures: UInt64
    var bytes: UInt64
    var seen: [Seen]
    var reasonsBySecond: [SecondReason]
    var newestSecond: Int?
    var newestShare: Double?

    struct Seen: Codable, Sendable, Equatable {
        var method: String
        var name: String
        var reason: FailureReason
        var first: Int
        var last: Int
    }

    /// One count of `RunSoFarTracker.reasonsBySecond`: a list, since JSON keys are text only.
    struct SecondReason: Codable, Sendable, Equatable {
        var second: Int
        var reason: FailureReason
        /// The endpoint a body check failed on (`FailureKind`); absent for other reasons.
        var endpoint: EndpointKey?
        var count: UInt64
    }
}

extension RunSoFarTracker {
    func checkpoint() -> RunSoFarCheckpoint {
        var spans: [RunSoFarCheckpoint.Seen] = []
        for (key, reasons) in seen {
            for (reason, span) in reasons {
                spans.append(
                    .init(method: key.method, name: key.name, reason: reason, first: span.first, last: span.last))
            }
        }
        return RunSoFarCheckpoint(
            latency: SparseHistogram(latency), requests: requests, failures: failures, bytes: bytes,
            seen: spans,
            reasonsBySecond: reasonsBySecond.sorted { $0.key < $1.key }.flatMap { second, kinds in
                kinds.map { .init(second: second, reason: $0.key.reason, endpoint: $0.key.endpoint, count: $0.value) }
            },
            newestSecond: newest?.second,
            newestShare: newest?.share)
    }

    init(restoring saved: RunSoFarCheckpoint) {
        self.init()
        saved.latency.add(into: &latency)
        requests = saved.requests
        failures = saved.failures
        bytes = saved.bytes
        for span in saved.seen {
            seen[EndpointKey(method: span.method, name: span.name), default: [:]][span.reason] =
                SeenSpan(first: span.first, last: span.last)
        }
        for saved in saved.reasonsBySecond {
            var kind = FailureKind(saved.reason, of: saved.endpoint ?? EndpointKey(method: "", name: ""))
            kind.endpoint = saved.endpoint
            reasonsBySecond[saved.second, default: [:]][kind, default: 0] += saved.count
        }
        if let second = saved.newestSecond, let share = saved.newestShare { newest = (second, share) }
    }
}
