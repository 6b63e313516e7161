import Protocol

/// Run-long sums of what workers reported, checked before each report is merged: every sum the
/// master's aggregation forms (totals, a second's row, a histogram's count, the running count while
/// walking it for percentiles) adds a subset of these values, so none can overflow while these stay
/// under `cap`. Each field is already range-checked per interval (`FieldRanges`); this bounds what
/// any number of reports add up to. 2^62 is 14 million requests per worker-second for 10,000 workers
/// over a year.
struct StatsBudget: Sendable, Equatable {
    static let cap: UInt64 = 1 << 62

    /// One report's sums. Computed before the master takes its lock (the walk over every count is
    /// this report's own work); adding them under it is four checked additions.
    struct Sums: Sendable, Equatable {
        /// Requests, failures, drops, histogram counts and failure tallies.
        var counts: UInt64 = 0
        var bytes: UInt64 = 0
        /// CPU and wall microseconds.
        var micros: UInt64 = 0
        /// Users, summed over intervals (a second's row adds its reporters' users).
        var users: UInt64 = 0

        /// `nil` when the report alone passes the cap (a range-checked frame never does).
        init?(_ report: StatsReport) {
            for interval in report.intervals {
                guard Self.add(&users, UInt64(clamping: interval.users)), Self.add(&counts, interval.dropped),
                    Self.add(&micros, interval.cpuMicros), Self.add(&micros, interval.wallMicros)
                else { return nil }
                for endpoint in interval.endpoints {
                    guard Self.add(&counts, endpoint.requests), Self.add(&counts, endpoint.failures),
                        Self.add(&bytes, endpoint.bytes)
                    else { return nil }
                    for count in endpoint.latency.counts { guard Self.add(&counts, count) else { return nil } }
                    for count in endpoint.serviceTime.counts { guard Self.add(&counts, count) else { return nil } }
                    for tally in endpoint.failureReasons { guard Self.add(&counts, tally.count) else { return nil } }
                }
            }
        }

        init(counts: UInt64 = 0, bytes: UInt64 = 0, micros: UInt64 = 0, users: UInt64 = 0) {
            (self.counts, self.bytes, self.micros, self.users) = (counts, bytes, micros, users)
        }

        /// `sum + value`, false (and `sum` unchanged) past the cap.
        static func add(_ sum: inout UInt64, _ value: UInt64) -> Bool {
            let (total, overflow) = sum.addingReportingOverflow(value)
            guard !overflow, total <= StatsBudget.cap else { return false }
            sum = total
            return true
        }
    }

    private(set) var total = Sums()

    init(_ total: Sums = Sums()) {
        self.total = total
    }

    /// Adds a report's sums, or says that the run's would pass the cap (and adds nothing).
    mutating func admit(_ sums: Sums?) -> String? {
        var next = total
        guard let sums, Sums.add(&next.counts, sums.counts), Sums.add(&next.bytes, sums.bytes),
            Sums.add(&next.micros, sums.micros), Sums.add(&next.users, sums.users)
        else {
            return "the run's merged counts would pass \(Self.cap)"
        }
        total = next
        return nil
    }

    mutating func admit(_ report: StatsReport) -> String? { admit(Sums(report)) }
}
