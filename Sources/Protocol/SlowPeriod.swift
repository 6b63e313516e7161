/// A stretch of a run where something went wrong, as the summary lists it: whole seconds in which the
/// p99 exceeded the scenario's bound (`report: { slow_p99: … }`), failures exceeded their share
/// (`slow_failures:`), or nothing completed while a request was outstanding (a hang). Adjacent bad
/// seconds merge into one period, so a 12 s hang of the target reads as one period of about 12 s.
public struct SlowPeriod: Codable, Sendable, Equatable {
    /// Why a second belongs to a period.
    public enum Cause: String, Codable, Sendable, Equatable, Comparable {
        /// Nothing completed while a request was outstanding: the next completion had waited this long.
        case hang
        /// The second's p99 (from each request's intended start) exceeded `slow_p99`.
        case p99
        /// The second's failed share of completed requests exceeded `slow_failures`.
        case failures

        public static func < (a: Cause, b: Cause) -> Bool { a.rawValue < b.rawValue }
    }

    /// The run second the period starts at (the history's `second`), and the one after its last.
    public var startS: Int
    public var endS: Int
    /// Unix time of the start.
    public var startedAt: Int
    public var causes: [Cause]
    /// The worst per-second p99 and the highest latency in the period, milliseconds; 0 when only hung
    /// seconds (no completions) were in it.
    public var worstP99Ms: Double
    public var maxMs: Double
    /// Requests completed and failed within the period.
    public var requests: UInt64
    public var failures: UInt64
    /// The period's failures by reason (all endpoints together), most frequent first.
    public var failuresByReason: [FailureTally]
    /// The mark (`loadctl mark`) closest to the period's start, if the run has marks.
    public var nearestMark: NearestMark?

    public init(
        startS: Int, endS: Int, startedAt: Int, causes: [Cause], worstP99Ms: Double, maxMs: Double,
        requests: UInt64, failures: UInt64, failuresByReason: [FailureTally]
    ) {
        self.startS = startS
        self.endS = endS
        self.startedAt = startedAt
        self.causes = causes
        self.worstP99Ms = worstP99Ms
        self.maxMs = maxMs
        self.requests = requests
        self.failures = failures
        self.failuresByReason = failuresByReason
    }

    public var durationS: Int { endS - startS }

    enum CodingKeys: String, CodingKey {
        case startS = "start_s", endS = "end_s", startedAt = "started_at", causes, worstP99Ms = "worst_p99_ms"
        case maxMs = "max_ms", requests, failures, failuresByReason = "failures_by_reason"
        case nearestMark = "nearest_mark"
    }
}

/// The mark nearest a slow period and how far from the period's start it was.
public struct NearestMark: Codable, Sendable, Equatable {
    public var text: String
    public var elapsedS: Double
    /// The mark's time minus the period's start, seconds: negative when the mark came first.
    public var offsetS: Double

    public init(text: String, elapsedS: Double, offsetS: Double) {
        self.text = text
        self.elapsedS = elapsedS
        self.offsetS = offsetS
    }

    enum CodingKeys: String, CodingKey {
        case text, elapsedS = "elapsed_s", offsetS = "offset_s"
    }
}

extension SlowPeriod {
    /// `periods` with each one's nearest mark filled in from `marks`.
    public static func withNearestMarks(_ periods: [SlowPeriod], _ marks: [RunMark]) -> [SlowPeriod] {
        guard !marks.isEmpty else { return periods }
        return periods.map { period in
            var period = period
            let start = Double(period.startS)
            if let mark = marks.min(by: { abs($0.elapsedS - start) < abs($1.elapsedS - start) }) {
                let offset = ((mark.elapsedS - start) * 1000).rounded() / 1000
                period.nearestMark = NearestMark(text: mark.text, elapsedS: mark.elapsedS, offsetS: offset)
            }
            return period
        }
    }
}
