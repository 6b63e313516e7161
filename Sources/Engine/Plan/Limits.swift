/// The documented range of every number a scenario (or a run override) can carry, in one place so the
/// loader, the CLI flags, the daemon and the README state the same bounds. A value outside its range is
/// refused by `loadctl validate` with the file, line, column and field; nothing past these bounds ever
/// reaches the engine, whose arithmetic (`Int(Double)`, sums of weights, nanosecond durations) they keep
/// far from overflow.
public enum ScenarioLimits {
    /// Virtual users on one node (`users:`, a closed-model stage's target, `--users`).
    public static let users: ClosedRange<Int> = 1...1_000_000
    /// A closed-model stage may ramp down to no users at all.
    public static let stageUsers: ClosedRange<Int> = 0...users.upperBound
    /// Users started or stopped per second (`spawn_rate:`, `--spawn-rate`).
    public static let spawnRate: ClosedRange<Double> = 0.001...1_000_000
    /// Open-model arrivals per second (`rate:`, a rate stage's target, `--rate`); a stage may also be exactly 0.
    public static let rate: ClosedRange<Double> = 0.001...10_000_000
    /// Open-model iterations in flight at once (`max_in_flight:`).
    public static let maxInFlight: ClosedRange<Int> = 1...1_000_000
    /// A task's `weight:`.
    public static let weight: ClosedRange<Int> = 1...1_000_000
    /// `check: { status: … }`.
    public static let status: ClosedRange<Int> = 100...599
    /// `{{random_int A B}}` bounds: far inside `Int`, so `B - A + 1` cannot overflow.
    public static let randomInt: ClosedRange<Int> = -1_000_000_000_000_000...1_000_000_000_000_000
    /// `report: { slow_p99: … }`: from 1 ms to an hour.
    public static let slowP99: ClosedRange<Duration> = .milliseconds(1)...(.seconds(3600))
    /// `report: { slow_failures: … }`: a share of a second's completed requests, 0…100 % (0…1).
    public static let slowFailures: ClosedRange<Double> = 0...1
    /// A threshold's value, after its unit (ms, %, k, M) is applied.
    public static let thresholdValue: ClosedRange<Double> = 0...1_000_000_000_000

    /// The longest any duration may be: `duration:`, stages, `warmup:`, `timeout:`, `wait:`, `grace:`.
    public static let maxDuration: Duration = .seconds(30 * 24 * 3600)
    /// `duration:`, a stage's `duration:`, `warmup:`: more than 0 and at most 30 days.
    public static let duration: ClosedRange<Duration> = .nanoseconds(1)...maxDuration
    /// `timeout:`: a request timeout is whole milliseconds to libcurl, where 0 would mean "never".
    public static let timeout: ClosedRange<Duration> = .milliseconds(1)...maxDuration
    /// `wait:` (constant or between) and a threshold's `grace:`: 0 is allowed.
    public static let pause: ClosedRange<Duration> = .zero...maxDuration

    /// Requests (steps of `tasks:` and `on_start:`) in one scenario: each distinct one is a stats row with
    /// its own histograms on every engine thread.
    public static let maxRequests = 1_000
    /// Header lines one request sends, the scenario's `headers:` included.
    public static let maxHeaders = 100
    /// Entries in `vars:`, rendered for every user.
    public static let maxVars = 1_000

    /// The most stages one load shape may list.
    public static let maxStages = 10_000

    /// A scenario's text, in bytes.
    public static let maxScenarioBytes = 4 << 20
    /// Nodes that YAML aliases (`*name`, including those under a merge key `<<:`) may add to a scenario
    /// when expanded: a few aliases can otherwise stand for billions of nodes ("billion laughs").
    public static let maxAliasNodes = 100_000
    /// Bytes of scalar text that aliases may add when expanded (one long string aliased many times).
    public static let maxAliasBytes = 4 << 20
    /// Lists and mappings inside one another: the loader and Yams walk a document recursively, and a
    /// thread's stack (512 KiB on a Swift task) must hold the deepest walk.
    public static let maxNesting = 64
    /// One step's body (`json:`, `form:` or `body:`) as built, before placeholders are rendered.
    public static let maxBodyBytes = 1 << 20

    /// `check: { max_ms: … }`: whole milliseconds, at most the longest timeout.
    public static let maxMillis: ClosedRange<Int> = 1...2_592_000_000
    /// Entries in one step's `extract:`, and checks in one step's `json:` or `header:` check.
    public static let maxExtracts = 100
    /// Rows of the checks table (every check of every step): each travels in a fleet's stats frames.
    public static let maxCheckRows = 1_000
    /// A JSON path's length in bytes (`extract: { x: { json: … } }`, `check: { json: … }`).
    public static let maxJSONPathBytes = 1024
    /// An array index in a JSON path: `[-1]` is the last element.
    public static let jsonIndex: ClosedRange<Int> = -1_000_000...1_000_000
    /// The text a `check: { json: … }` value or `header:` substring may hold, in bytes.
    public static let maxCheckTextBytes = 1024
    /// One extracted value, in bytes: a user keeps it for its life, so a hostile target's 1 MiB answer
    /// must not become 1 MiB per user.
    public static let maxExtractedBytes = 65_536
    /// A regular expression's length in bytes (`extract: { x: { regex: … } }`).
    public static let maxRegexBytes = 4096
    /// `--var NAME=VALUE`: how many, and the longest value in bytes.
    public static let maxCLIVars = 1_000
    public static let maxCLIVarBytes = 65_536

    /// Data rows in a `data: { csv: … }` file (after the header).
    public static let maxCSVRows = 1_000_000
    /// Columns in a CSV file's header.
    public static let maxCSVColumns = 1_000
    /// A CSV file's size in bytes; the reader refuses larger files before reading them.
    public static let maxCSVBytes = 64 << 20
}

/// Numbers in messages written as a user would type them back: `1000000`, not `1e+06`.
enum NumberFormat {
    static func plain(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return "\(Int64(value))" }
        return "\(value)"
    }
}

/// Durations in messages as a scenario writes them: `30d` reads as `720h`, `1ms`, `90s`.
enum DurationFormat {
    static func short(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds == 0 && attoseconds == 0 { return "0s" }
        if attoseconds == 0 {
            if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
            if seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1000 == 0 { return "\(nanoseconds / 1000)us" }
        return "\(nanoseconds)ns"
    }
}
