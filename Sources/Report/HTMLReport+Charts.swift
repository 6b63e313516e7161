import Protocol

/// The per-second charts, drawn from `history`.
extension HTMLReport {
    static func charts(_ summary: RunSummary) -> String {
        let samples = summary.history.sorted { $0.second < $1.second }
        guard !samples.isEmpty else {
            return section("charts", "Per second", paragraphs(["No per-second history in this summary."]))
        }
        let seconds = samples.map(\.second)
        // A second without requests has no latency; its gap in the line says so instead of a flattering 0 ms.
        func latency(_ value: KeyPath<HistorySample, Double>) -> [Double?] {
            samples.map { $0.requests == 0 ? nil : $0[keyPath: value] }
        }
        let charts = [
            SVGLineChart(title: "Requests per second", seconds: seconds, series: [
                .init(label: "requests/s", className: "requests", values: samples.map { Double($0.requests) }),
                .init(label: "failures/s", className: "failures", values: samples.map { Double($0.failures) }),
            ]),
            SVGLineChart(title: "Response times (ms from each request's intended start)", seconds: seconds, series: [
                .init(label: "median", className: "median", values: latency(\.medianMs)),
                .init(label: "p95", className: "p95", values: latency(\.p95Ms)),
                .init(label: "p99", className: "p99", values: latency(\.p99Ms)),
            ]),
            SVGLineChart(title: summary.openModel == nil ? "Users" : "Iterations in flight", seconds: seconds,
                         series: [.init(label: summary.openModel == nil ? "users" : "in flight", className: "users",
                                        values: samples.map { Double($0.users) })]),
        ]
        let marked = charts.map { chart in
            var chart = chart
            chart.marks = summary.marks ?? []
            return chart
        }
        // The marks' numbers and texts, and the periods that went wrong, right under the charts.
        let under = [marks(summary), slowPeriods(summary)].filter { !$0.isEmpty }
        return ([section("charts", "Per second", marked.map { $0.render() }.joined(separator: "\n"))] + under)
            .joined(separator: "\n")
    }
}
