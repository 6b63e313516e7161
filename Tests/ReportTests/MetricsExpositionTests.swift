import Protocol
import Testing

@testable import Report

/// The Prometheus text the daemon serves at `/metrics`, rendered from a summary.
@Suite struct MetricsExpositionTests {
    static func source(state: RunState = .running) -> MetricsSource {
        var summary = Fixture.summary()
        summary.openModel = OpenModelStats(targetRate: 50, maxInFlight: 100, dropped: 7)
        var latency = LatencyBuckets()
        latency.cumulative = [0, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]
        latency.count = 6
        latency.sumMicros = 120_000_000
        let buckets = [
            EndpointBuckets(
                key: EndpointKey(method: "GET", name: Fixture.awkwardName), latency: latency,
                serviceTime: LatencyBuckets())
        ]
        let run = RunInfo(
            id: RunID(rawValue: "r-42"), scenario: "shop", host: "http://127.0.0.1:8080", state: state,
            startedAt: 1_700_000_000, endedAt: nil, users: 200, requests: 3000, failures: 12)
        return MetricsSource(
            node: "n1", role: "master", version: "1.2.3", workers: 3, run: run, summary: summary,
            buckets: buckets)
    }

    @Test func countersCarryTheRunIdAndEachEndpointsTotals() {
        let text = MetricsExposition.render(Self.source())
        #expect(text.contains("# TYPE loadd_requests_total counter\n"))
        #expect(text.contains("loadd_requests_total{run_id=\"r-42\",method=\"GET\",name=\"/\"} 2400\n"))
        #expect(text.contains("loadd_request_failures_total{run_id=\"r-42\",method=\"GET\",name=\"/\"} 12\n"))
        #expect(
            text.contains(
                "loadd_request_failures_by_reason_total{run_id=\"r-42\",method=\"GET\",name=\"/\",reason=\"HTTP 500\"} 10\n"
            ))
        #expect(
            text.contains(
                "loadd_run_info{run_id=\"r-42\",scenario=\"shop\",host=\"http://127.0.0.1:8080\",state=\"running\"} 1\n"
            ))
        #expect(text.contains("loadd_workers_connected 3\n"))
        #expect(!text.contains("loadd_target_users"))   // an open-model run asks for a rate
        #expect(text.contains("loadd_dropped_iterations_total{run_id=\"r-42\"} 7\n"))
        #expect(text.contains("loadd_target_iterations_per_second{run_id=\"r-42\"} 50\n"))
    }

    @Test func aLabelValueEscapesQuotesBackslashesAndNewlines() {
        #expect(PrometheusText.escapeLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        let text = MetricsExposition.render(Self.source())
        #expect(text.contains("name=\"/search?q=a,b \\\"quoted\\\"\""))
    }

    @Test func histogramBucketsAreCumulativeAndInfEqualsCount() {
        let text = MetricsExposition.render(Self.source())
        let prefix =
            "loadd_request_duration_seconds_bucket{run_id=\"r-42\",method=\"GET\",name=\"/search?q=a,b \\\"quoted\\\"\","
        #expect(text.contains(prefix + "le=\"0.001\"} 0\n"))
        #expect(text.contains(prefix + "le=\"0.0025\"} 1\n"))
        #expect(text.contains(prefix + "le=\"60\"} 5\n"))
        #expect(text.contains(prefix + "le=\"+Inf\"} 6\n"))
        #expect(
            text.contains(
                "loadd_request_duration_seconds_sum{run_id=\"r-42\",method=\"GET\",name=\"/search?q=a,b \\\"quoted\\\"\"} 120\n"
            ))
        #expect(text.contains("# TYPE loadd_request_service_time_seconds histogram\n"))
    }

    @Test func eachFamilyIsDeclaredOnceBeforeItsSamples() {
        let text = MetricsExposition.render(Self.source())
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        #expect(Set(types).count == types.count)
        // No sample precedes its family's TYPE line.
        var declared: Set<Substring> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { declared.insert(line.split(separator: " ")[2]) }
            if line.hasPrefix("#") { continue }
            let name = line.prefix { $0 != "{" && $0 != " " }
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                name.hasSuffix(suffix) && name.hasPrefix("loadd_request_") && name.contains("seconds")
                    ? name.dropLast(suffix.count) : name
            }
            #expect(declared.contains(family), "\(line)")
        }
    }

    @Test func numbersArePrometheusFloats() {
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(3) == "3")
        #expect(PrometheusText.format(0.25) == "0.25")
    }

    @Test func anIdleNodeExposesOnlyItsBuildInfo() {
        let text = MetricsExposition.render(
            MetricsSource(
                node: "n\"1", role: "standalone", version: "1", workers: nil,
                run: nil, summary: nil, buckets: []))
        #expect(
            text == "# HELP loadd_build_info The loadd version, node name and fleet role, as labels; always 1.\n"
                + "# TYPE loadd_build_info gauge\nloadd_build_info{version=\"1\",node=\"n\\\"1\",role=\"standalone\"} 1\n"
        )
    }
}
