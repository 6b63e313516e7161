import Protocol

/// Locust's two tables and the service-time line, with the terminal report's headings and order.
extension HTMLReport {
    static func requests(_ summary: RunSummary) -> String {
        var table = HTMLTable([
            .init(header: "Type"), .init(header: "Name"),
            .init(header: "# reqs", numeric: true), .init(header: "# fails", numeric: true),
            .init(header: "Avg", numeric: true), .init(header: "Min", numeric: true),
            .init(header: "Max", numeric: true), .init(header: "Median", numeric: true),
            .init(header: "req/s", numeric: true), .init(header: "failures/s", numeric: true),
        ])
        func row(_ type: String, _ entry: EndpointSummary) -> [String] {
            [
                type, entry.name, "\(entry.requests)", formatFailures(entry.failures, rate: entry.failureRate),
                formatMs(entry.avgMs), formatMs(entry.minMs), formatMs(entry.maxMs), formatMs(entry.medianMs),
                formatFixed(entry.rps, decimals: 2), formatFixed(entry.failuresPerS, decimals: 2),
            ]
        }
        for entry in SummaryTable.sorted(summary.endpoints) { table.append(row(entry.method, entry)) }
        table.appendFooter(row("", SummaryTable.aggregated(summary.total)))
        return section(
            "requests", "Requests", note: "(latency in ms from each request's intended start)",
            table.render())
    }

    static func percentiles(_ summary: RunSummary) -> String {
        var table = HTMLTable(
            [.init(header: "Type"), .init(header: "Name")]
                + SummaryTable.percentileHeaders.map { .init(header: $0, numeric: true) }
                + [.init(header: "# reqs", numeric: true)])
        func row(_ type: String, _ entry: EndpointSummary) -> [String] {
            // A percentile of no requests is not 0 ms, as in the terminal table.
            let values =
                entry.requests == 0
                ? Array(repeating: "N/A", count: SummaryTable.percentileHeaders.count)
                : SummaryTable.percentileValues(entry).map(formatMs)
            return [type, entry.name] + values + ["\(entry.requests)"]
        }
        for entry in SummaryTable.sorted(summary.endpoints) { table.append(row(entry.method, entry)) }
        table.appendFooter(row("", SummaryTable.aggregated(summary.total)))
        return section(
            "percentiles", "Response time percentiles", note: "(ms from each request's intended start)",
            table.render())
    }

    /// Latency above counts from the intended start, this from the send: the gap is time spent queueing.
    static func serviceTime(_ total: EndpointSummary) -> String {
        section(
            "service-time", "Service time", note: "(from send, ms; excludes time queued before sending)",
            paragraphs(
                [
                    "median \(formatMs(total.serviceMedianMs))  p95 \(formatMs(total.serviceP95Ms))  "
                        + "p99 \(formatMs(total.serviceP99Ms))"
                ] + ScheduleLagText.lines(total.lag)))
    }
}
