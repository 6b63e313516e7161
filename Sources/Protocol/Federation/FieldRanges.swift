/// A frame field whose value is outside its documented range: the frame is refused and the
/// connection closed with this as the reason, e.g. `hello.weight: must be 0…1000, got 1e308`.
public struct FieldRangeError: Error, Equatable, CustomStringConvertible {
    /// `kind.field`, as the JSON keys spell it.
    public let field: String
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}

/// The range of every number a federation frame carries. A well-formed frame can still say
/// `weight: 1e308` or a count of 2^64 − 1; these bounds keep every sum a master or worker forms
/// from peer values finite and far from overflow (see `StatsBudget` for the run-long sums).
public enum FieldRanges {
    public static let cores: ClosedRange<Int> = 1...4096
    public static let threads: ClosedRange<Int> = 1...4096
    /// Relative capacity per core; finite.
    public static let weight: ClosedRange<Double> = 0...1000
    /// Per worker (0 in `hello.max_users`: no limit of its own) and per engine thread's interval.
    public static let users: ClosedRange<Int> = 0...10_000_000
    /// Iterations per second, and users per second (spawn rate); finite.
    public static let rate: ClosedRange<Double> = 0...1_000_000_000
    public static let maxInFlight: ClosedRange<Int> = 1...10_000_000
    /// A run's second (and any second counted from a run's start): up to ten years.
    public static let second: ClosedRange<Int> = 0...315_360_000
    /// Milliseconds of a duration (warm-up, remaining, elapsed stages): up to ten years.
    public static let milliseconds: ClosedRange<Int> = 0...315_360_000_000
    public static let heartbeatTimeoutMs: ClosedRange<Int> = 100...3_600_000
    /// Requests, failures, drops, histogram counts and failure tallies of one interval (one engine
    /// thread, one second): 2^32 − 1, thousands of times what a thread can do.
    public static let count: ClosedRange<UInt64> = 0...UInt64(UInt32.max)
    /// Bytes received in one interval: 2^40 (a TiB per thread-second).
    public static let bytes: ClosedRange<UInt64> = 0...(1 << 40)
    /// CPU or wall time of one interval, µs: about 71 minutes.
    public static let micros: ClosedRange<UInt64> = 0...UInt64(UInt32.max)
    /// Latency bucket values, µs: 1 hour, the histograms' own range.
    public static let latencyMicros: ClosedRange<UInt64> = 0...3_600_000_000
    /// Assignment and sequence numbers: 2^53, exact as JSON numbers everywhere.
    public static let sequence: ClosedRange<UInt64> = 0...(1 << 53)
    /// Node names, run ids and endpoint names, in UTF-8 bytes.
    public static let nameBytes = 1...255
    public static let endpointBytes = 0...4096
    /// Free text (versions, reasons).
    public static let textBytes = 0...4096
    /// Hello nonces, in bytes.
    public static let nonceBytes = 16...64
    public static let dataSlots: ClosedRange<Int> = 1...1_000_000
    /// An assignment's `--var` values: how many, and each value's bytes (`ScenarioLimits.maxCLIVars`, `maxCLIVarBytes`);
    /// `secret_vars` (names only) holds at most as many.
    public static let varCount: ClosedRange<Int> = 0...1_000
    public static let varBytes = 0...65_536
}

/// Checks a value against a range, naming the field in the error. Field names are autoclosures:
/// a histogram's are built per bucket, and only a failing check should pay for the string.
struct RangeCheck {
    let kind: String

    func int(_ field: @autoclosure () -> String, _ value: Int, _ range: ClosedRange<Int>) throws(FieldRangeError) {
        guard range.contains(value) else { throw outside(field, "\(range.lowerBound)…\(range.upperBound)", "\(value)") }
    }

    func uint(_ field: @autoclosure () -> String, _ value: UInt64, _ range: ClosedRange<UInt64>) throws(FieldRangeError)
    {
        guard range.contains(value) else { throw outside(field, "\(range.lowerBound)…\(range.upperBound)", "\(value)") }
    }

    func double(
        _ field: @autoclosure () -> String, _ value: Double, _ range: ClosedRange<Double>
    ) throws(FieldRangeError) {
        guard value.isFinite, range.contains(value) else {
            throw outside(
                field, "\(Self.format(range.lowerBound))…\(Self.format(range.upperBound)) and finite",
                Self.format(value))
        }
    }

    func text(_ field: @autoclosure () -> String, _ value: String, _ bytes: ClosedRange<Int>) throws(FieldRangeError) {
        let count = value.utf8.count
        guard bytes.contains(count) else {
            throw outside(field, "\(bytes.lowerBound)…\(bytes.upperBound) bytes long", "\(count) bytes")
        }
    }

    func outside(_ field: () -> String, _ range: String, _ got: String) -> FieldRangeError {
        FieldRangeError(field: "\(kind).\(field())", problem: "must be \(range), got \(got)")
    }

    /// `1000`, not `1000.0`, in messages.
    static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }
}

extension FederationMessage {
    /// Checks every number (and name length) of the message against `FieldRanges`.
    /// - Throws: `FieldRangeError` naming the first field out of range.
    public func checkRanges() throws(FieldRangeError) {
        let check = RangeCheck(kind: kind.stringValue)
        switch self {
        case .hello(let hello):
            try check.text("node", hello.node.rawValue, FieldRanges.nameBytes)
            try check.text("loadd_version", hello.loaddVersion, FieldRanges.textBytes)
            try check.int("cores", hello.cores, FieldRanges.cores)
            try check.int("threads", hello.threads, FieldRanges.threads)
            try check.int("max_users", hello.maxUsers, FieldRanges.users)
            try check.double("weight", hello.weight, FieldRanges.weight)
            try check.int("nonce", hello.nonce.bytes.count, FieldRanges.nonceBytes)
        case .challenge, .proof, .heartbeat:
            break
        case .welcome(let welcome):
            try check.text("master", welcome.master.rawValue, FieldRanges.nameBytes)
            try check.int("heartbeat_timeout_ms", welcome.heartbeatTimeoutMs, FieldRanges.heartbeatTimeoutMs)
        case .refused(let refusal):
            try check.text("reason", refusal.reason, FieldRanges.textBytes)
        case .assign(let assignment):
            try assignment.checkRanges(check)
        case .setUsers(let change):
            try check.int("users", change.users, FieldRanges.users)
            try check.double("spawn_rate", change.spawnRate, FieldRanges.rate)
        case .setRate(let change):
            try check.double("rate", change.rate, FieldRanges.rate)
        case .setSlice:
            break   // `LoadSlice` refuses anything outside 0 ≤ from ≤ to ≤ 1 as it decodes
        case .reset(let request):
            try check.int("at_second", request.atSecond, FieldRanges.second)
        case .stop(let request):
            try check.text("run", request.run.rawValue, FieldRanges.nameBytes)
        case .stats(let report):
            try report.checkRanges(check)
        case .workerState(let report):
            if let run = report.run { try check.text("run", run.rawValue, FieldRanges.nameBytes) }
            try check.int("users", report.users, FieldRanges.users)
            try check.double("rps", report.rps, FieldRanges.rate)
            if let reason = report.abortReason { try check.text("abort_reason", reason, FieldRanges.textBytes) }
        case .statsAck(let ack):
            try check.text("run", ack.run.rawValue, FieldRanges.nameBytes)
            try check.uint("assignment", ack.assignment, FieldRanges.sequence)
            try check.uint("sequence", ack.sequence, FieldRanges.sequence)
        case .statsEnd(let end):
            try check.text("run", end.run.rawValue, FieldRanges.nameBytes)
            try check.uint("assignment", end.assignment, FieldRanges.sequence)
            try check.uint("sequence", end.sequence, FieldRanges.sequence)
            try check.uint("dropped_reports", end.droppedReports, FieldRanges.sequence)
            try check.uint("dropped_seconds", end.droppedSeconds, FieldRanges.sequence)
        }
    }
}

extension Assignment {
    fileprivate func checkRanges(_ check: RangeCheck) throws(FieldRangeError) {
        try check.text("run", run.rawValue, FieldRanges.nameBytes)
        try check.uint("assignment", assignment, FieldRanges.sequence)
        try share.checkRanges(check)
        if let vars {
            try check.int("vars", vars.count, FieldRanges.varCount)
            for (name, value) in vars {
                try check.text("vars.name", name, FieldRanges.nameBytes)
                try check.text("vars.value", value, FieldRanges.varBytes)
            }
        }
        if let secretVars {
            try check.int("secret_vars", secretVars.count, FieldRanges.varCount)
            for name in secretVars { try check.text("secret_vars.name", name, FieldRanges.nameBytes) }
        }
    }
}

extension FleetShare {
    /// Field names as before the share had its own type: `assign.data_slot`, not `assign.share.data_slot`.
    fileprivate func checkRanges(_ check: RangeCheck) throws(FieldRangeError) {
        try check.int("users", users, FieldRanges.users)
        try check.double("spawn_rate", spawnRate, FieldRanges.rate)
        if let rate { try check.double("rate", rate, FieldRanges.rate) }
        if let maxInFlight { try check.int("max_in_flight", maxInFlight, FieldRanges.maxInFlight) }
        if let warmupMs { try check.int("warmup_ms", warmupMs, FieldRanges.milliseconds) }
        if let remainingMs { try check.int("remaining_ms", remainingMs, FieldRanges.milliseconds) }
        try check.int("start_second", startSecond, FieldRanges.second)
        try check.int("stages_elapsed_ms", stagesElapsedMs, FieldRanges.milliseconds)
        try check.int("data_slots", dataSlots, FieldRanges.dataSlots)
        try check.int("data_slot", dataSlot, 0...(dataSlots - 1))
    }
}

extension StatsReport {
    fileprivate func checkRanges(_ check: RangeCheck) throws(FieldRangeError) {
        try check.text("node", node.rawValue, FieldRanges.nameBytes)
        try check.text("run", run.rawValue, FieldRanges.nameBytes)
        try check.uint("assignment", assignment, FieldRanges.sequence)
        try check.uint("sequence", sequence, FieldRanges.sequence)
        for interval in intervals {
            try check.int("second", interval.second, FieldRanges.second)
            try check.int("users", interval.users, FieldRanges.users)
            try check.uint("dropped", interval.dropped, FieldRanges.count)
            try check.uint("cpu_micros", interval.cpuMicros, FieldRanges.micros)
            try check.uint("wall_micros", interval.wallMicros, FieldRanges.micros)
            try check.int("threads", interval.threads, FieldRanges.threads)
            if let connections = interval.newConnections {
                try check.uint("new_connections", connections, FieldRanges.count)
            }
            for endpoint in interval.endpoints {
                try check.text("method", endpoint.key.method, FieldRanges.endpointBytes)
                try check.text("name", endpoint.key.name, FieldRanges.endpointBytes)
                try check.uint("requests", endpoint.requests, FieldRanges.count)
                try check.uint("failures", endpoint.failures, FieldRanges.count)
                try check.uint("bytes", endpoint.bytes, FieldRanges.bytes)
                try endpoint.latency.checkRanges("latency", check)
                try endpoint.serviceTime.checkRanges("service_time", check)
                try endpoint.lag?.checkRanges("lag", check)
                try endpoint.phases?.checkRanges(check)
                for tally in endpoint.failureReasons {
                    if case .tlsDetail(let text) = tally.reason {
                        try check.text("failure_reasons.reason", text, FieldRanges.textBytes)
                    }
                    try check.uint("failure_reasons.count", tally.count, FieldRanges.count)
                }
            }
            try check.uint("skipped", interval.skipped ?? 0, FieldRanges.count)
            for tally in interval.checks ?? [] {
                try check.text("checks.method", tally.method, FieldRanges.endpointBytes)
                try check.text("checks.name", tally.name, FieldRanges.endpointBytes)
                try check.text("checks.check", tally.check, FieldRanges.textBytes)
                try check.uint("checks.passes", tally.passes, FieldRanges.count)
                try check.uint("checks.fails", tally.fails, FieldRanges.count)
            }
        }
    }
}

extension SparseHistogram {
    /// Bucket values within the latency range, and counts whose sum (the histogram's total, which
    /// iterating it adds up) stays within one interval's count.
    fileprivate func checkRanges(_ field: String, _ check: RangeCheck) throws(FieldRangeError) {
        guard values.count == counts.count else {
            throw FieldRangeError(
                field: "\(check.kind).\(field)", problem: "\(values.count) values but \(counts.count) counts")
        }
        var total: UInt64 = 0
        for i in values.indices {
            try check.uint("\(field) value", values[i], FieldRanges.latencyMicros)
            try check.uint("\(field) count", counts[i], FieldRanges.count)
            total += counts[i]   // both ≤ 2^32 here: cannot overflow
            try check.uint("\(field) total", total, FieldRanges.count)
        }
    }
}
