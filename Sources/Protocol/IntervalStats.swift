/// A histogram as the non-empty buckets it holds: each `values[i]` is the highest value equivalent
/// to its bucket, recorded `counts[i]` times. Re-recording these values rebuilds the histogram's
/// bucket counts exactly, which is what makes merged percentiles exact.
///
/// In JSON it is one string, `"DELTA.COUNT,DELTA.COUNT,…"` with each value as the difference from
/// the previous one (one token per histogram instead of thousands of numbers). Workers send their
/// stats in the binary frame instead (`BinaryFrame`: the same deltas as varints); a master still
/// reads this JSON form.
public struct SparseHistogram: Codable, Sendable, Equatable {
    public var values: [UInt64]
    public var counts: [UInt64]

    public init(values: [UInt64] = [], counts: [UInt64] = []) {
        self.values = values
        self.counts = counts
    }

    public var isEmpty: Bool { values.isEmpty }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = SparseHistogram(packed: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a packed histogram (DELTA.COUNT,… with ascending values)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(packed)
    }

    /// The wire text; values must ascend, as a histogram's buckets do.
    public var packed: String {
        var text = ""
        text.reserveCapacity(values.count * 8)
        var previous: UInt64 = 0
        for i in values.indices {
            if i > 0 { text.append(",") }
            text.append(String(values[i] &- previous))
            text.append(".")
            text.append(String(counts[i]))
            previous = values[i]
        }
        return text
    }

    /// Parses `packed`; `nil` for anything malformed (a bad frame must not crash a master).
    public init?(packed text: String) {
        self.init()
        var number: UInt64 = 0
        var digits = 0
        var delta: UInt64?
        var previous: UInt64 = 0
        func finishPair(_ count: UInt64) -> Bool {
            guard let delta, digits > 0 else { return false }
            let (value, overflow) = previous.addingReportingOverflow(delta)
            guard !overflow, values.isEmpty || delta > 0 else { return false }
            values.append(value)
            counts.append(count)
            previous = value
            return true
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (times, o1) = number.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                number = sum
                digits += 1
            case UInt8(ascii: "."):
                guard delta == nil, digits > 0 else { return nil }
                delta = number
                number = 0
                digits = 0
            case UInt8(ascii: ","):
                guard finishPair(number) else { return nil }
                delta = nil
                number = 0
                digits = 0
            default:
                return nil
            }
        }
        if !text.isEmpty && !finishPair(number) { return nil }
    }
}

/// How often failures read `reason` in a summary's slow period: the rendered form of `ReasonTally`.
public struct FailureTally: Codable, Sendable, Equatable {
    public var reason: String
    public var count: UInt64

    public init(reason: String, count: UInt64) {
        self.reason = reason
        self.count = count
    }
}

/// One endpoint's share of an interval. Latencies are microseconds.
public struct EndpointInterval: Codable, Sendable, Equatable {
    public var key: EndpointKey
    public var requests: UInt64
    public var failures: UInt64
    public var bytes: UInt64
    /// From each request's intended start.
    public var latency: SparseHistogram
    /// From each request's actual send.
    public var serviceTime: SparseHistogram
    public var failureReasons: [ReasonTally]
    /// From each request's intended start to its hand-over to libcurl: the generator's schedule lag.
    /// Absent from nodes that do not measure it.
    public var lag: SparseHistogram?
    /// Where the answered requests' time went (`EndpointPhases`); absent from nodes that do not measure it.
    public var phases: EndpointPhases?

    public init(
        key: EndpointKey, requests: UInt64, failures: UInt64, bytes: UInt64, latency: SparseHistogram,
        serviceTime: SparseHistogram, failureReasons: [ReasonTally]
    ) {
        self.key = key
        self.requests = requests
        self.failures = failures
        self.bytes = bytes
        self.latency = latency
        self.serviceTime = serviceTime
        self.failureReasons = failureReasons
    }

    enum CodingKeys: String, CodingKey {
        case key, requests, failures, bytes, latency, serviceTime = "service_time", failureReasons = "failure_reasons"
        case lag, phases
    }
}

/// What one engine thread (or one node) measured in one second of a run: a delta, never a
/// running total. The unit both the local aggregator and a fleet's master merge.
public struct IntervalStats: Codable, Sendable, Equatable {
    /// Seconds since the run's start: the interval is `[second, second + 1)`.
    public var second: Int
    public var users: Int
    /// Iterations the open model could not start on time.
    public var dropped: UInt64
    /// CPU the generator's engine threads used, and the wall time they spanned.
    public var cpuMicros: UInt64
    public var wallMicros: UInt64
    /// How many engine threads this interval sums (for the CPU share).
    public var threads: Int
    public var endpoints: [EndpointInterval]
    /// The checks table's counts for this second; `nil` when the scenario has no checks.
    public var checks: [CheckTally]?
    /// Steps not sent because an earlier step of their iteration failed to extract a value.
    public var skipped: UInt64?
    /// Connections opened in the interval (libcurl's `CURLINFO_NUM_CONNECTS` summed); absent from nodes
    /// that do not count them.
    public var newConnections: UInt64?

    public init(
        second: Int, users: Int, dropped: UInt64, cpuMicros: UInt64, wallMicros: UInt64, threads: Int,
        endpoints: [EndpointInterval]
    ) {
        self.second = second
        self.users = users
        self.dropped = dropped
        self.cpuMicros = cpuMicros
        self.wallMicros = wallMicros
        self.threads = threads
        self.endpoints = endpoints
    }

    enum CodingKeys: String, CodingKey {
        case second, users, dropped, cpuMicros = "cpu_micros", wallMicros = "wall_micros", threads, endpoints
        case checks, skipped, newConnections = "new_connections"
    }
}
