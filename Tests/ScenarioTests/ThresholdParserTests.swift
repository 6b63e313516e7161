import Protocol
import Testing

@testable import Engine

@Suite struct ThresholdParserTests {
    @Test(arguments: [
        ("p95 < 150ms", Threshold.Metric.percentile(95), Threshold.Comparison.less, 150.0),
        ("p99.9<=2s", .percentile(99.9), .lessOrEqual, 2_000),
        ("p99.99 < 1m", .percentile(99.99), .less, 60_000),
        ("median < 20", .percentile(50), .less, 20),
        ("avg < 12.5ms", .avg, .less, 12.5),
        ("max < 2s", .max, .less, 2_000),
        ("min >= 1", .min, .greaterOrEqual, 1),
        ("failure_rate < 0.1%", .failureRate, .less, 0.001),
        ("failure_rate <= 0.002", .failureRate, .lessOrEqual, 0.002),
        ("failures == 0", .failures, .equal, 0),
        ("requests != 0", .requests, .notEqual, 0),
        ("rps > 90000", .rps, .greater, 90_000),
        ("rps > 90k", .rps, .greater, 90_000),
        ("rps >= 100_000", .rps, .greaterOrEqual, 100_000),
        ("requests > 1.5M", .requests, .greater, 1_500_000),
    ])
    func expressionsParse(
        text: String, metric: Threshold.Metric, comparison: Threshold.Comparison, value: Double
    ) throws {
        let threshold = try ThresholdParser.parse(text)
        #expect(threshold.metric == metric)
        #expect(threshold.comparison == comparison)
        #expect(abs(threshold.value - value) < 1e-9)
        #expect(threshold.expression == text)
        #expect(threshold.endpoint == nil)
    }

    @Test(arguments: [
        ("p96 < 1ms", "unknown metric 'p96'"),
        ("latency < 1ms", "unknown metric"),
        ("p95 = 1ms", "write '=='"),
        ("p95 150ms", "expected a comparison"),
        ("p95 <", "missing value"),
        ("p95 < 1h", "unknown unit 'h'"),
        ("p95 < fast", "is not a number"),
        ("failure_rate < 5", "at most 1"),
        ("failure_rate < 120%", "more than 100%"),
        ("rps > 9q", "unknown suffix"),
        ("< 3", "expected 'METRIC OP VALUE'"),
        ("faliures == 0", "did you mean 'failures'?"),
    ])
    func malformedExpressionsSayWhy(text: String, message: String) {
        #expect {
            try ThresholdParser.parse(text)
        } throws: { error in
            (error as? ThresholdParser.SyntaxError)?.message.contains(message) == true
        }
    }

    @Test func endpointKeyMayBeTheNameAloneWhenUnique() throws {
        let endpoints = [
            EndpointKey(method: "GET", name: "/a"), EndpointKey(method: "POST", name: "/a"),
            EndpointKey(method: "GET", name: "/b"),
        ]
        #expect(try YAMLReader.resolveEndpoint("GET /a", in: endpoints).get() == endpoints[0])
        #expect(try YAMLReader.resolveEndpoint("post /a", in: endpoints).get() == endpoints[1])
        #expect(try YAMLReader.resolveEndpoint("/b", in: endpoints).get() == endpoints[2])
        guard case .failure(let ambiguous) = YAMLReader.resolveEndpoint("/a", in: endpoints) else {
            Issue.record("'/a' names two endpoints")
            return
        }
        #expect(ambiguous.message.contains("several endpoints"))
    }

    @Test func endpointThresholdsTakeOneOrSeveralExpressions() throws {
        let plan = try loadScenario(
            """
            tasks: [{ request: GET /Test/V1 }, { request: POST /login }]
            thresholds:
              - "rps > 10"
              - "GET /Test/V1": "p95 < 100ms"
              - "/login": ["p95 < 100ms", "failures == 0"]
            """)
        #expect(
            plan.thresholds.map { $0.endpoint?.description ?? "total" }
                == ["total", "GET /Test/V1", "POST /login", "POST /login"])
    }
}
