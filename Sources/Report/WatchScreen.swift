import Protocol

/// One frame of `loadctl status --watch`: a compact header (the run, users live/target, what the
/// last seconds did, the verdict so far), then the per-endpoint table with current rates, cut to
/// the terminal so the header never scrolls away. Every line fits `columns`.
public enum WatchScreen {
    /// The lines of one frame for a terminal of `rows` × `columns` (at least 8 × 40 are assumed).
    public static func render(_ status: NodeStatus, rows: Int, columns: Int) -> [String] {
        let rows = max(rows, 8)
        let columns = max(columns, 40)
        var lines = header(status)
        if let summary = status.summary, status.run != nil {
            // One row is kept free for the cursor, so the frame itself never scrolls.
            let room = rows - 1 - lines.count - 1
            var rows = table(summary, room: room, nameLimit: Int.max)
            // Long endpoint names would push the latency columns off the right edge: shorten the
            // names by the overflow (to 12 characters at least) rather than lose p95/p99.
            if let widest = rows.map(\.count).max(), widest > columns {
                let longest = summary.endpoints.map(\.name.count).max() ?? 0
                rows = table(summary, room: room, nameLimit: max(12, longest - (widest - columns)))
            }
            lines += rows
        }
        return Array(lines.prefix(rows - 1)).map { fit($0, columns) }
    }

    static func header(_ status: NodeStatus) -> [String] {
        let node = "node \(status.node) (\(status.role))" + (status.workers.map { " · \($0) workers" } ?? "")
        if let compiling = status.compiling { return [node + " · compiling \(compiling)"] }
        guard let run = status.run else { return [node + " · idle: no run yet"] }
        let live = run.state == .running || run.state == .stopping
        var lines = ["\(run.state.rawValue.uppercased()) \(run.id) · \(run.scenario) → \(run.host) · \(node)"]
        guard let summary = status.summary else { return lines }
        var load = "elapsed \(clock(summary.durationS))"
        if let open = summary.openModel {
            load +=
                " · rate \(formatQuantity(open.targetRate)) it/s asked · \(summary.users) in flight · \(open.dropped) dropped"
        } else {
            load += " · users \(summary.users) live / \(run.users) target"
        }
        if let cpu = summary.history.last?.generatorCpu {
            load += " · generator cpu \(formatFixed(cpu * 100, decimals: 0)) %"
        }
        if let lag = summary.total.lag { load += " · lag p99 \(formatDuration(ms: lag.p99Ms))" }
        lines.append(load)
        // The generator's own lateness is inside every latency below: say so before the numbers.
        if let limited = summary.generator.scheduleLagLimited {
            lines.append("GENERATOR-LIMITED: \(SummaryTable.oneLine(limited))")
        }
        if let recent = summary.recent {
            lines.append(
                "now (last \(recent.seconds) s): \(rate(recent.requestsPerS)) req/s · "
                    + "\(rate(recent.failuresPerS)) fail/s · p50 \(formatDuration(ms: recent.medianMs)) · "
                    + "p95 \(formatDuration(ms: recent.p95Ms)) · p99 \(formatDuration(ms: recent.p99Ms))")
        } else {
            lines.append("now: no second closed yet")
        }
        let total = summary.total
        var tally =
            "total: \(total.requests) requests · \(total.failures) failures "
            + "(\(formatFixed(total.failureRate * 100, decimals: 2)) %) · \(rate(total.rps)) req/s average"
        // Mid-run the thresholds are only what has been measured so far: never a verdict.
        if live {
            let passing = summary.thresholds.filter(\.passed).count
            tally +=
                summary.thresholds.isEmpty
                ? " · so far: no thresholds"
                : " · thresholds so far: \(passing) of \(summary.thresholds.count) hold"
        } else {
            tally += " · verdict: \(Verdict.word(summary))"
        }
        lines.append(tally)
        return lines
    }

    /// The endpoint rows busiest-now first, as many as `room` holds with the total row, and a
    /// `… N more` row in place of the ones cut.
    static func table(_ summary: RunSummary, room: Int, nameLimit: Int) -> [String] {
        var table = TextTable([
            .init(header: "Type", alignment: .left), .init(header: "Name", alignment: .left),
            .init(header: "req/s now", alignment: .right, startsGroup: true),
            .init(header: "fail/s now", alignment: .right),
            .init(header: "# reqs", alignment: .right, startsGroup: true), .init(header: "# fails", alignment: .right),
            .init(header: "p50", alignment: .right, startsGroup: true), .init(header: "p95", alignment: .right),
            .init(header: "p99", alignment: .right),
        ])
        // Header, rule, rule and total take four lines; the rest holds endpoints.
        let fits = room - 4
        guard fits >= 1 else { return [] }
        let endpoints = summary.endpoints.sorted { ($0.currentRps, $1.key) > ($1.currentRps, $0.key) }
        let shown = endpoints.count <= fits ? endpoints : Array(endpoints.prefix(fits - 1))
        for row in shown { table.append(cells(row.method, shortened(row.name, nameLimit), row)) }
        if shown.count < endpoints.count {
            table.append(["", "… \(endpoints.count - shown.count) more", "", "", "", "", "", "", ""])
        }
        table.appendRule()
        table.append(cells("", "Aggregated", summary.total))
        return table.render()
    }

    private static func cells(_ method: String, _ name: String, _ row: EndpointSummary) -> [String] {
        [
            method, name, rate(row.currentRps), rate(row.currentFailuresPerS ?? 0), "\(row.requests)",
            "\(row.failures)",
            formatDuration(ms: row.medianMs), formatDuration(ms: row.p95Ms), formatDuration(ms: row.p99Ms),
        ]
    }

    private static func rate(_ value: Double) -> String {
        formatFixed(value, decimals: value < 10 ? 1 : 0)
    }

    /// `name` cut to `limit` characters, keeping its start and its end (`/api/v1/…/items`).
    static func shortened(_ name: String, _ limit: Int) -> String {
        guard name.count > limit, limit >= 3 else { return name }
        let tail = (limit - 1) / 2
        return String(name.prefix(limit - 1 - tail)) + "…" + String(name.suffix(tail))
    }

    /// `m:ss`, or `h:mm:ss` from an hour on.
    static func clock(_ seconds: Double) -> String {
        let total = seconds.isFinite ? Int(max(0, min(seconds, 1e9))) : 0
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        let mm = m < 10 && h > 0 ? "0\(m)" : "\(m)"
        let ss = s < 10 ? "0\(s)" : "\(s)"
        return h > 0 ? "\(h):\(mm):\(ss)" : "\(mm):\(ss)"
    }

    /// `line` cut to `columns` characters (with `…`), so no line wraps and pushes the header up.
    static func fit(_ line: String, _ columns: Int) -> String {
        line.count <= columns ? line : String(line.prefix(columns - 1)) + "…"
    }
}
