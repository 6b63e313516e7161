/// A runtime change to the knobs of a running `TargetServer`; `nil` fields are left as they are.
///
/// The same change can be sent over HTTP as
/// `POST /control?delay_ms=&slow_fraction=&slow_ms=&error_fraction=&error_status=&stall_ms=`.
public struct TargetChange: Sendable, Hashable {
    /// New fixed latency for every workload response.
    public var delay: Duration?
    /// New share (0…1) of workload requests that are slow.
    public var slowFraction: Double?
    /// New extra latency of a slow request.
    public var slowDelay: Duration?
    /// New share (0…1) of workload requests answered with `errorStatus`.
    public var errorFraction: Double?
    /// New status for injected errors (200…599).
    public var errorStatus: Int?
    /// Start a stall now: every workload response is held until this much time has passed. `.zero` ends a
    /// running stall at once.
    public var stall: Duration?

    public init(
        delay: Duration? = nil,
        slowFraction: Double? = nil,
        slowDelay: Duration? = nil,
        errorFraction: Double? = nil,
        errorStatus: Int? = nil,
        stall: Duration? = nil
    ) {
        self.delay = delay
        self.slowFraction = slowFraction
        self.slowDelay = slowDelay
        self.errorFraction = errorFraction
        self.errorStatus = errorStatus
        self.stall = stall
    }

    /// Throws `TargetServerError` naming the first field that is out of range.
    public func validate() throws {
        if let delay { try TargetConfig.checkDuration(delay, field: "delay") }
        if let slowDelay { try TargetConfig.checkDuration(slowDelay, field: "slowDelay") }
        if let stall { try TargetConfig.checkDuration(stall, field: "stall") }
        if let slowFraction { try TargetConfig.checkFraction(slowFraction, field: "slowFraction") }
        if let errorFraction { try TargetConfig.checkFraction(errorFraction, field: "errorFraction") }
        if let errorStatus { try TargetConfig.checkStatus(errorStatus, field: "errorStatus") }
    }

    /// Parses the query string of a `/control` request (the part after `?`, without it).
    ///
    /// Durations are milliseconds and may be fractional (`delay_ms=0.5`). An unknown name or a value that
    /// is not a number throws, naming it; ranges are checked by `validate()`.
    public init(query: Substring) throws {
        self.init()
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0]
            let value = parts.count > 1 ? parts[1] : ""
            switch name {
            case "delay_ms": delay = try Self.millis(value, name)
            case "slow_fraction": slowFraction = try Self.number(value, name)
            case "slow_ms": slowDelay = try Self.millis(value, name)
            case "error_fraction": errorFraction = try Self.number(value, name)
            case "error_status":
                guard let status = Int(value) else { throw Self.notANumber(name, value) }
                errorStatus = status
            case "stall_ms": stall = try Self.millis(value, name)
            default:
                throw TargetServerError.invalidConfig(
                    field: String(name), value: String(value),
                    reason: "unknown knob; known: delay_ms, slow_fraction, slow_ms, error_fraction, "
                        + "error_status, stall_ms")
            }
        }
    }

    private static func number(_ text: Substring, _ name: Substring) throws -> Double {
        guard let value = Double(text), value.isFinite else { throw notANumber(name, text) }
        return value
    }

    private static func millis(_ text: Substring, _ name: Substring) throws -> Duration {
        let ms = try number(text, name)
        // Checked here, before the conversion, because a huge value would trap in Duration's arithmetic.
        guard ms >= 0, ms <= 3_600_000 else {
            throw TargetServerError.invalidConfig(
                field: String(name), value: String(text), reason: "must be 0…3600000 ms")
        }
        return .nanoseconds(Int64((ms * 1_000_000).rounded()))
    }

    private static func notANumber(_ name: Substring, _ text: Substring) -> TargetServerError {
        .invalidConfig(field: String(name), value: String(text), reason: "not a number")
    }
}

extension TargetConfig {
    /// This configuration with `change` applied. `stall` is not touched: a stall is an event with a start
    /// time, which the server records separately.
    func applying(_ change: TargetChange) -> TargetConfig {
        var next = self
        if let delay = change.delay { next.delay = delay }
        if let slowFraction = change.slowFraction { next.slowFraction = slowFraction }
        if let slowDelay = change.slowDelay { next.slowDelay = slowDelay }
        if let errorFraction = change.errorFraction { next.errorFraction = errorFraction }
        if let errorStatus = change.errorStatus { next.errorStatus = errorStatus }
        return next
    }
}
