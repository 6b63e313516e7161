import Protocol

/// Run-long sums of what workers reported, checked before each report is merged: every sum the
/// master's aggregation forms (totals, a second's row, a histogram's count, the running count while
/// walking it for percentiles) adds a subset of these values, so none can overflow while these stay
/// under `cap`. Each field is already range-checked per interval (`FieldRanges`); this bounds what
/// any number of reports add up to. 2^62 is 14 million requests per worker-second for 10,000 workers
/// over a year.
struct StatsBudget: Sendable, Equatable {
    static let cap: UInt64 = 1 << 62

    /// Requests, failures, drops, histogram counts and failure tallies.
    private(set) var counts: UInt64 = 0
    private(set) var bytes: UInt64 = 0
    /// CPU and wall microseconds.
    private(set) var micros: UInt64 = 0
    /// Users, summed over intervals (a second's row adds its reporters' users).
    private(set) var users: UInt64 = 0

    init(counts: UInt64 = 0, bytes: UInt64 = 0, micros: UInt64 = 0, users: UInt64 = 0) {
        (self.counts, self.bytes, self.micros, self.users) = (counts, bytes, micros, users)
    }

    /// Adds `report`'s sums, or names the sum that would pass the cap (and adds nothing).
    mutating func admit(_ report: StatsReport) -> String? {
        var next = self
        for interval in report.intervals {
            guard Self.add(&next.users, UInt64(clamping: interval.users)),
                  Self.add(&next.counts, interval.dropped),
                  Self.add(&next.micros, interval.cpuMicros), Self.add(&next.micros, interval.wallMicros) else {
                return "the run's merged counts would pass \(Self.cap)"
            }
            for endpoint in interval.endpoints {
                guard Self.add(&next.counts, endpoint.requests), Self.add(&next.counts, endpoint.failures),
                      Self.add(&next.bytes, endpoint.bytes),
                      endpoint.latency.counts.allSatisfy({ Self.add(&next.counts, $0) }),
                      endpoint.serviceTime.counts.allSatisfy({ Self.add(&next.counts, $0) }),
                      endpoint.failureReasons.allSatisfy({ Self.add(&next.counts, $0.count) }) else {
                    return "the run's merged counts would pass \(Self.cap)"
                }
            }
        }
        self = next
        return nil
    }

    private static func add(_ sum: inout UInt64, _ value: UInt64) -> Bool {
        let (total, overflow) = sum.addingReportingOverflow(value)
        guard !overflow, total <= Self.cap else { return false }
        sum = total
        return true
    }
}
