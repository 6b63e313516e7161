/// A writer of Prometheus' text exposition format (version 0.0.4), which every Prometheus,
/// VictoriaMetrics, Grafana Agent and `promtool check metrics` reads.
///
/// Why not swift-prometheus: it is a process-wide registry of live counters that code increments as
/// events happen. loadd already keeps its figures (the run's aggregator, merged across a fleet);
/// exposing them means rendering one snapshot, and a registry would be a second copy of every count
/// kept in step by hand, with its series left behind when a run (and its `run_id` label) ends.
/// What a registry adds on top is this file's job: escaping, `# HELP`/`# TYPE` once per family, and
/// number formats Prometheus reads.
public struct PrometheusText {
    public enum Kind: String {
        case counter, gauge, histogram
    }

    public private(set) var text = ""
    /// Families already described: each `# TYPE` may appear once, before its samples.
    private var declared: Set<String> = []

    public init() {}

    /// Opens family `name` (once; a second call adds nothing).
    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        guard declared.insert(name).inserted else { return }
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample line; `labels` keep their order.
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        line(name, labels, Self.format(value))
    }

    /// One sample line of an integer count, written exactly (a Double would round past 2^53).
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: UInt64) {
        line(name, labels, String(value))
    }

    private mutating func line(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",")
            text += "}"
        }
        text += " \(value)\n"
    }

    /// Numbers as Go's ParseFloat reads them: `+Inf`, `-Inf`, `NaN` spelled Prometheus' way.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Label values: backslash, double quote and line feed escaped; anything else is UTF-8 as is.
    static func escapeLabel(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Help text: backslash and line feed escaped.
    static func escapeHelp(_ value: String) -> String {
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// The `Content-Type` of this format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
