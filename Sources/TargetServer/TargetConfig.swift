/// How the built-in target server listens and misbehaves.
///
/// The first three fields are fixed at start; the rest are the *knobs*, which can also be changed while the
/// server runs (`TargetServer.update(_:)` or `POST /control`). Knobs apply only to the workload endpoints
/// (`/Test/V1`…`/Test/V4`, `/login`, `/metrics`); 404/405 answers and the admin endpoints (`/stats`,
/// `/control`) are never delayed or failed, so a test can always observe and undo what it set.
///
/// Fractions are deterministic by count, not random: with fraction `f`, the `k`-th workload request since the
/// last knob change (or stats reset) on an event loop is selected exactly when `floor(k·f) > floor((k−1)·f)`.
/// So `errorFraction = 0.1` fails requests 10, 20, 30, … and any 100 consecutive requests hold exactly 10
/// failures (with `threads == 1`; with more threads each event loop keeps its own count).
public struct TargetConfig: Sendable, Hashable {
    /// Address to bind. The default keeps the server off every interface but loopback.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 asks the kernel for a free one (read it back from `TargetServer.port`).
    public var port: Int = 0
    /// Event-loop threads. The target shares the machine with the load generator, so one is the default.
    public var threads: Int = 1

    /// Latency added to every workload response.
    public var delay: Duration = .zero
    /// Share of workload requests (0…1) that get `slowDelay` on top of `delay`.
    public var slowFraction: Double = 0
    /// Extra latency for the `slowFraction` share.
    public var slowDelay: Duration = .zero
    /// Share of workload requests (0…1) answered with `errorStatus` instead of their normal body.
    public var errorFraction: Double = 0
    /// Status for injected errors (200…599).
    public var errorStatus: Int = 500
    /// Hold every workload response until this long after the server starts (or, at runtime, after the
    /// change): a target that freezes, then answers everything that queued up at once.
    public var stall: Duration = .zero

    /// Longest delay, slow delay or stall accepted: far beyond any test, small enough to never overflow.
    public static let maximumDelay: Duration = .seconds(3600)
    /// Most event-loop threads accepted.
    public static let maximumThreads = 64

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        threads: Int = 1,
        delay: Duration = .zero,
        slowFraction: Double = 0,
        slowDelay: Duration = .zero,
        errorFraction: Double = 0,
        errorStatus: Int = 500,
        stall: Duration = .zero
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.delay = delay
        self.slowFraction = slowFraction
        self.slowDelay = slowDelay
        self.errorFraction = errorFraction
        self.errorStatus = errorStatus
        self.stall = stall
    }

    /// Throws `TargetServerError` naming the first field that is out of range.
    public func validate() throws {
        guard (0...65535).contains(port) else {
            throw TargetServerError.invalidConfig(field: "port", value: "\(port)", reason: "must be 0…65535")
        }
        guard (1...Self.maximumThreads).contains(threads) else {
            throw TargetServerError.invalidConfig(
                field: "threads", value: "\(threads)", reason: "must be 1…\(Self.maximumThreads)")
        }
        try Self.checkDuration(delay, field: "delay")
        try Self.checkDuration(slowDelay, field: "slowDelay")
        try Self.checkDuration(stall, field: "stall")
        try Self.checkFraction(slowFraction, field: "slowFraction")
        try Self.checkFraction(errorFraction, field: "errorFraction")
        try Self.checkStatus(errorStatus, field: "errorStatus")
    }

    static func checkDuration(_ value: Duration, field: String) throws {
        guard value >= .zero, value <= maximumDelay else {
            throw TargetServerError.invalidConfig(field: field, value: "\(value)", reason: "must be 0…3600 s")
        }
    }

    static func checkFraction(_ value: Double, field: String) throws {
        guard value.isFinite, (0...1).contains(value) else {
            throw TargetServerError.invalidConfig(field: field, value: "\(value)", reason: "must be 0…1")
        }
    }

    static func checkStatus(_ value: Int, field: String) throws {
        // 1xx would leave the client waiting for a final response that never comes.
        guard (200...599).contains(value) else {
            throw TargetServerError.invalidConfig(field: field, value: "\(value)", reason: "must be 200…599")
        }
    }
}
