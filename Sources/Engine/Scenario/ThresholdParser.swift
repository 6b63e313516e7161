import Protocol

/// Reads one threshold expression, `METRIC OP VALUE`, such as `p95 < 150ms`, `failure_rate < 0.1%`,
/// `rps > 90k` or `failures == 0`.
public enum ThresholdParser {
    /// Why an expression is not a threshold, in words a user can act on.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// What a metric's value is written in, which decides the units its value may carry.
    private enum Unit { case milliseconds, fraction, count }

    private static let metrics: [String: (Threshold.Metric, Unit)] = {
        var table: [String: (Threshold.Metric, Unit)] = [
            "median": (.percentile(50), .milliseconds), "avg": (.avg, .milliseconds),
            "min": (.min, .milliseconds), "max": (.max, .milliseconds),
            "failure_rate": (.failureRate, .fraction), "failures": (.failures, .count),
            "requests": (.requests, .count), "rps": (.rps, .count),
        ]
        for p in Threshold.supportedPercentiles {
            let name = p == p.rounded() ? "p\(Int(p))" : "p\(p)"
            table[name] = (.percentile(p), .milliseconds)
        }
        return table
    }()

    /// Metric names a threshold may use, for help texts.
    public static var metricNames: [String] { metrics.keys.sorted() }

    /// Longest operators first so `<=` is not read as `<` followed by `=…`.
    private static let operators: [Threshold.Comparison] = [
        .lessOrEqual, .greaterOrEqual, .equal, .notEqual, .less, .greater,
    ]

    /// The threshold `expression` states, applying to `endpoint` (`nil`: the total row).
    public static func parse(_ expression: String, endpoint: EndpointKey? = nil) throws(SyntaxError) -> Threshold {
        let text = expression.trimmingBlanks()
        let name = String(text.prefix { !"<>=! \t".contains($0) })
        guard !name.isEmpty else {
            throw SyntaxError("expected 'METRIC OP VALUE' such as 'p95 < 150ms', got '\(text)'")
        }
        guard let (metric, unit) = metrics[name] else {
            throw SyntaxError(
                "unknown metric '\(name)'\(Suggestion.hint(for: name, in: metrics.keys.sorted()))"
                    + "; one of \(metricNames.joined(separator: " "))")
        }
        let afterName = text.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        guard let comparison = operators.first(where: { afterName.hasPrefix($0.rawValue) }) else {
            let hint = afterName.hasPrefix("=") ? " ('=' compares nothing: write '==')" : ""
            throw SyntaxError("expected a comparison (< <= > >= == !=) after '\(name)'\(hint)")
        }
        let valueText = afterName.dropFirst(comparison.rawValue.count).trimmingBlanks()
        guard !valueText.isEmpty else { throw SyntaxError("missing value after '\(name) \(comparison.rawValue)'") }
        let value = try parseValue(valueText, unit: unit, metric: name)
        let range = ScenarioLimits.thresholdValue
        guard value.isFinite, range.contains(value) else {
            throw SyntaxError(
                "'\(valueText)' is out of range: a threshold value is at most \(NumberFormat.plain(range.upperBound))")
        }
        return Threshold(expression: text, metric: metric, comparison: comparison, value: value, endpoint: endpoint)
    }

    private static func parseValue(_ text: String, unit: Unit, metric: String) throws(SyntaxError) -> Double {
        let cleaned = text.replacingUnderscores()
        let number = String(cleaned.prefix { $0.isASCII && ($0.isNumber || $0 == ".") })
        let suffix = cleaned.dropFirst(number.count).trimmingBlanks()
        guard let magnitude = Double(number), number.first != ".", number.last != "." else {
            throw SyntaxError("'\(text)' is not a number")
        }
        switch unit {
        case .milliseconds:
            let scale: [String: Double] = ["": 1, "ms": 1, "s": 1_000, "m": 60_000]
            guard let factor = scale[suffix] else {
                throw SyntaxError("unknown unit '\(suffix)' for \(metric): use ms, s or m (a bare number is ms)")
            }
            return magnitude * factor
        case .fraction:
            if suffix == "%" {
                guard magnitude <= 100 else { throw SyntaxError("\(text) is more than 100%") }
                return magnitude / 100
            }
            guard suffix.isEmpty else {
                throw SyntaxError("failure_rate is a percentage ('0.1%') or a fraction ('0.001'), got '\(text)'")
            }
            guard magnitude <= 1 else {
                throw SyntaxError("a failure_rate fraction is at most 1; for a percentage write '\(text)%'")
            }
            return magnitude
        case .count:
            let scale: [String: Double] = ["": 1, "k": 1_000, "K": 1_000, "M": 1_000_000]
            guard let factor = scale[suffix] else {
                throw SyntaxError("unknown suffix '\(suffix)' for \(metric): a plain number, or with k or M")
            }
            return magnitude * factor
        }
    }
}

extension String {
    /// `100_000` reads as `100000`, as in Swift and YAML numbers.
    fileprivate func replacingUnderscores() -> String {
        String(filter { $0 != "_" })
    }
}
