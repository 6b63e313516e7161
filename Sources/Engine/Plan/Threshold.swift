import Protocol

/// A pass/fail criterion such as `p95 < 150ms`, on the total or on one endpoint.
/// Parsed by `ThresholdParser`; evaluated on merged stats, never on one shard.
public struct Threshold: Sendable, Equatable {
    public enum Metric: Sendable, Equatable {
        /// `p50`, `p90`, `p95`, `p99`, `p99.9`, `median` (= p50): latency in ms.
        case percentile(Double)
        case avg, min, max
        /// failures / requests, a fraction (0.001 for `0.1%`).
        case failureRate
        case failures
        case requests
        case rps
    }

    public enum Comparison: String, Sendable, Equatable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="

        public func holds(_ lhs: Double, _ rhs: Double) -> Bool {
            switch self {
            case .less: return lhs < rhs
            case .lessOrEqual: return lhs <= rhs
            case .greater: return lhs > rhs
            case .greaterOrEqual: return lhs >= rhs
            case .equal: return lhs == rhs
            case .notEqual: return lhs != rhs
            }
        }
    }

    /// As written, e.g. `p95 < 150ms`.
    public var expression: String
    public var metric: Metric
    public var comparison: Comparison
    /// In the metric's unit: milliseconds for latencies, a fraction for `failure_rate`,
    /// requests per second for `rps`, a count for `failures` and `requests`.
    public var value: Double
    /// `nil` applies to the total row.
    public var endpoint: EndpointKey?
    /// Checked every second while running; failing it stops the run at once (after `grace`).
    public var abortOnFail: Bool
    /// How long into the measured span before an aborting threshold is checked (early
    /// percentiles rest on few requests).
    public var grace: Duration

    public init(
        expression: String, metric: Metric, comparison: Comparison, value: Double, endpoint: EndpointKey?,
        abortOnFail: Bool = false, grace: Duration = .zero
    ) {
        self.expression = expression
        self.metric = metric
        self.comparison = comparison
        self.value = value
        self.endpoint = endpoint
        self.abortOnFail = abortOnFail
        self.grace = grace
    }

    /// The measured value of `metric` in `row`, in the threshold's unit.
    public func measure(_ row: EndpointSummary) -> Double {
        switch metric {
        case .percentile(let p):
            switch p {
            case 50: return row.medianMs
            case 66: return row.p66Ms
            case 75: return row.p75Ms
            case 80: return row.p80Ms
            case 90: return row.p90Ms
            case 95: return row.p95Ms
            case 98: return row.p98Ms
            case 99: return row.p99Ms
            case 99.9: return row.p999Ms
            default: return row.p9999Ms
            }
        case .avg: return row.avgMs
        case .min: return row.minMs
        case .max: return row.maxMs
        case .failureRate: return row.failureRate
        case .failures: return Double(row.failures)
        case .requests: return Double(row.requests)
        case .rps: return row.rps
        }
    }

    /// Percentiles a threshold may name; the summary carries exactly these.
    public static let supportedPercentiles: [Double] = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99]

    public func evaluate(on summary: RunSummary) -> ThresholdResult {
        let row =
            endpoint.map { key in
                summary.endpoints.first { $0.key == key } ?? EndpointSummary(method: key.method, name: key.name)
            } ?? summary.total
        let actual = measure(row)
        return ThresholdResult(
            expression: expression, endpoint: endpoint, actual: actual,
            passed: comparison.holds(actual, value))
    }
}
