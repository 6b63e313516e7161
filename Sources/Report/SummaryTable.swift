import Protocol

/// The end-of-run report a person reads in a terminal, laid out like Locust's console tables so users moving
/// from Locust find their numbers where they expect them.
public enum SummaryTable {
    /// The whole report: header, request table, percentile table, service time, failures, thresholds, generator
    /// warning, abort reason, and a last line that is exactly `PASSED`, `FAILED` or `INTERRUPTED` (easy to
    /// `tail -1` in CI).
    public static func render(_ summary: RunSummary) -> String {
        var sections: [[String]] = [
            header(summary),
            requests(summary),
            percentiles(summary),
            serviceTime(summary.total),
        ]
        let shape = loadShape(summary)
        if !shape.isEmpty { sections.append(shape) }
        if let events = summary.fleetEvents, !events.isEmpty { sections.append(fleetEvents(events)) }
        let checks = ChecksTable.text(summary)
        if !checks.isEmpty { sections.append(checks) }
        let timeline = timeline(summary)
        if !timeline.isEmpty { sections.append(timeline) }
        if !summary.failuresByReason.isEmpty { sections.append(failures(summary.failuresByReason)) }
        if !summary.thresholds.isEmpty { sections.append(thresholds(summary.thresholds)) }
        let notices = warnings(summary)
        if !notices.isEmpty { sections.append(notices) }
        sections.append([Verdict.word(summary)])
        return sections.map { $0.joined(separator: "\n") }.joined(separator: "\n\n") + "\n"
    }

    /// The open model's target, achieved rate and dropped iterations; the warm-up kept apart.
    static func loadShape(_ summary: RunSummary) -> [String] {
        var lines: [String] = []
        if let open = summary.openModel {
            lines.append(
                "Open model: target \(formatFixed(open.targetRate, decimals: 1))/s, achieved "
                    + "\(formatFixed(summary.total.rps, decimals: 1))/s, at most \(open.maxInFlight) in flight, "
                    + "\(open.dropped) dropped iteration\(open.dropped == 1 ? "" : "s")"
                    + (open.dropped > 0 ? " (could not start on time: raise max_in_flight or add nodes)" : ""))
        }
        if let warmup = summary.warmup {
            lines.append(
                "Warm-up (not counted above): \(warmup.requests) requests, \(warmup.failures) failures, "
                    + "median \(formatMs(warmup.medianMs)) ms, p95 \(formatMs(warmup.p95Ms)) ms")
        }
        return lines
    }

    /// A fleet run's joins, losses and re-splits, at the run's second each happened in.
    static func fleetEvents(_ events: [FleetEvent]) -> [String] {
        let width = String(events.map(\.second).max() ?? 0).count
        return ["Fleet events:"]
            + events.map { event in
                let second = String(event.second)
                return "  \(String(repeating: " ", count: width - second.count))\(second) s  \(event.message)"
            }
    }

    /// Endpoints in the order every loadd table and CSV uses: by name, then method.
    static func sorted(_ endpoints: [EndpointSummary]) -> [EndpointSummary] {
        endpoints.sorted { $0.key < $1.key }
    }

    static func header(_ summary: RunSummary) -> [String] {
        var facts = ["scenario \(summary.scenario)", "host \(summary.host)"]
        if let run = summary.run { facts.insert("run \(run)", at: 0) }
        facts.append("\(formatFixed(summary.durationS, decimals: 1)) s measured")
        if let resumes = summary.resumes, !resumes.isEmpty {
            facts.append(
                "resumed after \(resumes.count) restart\(resumes.count == 1 ? "" : "s") "
                    + "(\(formatFixed(summary.gapS, decimals: 1)) s gap)")
        }
        facts.append(summary.openModel == nil ? "\(summary.users) users" : "\(summary.users) iterations in flight")
        return [facts.joined(separator: "  ·  ")]
    }

    static func requests(_ summary: RunSummary) -> [String] {
        var table = TextTable([
            .init(header: "Type", alignment: .left),
            .init(header: "Name", alignment: .left),
            .init(header: "# reqs", alignment: .right),
            .init(header: "# fails", alignment: .right),
            .init(header: "Avg", alignment: .right, startsGroup: true),
            .init(header: "Min", alignment: .right),
            .init(header: "Max", alignment: .right),
            .init(header: "Med", alignment: .right),
            .init(header: "req/s", alignment: .right, startsGroup: true),
            .init(header: "failures/s", alignment: .right),
        ])
        func row(_ type: String, _ entry: EndpointSummary) -> [String] {
            [
                type, entry.name, "\(entry.requests)", formatFailures(entry.failures, rate: entry.failureRate),
                formatMs(entry.avgMs), formatMs(entry.minMs), formatMs(entry.maxMs), formatMs(entry.medianMs),
                formatFixed(entry.rps, decimals: 2), formatFixed(entry.failuresPerS, decimals: 2),
            ]
        }
        for entry in sorted(summary.endpoints) { table.append(row(entry.method, entry)) }
        table.appendRule()
        table.append(row("", aggregated(summary.total)))
        return ["Requests (latency in ms from each request's intended start)"] + table.render()
    }

    /// Locust's percentile columns, as they head its table and its CSVs.
    static let percentileHeaders = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]

    /// The latencies under `percentileHeaders`, in the same order; 100% is the maximum.
    static func percentileValues(_ entry: EndpointSummary) -> [Double] {
        [
            entry.medianMs, entry.p66Ms, entry.p75Ms, entry.p80Ms, entry.p90Ms, entry.p95Ms, entry.p98Ms,
            entry.p99Ms, entry.p999Ms, entry.p9999Ms, entry.maxMs,
        ]
    }

    static func percentiles(_ summary: RunSummary) -> [String] {
        var table = TextTable(
            [.init(header: "Type", alignment: .left), .init(header: "Name", alignment: .left)]
                + percentileHeaders.map { .init(header: $0, alignment: .right) }
                + [.init(header: "# reqs", alignment: .right, startsGroup: true)])
        func row(_ type: String, _ entry: EndpointSummary) -> [String] {
            // A percentile of no requests is not 0 ms; say so rather than print a flattering zero.
            let values =
                entry.requests == 0
                ? Array(repeating: "N/A", count: percentileHeaders.count)
                : percentileValues(entry).map(formatMs)
            return [type, entry.name] + values + ["\(entry.requests)"]
        }
        for entry in sorted(summary.endpoints) { table.append(row(entry.method, entry)) }
        table.appendRule()
        table.append(row("", aggregated(summary.total)))
        return ["Response time percentiles (ms from each request's intended start)"] + table.render()
    }

    /// Latency above counts from when a request should have started; service time from when it was sent.
    /// Showing both lets a user see whether slowness came from the target or from requests queueing behind it.
    static func serviceTime(_ total: EndpointSummary) -> [String] {
        [
            "Service time (from send, ms; excludes time queued before sending)",
            "  median \(formatMs(total.serviceMedianMs))  p95 \(formatMs(total.serviceP95Ms))"
                + "  p99 \(formatMs(total.serviceP99Ms))",
        ] + ScheduleLagText.lines(total.lag)
    }

    /// The total row is always called `Aggregated` whatever the engine named it, as in Locust.
    static func aggregated(_ total: EndpointSummary) -> EndpointSummary {
        var total = total
        total.name = "Aggregated"
        return total
    }
}
