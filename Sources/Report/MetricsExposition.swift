import Protocol

/// What `GET /metrics` exposes: the node, and its current run (or its last one, final figures,
/// until the next run starts, so a scrape after the end still sees the totals).
public struct MetricsSource: Sendable {
    public var node: String
    public var role: String
    public var version: String
    /// Workers connected, on a master.
    public var workers: Int?
    public var run: RunInfo?
    public var summary: RunSummary?
    public var buckets: [EndpointBuckets]

    public init(
        node: String, role: String, version: String, workers: Int?, run: RunInfo?, summary: RunSummary?,
        buckets: [EndpointBuckets]
    ) {
        self.node = node
        self.role = role
        self.version = version
        self.workers = workers
        self.run = run
        self.summary = summary
        self.buckets = buckets
    }
}

/// Renders a `MetricsSource` in Prometheus' text format, named per Prometheus' naming guide
/// (`loadd_` prefix, base units, `_total` counters). Every run series carries `run_id`: a new run
/// starts new series at 0 rather than resetting the old ones, and `sum by (method, name)` joins runs.
public enum MetricsExposition {
    public static func render(_ source: MetricsSource) -> String {
        var out = PrometheusText()
        out.family(
            "loadd_build_info", .gauge, help: "The loadd version, node name and fleet role, as labels; always 1.")
        out.sample(
            "loadd_build_info", [("version", source.version), ("node", source.node), ("role", source.role)], UInt64(1))
        if let workers = source.workers {
            out.family("loadd_workers_connected", .gauge, help: "Workers connected to this master.")
            out.sample("loadd_workers_connected", [], UInt64(max(0, workers)))
        }
        if let run = source.run { renderRun(run, source.summary, source.buckets, into: &out) }
        return out.text
    }

    private static func renderRun(
        _ run: RunInfo, _ summary: RunSummary?, _ buckets: [EndpointBuckets],
        into out: inout PrometheusText
    ) {
        let id = [("run_id", run.id.rawValue)]
        out.family(
            "loadd_run_info", .gauge, help: "The current or last run: scenario, host and state as labels; always 1.")
        out.sample(
            "loadd_run_info", id + [("scenario", run.scenario), ("host", run.host), ("state", run.state.rawValue)],
            UInt64(1))
        out.family("loadd_run_start_time_seconds", .gauge, help: "Unix time the run started.")
        out.sample("loadd_run_start_time_seconds", id, Double(run.startedAt))
        if let ended = run.endedAt {
            out.family("loadd_run_end_time_seconds", .gauge, help: "Unix time the run ended.")
            out.sample("loadd_run_end_time_seconds", id, Double(ended))
        }
        // The open model asks for a rate, not users (`loadd_target_iterations_per_second`).
        if summary?.openModel == nil {
            out.family("loadd_target_users", .gauge, help: "Users asked for (a staged run's peak stage target).")
            out.sample("loadd_target_users", id, Double(run.users))
        }
        guard let summary else { return }
        out.family(
            "loadd_run_measured_start_time_seconds", .gauge,
            help: "Unix time the measured span began: after the warm-up, or at the last statistics reset "
                + "(the counters below count from here).")
        out.sample("loadd_run_measured_start_time_seconds", id, Double(summary.startedAt))
        out.family("loadd_run_measured_seconds", .gauge, help: "Seconds measured so far.")
        out.sample("loadd_run_measured_seconds", id, summary.durationS)
        out.family("loadd_users", .gauge, help: "Users running now (open model: iterations in flight).")
        out.sample("loadd_users", id, Double(summary.users))
        if let open = summary.openModel {
            out.family("loadd_target_iterations_per_second", .gauge, help: "Open model: the arrival rate asked for.")
            out.sample("loadd_target_iterations_per_second", id, open.targetRate)
            out.family(
                "loadd_dropped_iterations_total", .counter,
                help: "Open model: iterations not started because max_in_flight were in flight.")
            out.sample("loadd_dropped_iterations_total", id, open.dropped)
        }
        out.family(
            "loadd_generator_cpu_ratio", .gauge,
            help: "Share of their cores the engine threads used in the last closed second, 0 to 1.")
        out.sample("loadd_generator_cpu_ratio", id, summary.history.last?.generatorCpu ?? 0)
        renderEndpoints(summary, buckets, id: id, into: &out)
    }

    private static func renderEndpoints(
        _ summary: RunSummary, _ buckets: [EndpointBuckets], id: [(String, String)],
        into out: inout PrometheusText
    ) {
        func labels(_ method: String, _ name: String) -> [(String, String)] {
            id + [("method", method), ("name", name)]
        }
        out.family("loadd_requests_total", .counter, help: "Requests completed, failed ones included.")
        for row in summary.endpoints { out.sample("loadd_requests_total", labels(row.method, row.name), row.requests) }
        out.family("loadd_request_failures_total", .counter, help: "Requests that failed (any reason).")
        for row in summary.endpoints {
            out.sample("loadd_request_failures_total", labels(row.method, row.name), row.failures)
        }
        out.family(
            "loadd_request_failures_by_reason_total", .counter,
            help: "Failed requests by reason (HTTP 500, timeout, a failed check, ...).")
        for failure in summary.failuresByReason {
            out.sample(
                "loadd_request_failures_by_reason_total",
                labels(failure.method, failure.name) + [("reason", failure.reason)],
                failure.count)
        }
        histogram(
            "loadd_request_duration_seconds",
            help: "Latency from each request's intended start (what a user waits, no coordinated omission).",
            buckets.map { ($0.key, $0.latency) }, id: id, into: &out)
        histogram(
            "loadd_request_service_time_seconds",
            help: "Latency from each request's actual send (what the target took).",
            buckets.map { ($0.key, $0.serviceTime) }, id: id, into: &out)
    }

    private static func histogram(
        _ name: String, help: String, _ rows: [(EndpointKey, LatencyBuckets)],
        id: [(String, String)], into out: inout PrometheusText
    ) {
        out.family(name, .histogram, help: help)
        for (key, buckets) in rows {
            let labels = id + [("method", key.method), ("name", key.name)]
            for (bound, count) in zip(LatencyBuckets.boundsMicros, buckets.cumulative) {
                out.sample(name + "_bucket", labels + [("le", PrometheusText.format(Double(bound) / 1_000_000))], count)
            }
            out.sample(name + "_bucket", labels + [("le", "+Inf")], buckets.count)
            out.sample(name + "_sum", labels, buckets.sumMicros / 1_000_000)
            out.sample(name + "_count", labels, buckets.count)
        }
    }
}
