import Protocol

/// The parts of the report that explain the verdict: what failed, which thresholds held, and whether the
/// numbers can be trusted at all.
extension SummaryTable {
    /// Most frequent first: the top of this table is what to fix first.
    static func sortedFailures(_ failures: [FailureCount]) -> [FailureCount] {
        failures.sorted {
            if $0.count != $1.count { return $0.count > $1.count }
            return (EndpointKey(method: $0.method, name: $0.name), $0.reason)
                < (EndpointKey(method: $1.method, name: $1.name), $1.reason)
        }
    }

    static func failures(_ failures: [FailureCount]) -> [String] {
        var table = TextTable([
            .init(header: "Occurrences", alignment: .right),
            .init(header: "Method", alignment: .left, startsGroup: true),
            .init(header: "Name", alignment: .left),
            .init(header: "Error", alignment: .left, startsGroup: true),
        ])
        for failure in sortedFailures(failures) {
            table.append(["\(failure.count)", failure.method, failure.name, oneLine(failure.reason)])
        }
        return ["Failures"] + table.render()
    }

    static func thresholds(_ results: [ThresholdResult]) -> [String] {
        var table = TextTable([
            .init(header: "Result", alignment: .left),
            .init(header: "Threshold", alignment: .left),
            .init(header: "Applies to", alignment: .left),
            .init(header: "Actual", alignment: .right),
        ])
        for result in results {
            // The word as well as the mark: logs, screen readers and non-UTF-8 terminals lose the mark.
            let verdict = result.passed ? "✓ PASS" : "✗ FAIL"
            let scope = result.endpoint.map(\.description) ?? "all requests"
            table.append([verdict, result.expression, scope, formatQuantity(result.actual)])
        }
        return ["Thresholds"] + table.render()
    }

    static func warnings(_ summary: RunSummary) -> [String] {
        var lines = generatorWarning(summary.generator)
        if let reason = summary.interrupted {
            lines.append("INTERRUPTED: \(oneLine(reason)); the figures above are what was measured until then")
        }
        if let reason = summary.abortReason {
            lines.append("ABORTED: \(oneLine(reason))")
        }
        lines += Verdict.warnings(summary).map { "WARNING: \(oneLine($0))" }
        return lines
    }

    /// Empty unless the generator may have been the bottleneck; the HTML report shows the same two lines.
    static func generatorWarning(_ generator: GeneratorLoad) -> [String] {
        let lag = generator.scheduleLagLimited.map { ["WARNING: generator-limited: \(oneLine($0))"] } ?? []
        guard generator.possiblyGeneratorBound else { return lag }
        return lag + [
            "WARNING: generator may be the bottleneck: engine threads above 90% CPU for "
                + "\(generator.saturatedSeconds) s — add threads or nodes",
            "  (peak \(formatFixed(generator.peakCpu * 100, decimals: 0))% CPU across "
                + "\(generator.threads) engine threads; latencies above may describe loadd, not the target)",
        ]
    }

    /// Error texts can carry a response body's newlines, which would break the table's rows apart.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
