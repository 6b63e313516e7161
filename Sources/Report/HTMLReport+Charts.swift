import Protocol

/// The per-second charts, drawn from `history`.
extension HTMLReport {
    static func charts(_ summary: RunSummary) -> String {
        var samples = summary.history.sorted { $0.second < $1.second }
        // The run's last second usually ends part-way (the run stopped mid-second): its counts would
        // draw as a drop in throughput that never happened, so it is left out of the charts.
        let partial = samples.count > 1 && isPartial(samples[samples.count - 1], of: summary)
        if partial { samples.removeLast() }
        guard !samples.isEmpty else {
            return section("charts", "Per second", paragraphs(["No per-second history in this summary."]))
        }
        let seconds = samples.map(\.second)
        // A second without requests has no latency; its gap in the line says so instead of a flattering 0 ms.
        func latency(_ value: KeyPath<HistorySample, Double>) -> [Double?] {
            samples.map { $0.requests == 0 ? nil : $0[keyPath: value] }
        }
        // On the log axis a 0 ms value has no place: a gap.
        func positive(_ values: [Double?]) -> [Double?] { values.map { $0.flatMap { $0 > 0 ? $0 : nil } } }
        let latencySeries: [SVGLineChart.Series] = [
            .init(label: "median", className: "median", values: latency(\.medianMs)),
            .init(label: "p95", className: "p95", values: latency(\.p95Ms)),
            .init(label: "p99", className: "p99", values: latency(\.p99Ms)),
        ]
        var logSeries = latencySeries
        for i in logSeries.indices { logSeries[i].values = positive(logSeries[i].values) }
        let charts = [
            SVGLineChart(
                title: "Requests per second", seconds: seconds,
                series: [
                    .init(label: "requests/s", className: "requests", values: samples.map { Double($0.requests) }),
                    .init(label: "failures/s", className: "failures", values: samples.map { Double($0.failures) }),
                ]),
            SVGLineChart(
                title: "Response times (ms from each request's intended start)", seconds: seconds,
                series: latencySeries),
            SVGLineChart(
                title: "Response times, log scale (ms; the median stays visible under the p99)", seconds: seconds,
                series: logSeries, logScale: true),
            SVGLineChart(
                title: summary.openModel == nil ? "Users" : "Iterations in flight", seconds: seconds,
                series: [
                    .init(
                        label: summary.openModel == nil ? "users" : "in flight", className: "users",
                        values: samples.map { Double($0.users) })
                ]),
        ]
        let marked = charts.map { chart in
            var chart = chart
            chart.marks = summary.marks ?? []
            return chart
        }
        var html = marked.map { $0.render() }.joined(separator: "\n")
        if partial { html += "\n" + paragraphs(["The run's last second ended part-way and is not drawn."]) }
        if let resumes = summary.resumes, !resumes.isEmpty { html += "\n" + paragraphs(resumes.map(restartLine)) }
        // The marks' numbers and texts, and the periods that went wrong, right under the charts.
        let under = [marks(summary), slowPeriods(summary)].filter { !$0.isEmpty }
        return ([section("charts", "Per second", html)] + under).joined(separator: "\n")
    }

    /// A restart's gap, as the line under the charts says it: the lines break there.
    static func restartLine(_ resume: RunResume) -> String {
        let workers = resume.workersBack.map { ", \($0) of its workers back" } ?? ""
        return
            "loadd restarted at \(formatUTC(resume.restartedAt)) and resumed the run at \(formatUTC(resume.resumedAt)): "
            + "\(formatFixed(resume.gapS, decimals: 1)) s without load (no points, the lines break)\(workers)."
    }

    /// True when `sample` ends after the measured span does: the run stopped within that second.
    /// A sample's `timestamp` is the Unix time its second ends.
    static func isPartial(_ sample: HistorySample, of summary: RunSummary) -> Bool {
        Double(sample.timestamp) > Double(summary.startedAt) + summary.durationS + summary.gapS + 0.05
    }
}
