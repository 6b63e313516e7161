import Protocol

/// "Where the time went": per endpoint and for all together, a bar of the mean request cut into
/// DNS | connect | TLS | waiting for the first byte | transfer, and a table of each phase's mean and p95.
extension HTMLReport {
    /// Fill colours as SVG attributes (the page's policy allows no script; attributes need no style rule),
    /// told apart in the usual colour-vision deficiencies and in print by their order and lightness.
    static let phaseColours: [TimingPhase: String] = [
        .dns: "#8e44ad", .connect: "#e08a00", .tls: "#d1342f", .ttfb: "#2a6fdb", .transfer: "#1a7f37",
    ]
    static let phaseNames: [TimingPhase: String] = [
        .dns: "DNS", .connect: "Connect", .tls: "TLS", .ttfb: "Waiting (TTFB)", .transfer: "Transfer",
    ]

    /// Empty when no row carries phases (a summary stored before loadd measured them).
    static func phases(_ summary: RunSummary) -> String {
        var rows = SummaryTable.sorted(summary.endpoints).compactMap { entry in
            entry.phases.map { (label: "\(entry.method) \(entry.name)", phases: $0) }
        }
        guard !rows.isEmpty else { return "" }
        if let total = summary.total.phases { rows.append((label: "Aggregated", phases: total)) }
        let longest = rows.map { meanTotal($0.phases) }.max() ?? 0
        var html = "<div class=\"phase-bars\">\n"
        for row in rows {
            html +=
                "<div class=\"phase-row\" data-endpoint=\"\(htmlEscaped(row.label))\">"
                + "<div class=\"phase-label\">\(htmlEscaped(row.label)) "
                + "<span class=\"note\">\(htmlEscaped(formatMs(meanTotal(row.phases)))) ms</span></div>\n"
                + phaseBar(row.phases, scale: longest) + "</div>\n"
        }
        html += "</div>\n" + phaseLegend() + phaseTable(rows)
        let note =
            "Means are over every answered request: a reused connection spends no time in DNS, connect or "
            + "TLS, so those means are the connections' cost spread over the requests; \"opened\" counts the requests "
            + "that paid it. p95 is read at the middle of its bucket (±6 %)."
        return section("phases", "Where the time went", note: "(mean per request, ms)", html + paragraphs([note]))
    }

    private static func meanTotal(_ phases: PhaseSummary) -> Double {
        TimingPhase.allCases.reduce(0) { $0 + max(0, phases[$1].meanMs) }
    }

    /// One stacked bar, 600 units wide for the longest row; each phase a `<rect class="phase NAME">`.
    static func phaseBar(_ phases: PhaseSummary, scale: Double) -> String {
        let width = 600.0
        var svg =
            "<svg class=\"phase-bar\" viewBox=\"0 0 \(Int(width)) 18\" width=\"100%\" height=\"18\" "
            + "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(htmlEscaped(barLabel(phases)))\">"
        var x = 0.0
        for phase in TimingPhase.allCases {
            let mean = max(0, phases[phase].meanMs)
            let w = scale > 0 && mean.isFinite ? mean / scale * width : 0
            svg +=
                "<rect class=\"phase \(phase.key)\" data-mean-ms=\"\(formatFixed(mean, decimals: 3))\" "
                + "x=\"\(formatFixed(x, decimals: 2))\" y=\"0\" width=\"\(formatFixed(w, decimals: 2))\" height=\"18\" "
                + "fill=\"\(phaseColours[phase]!)\"><title>\(htmlEscaped(phaseNames[phase]!)) "
                + "\(htmlEscaped(formatMs(mean))) ms</title></rect>"
            x += w
        }
        return svg + "</svg>\n"
    }

    private static func barLabel(_ phases: PhaseSummary) -> String {
        TimingPhase.allCases.map { "\(phaseNames[$0]!) \(formatMs(phases[$0].meanMs)) ms" }.joined(separator: ", ")
    }

    private static func phaseLegend() -> String {
        var html = "<ul class=\"phase-legend\">"
        for phase in TimingPhase.allCases {
            html +=
                "<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" "
                + "fill=\"\(phaseColours[phase]!)\"/></svg> \(htmlEscaped(phaseNames[phase]!))</li>"
        }
        return html + "</ul>\n"
    }

    private static func phaseTable(_ rows: [(label: String, phases: PhaseSummary)]) -> String {
        var columns: [HTMLTable.Column] = [.init(header: "Endpoint")]
        for phase in TimingPhase.allCases {
            columns.append(.init(header: "\(phaseNames[phase]!) mean / p95", numeric: true))
        }
        columns += [
            .init(header: "Opened", numeric: true), .init(header: "Sent", numeric: true),
            .init(header: "Received", numeric: true),
        ]
        var table = HTMLTable(columns)
        for (index, row) in rows.enumerated() {
            var cells = [row.label]
            for phase in TimingPhase.allCases {
                cells.append("\(formatMs(row.phases[phase].meanMs)) / \(formatMs(row.phases[phase].p95Ms))")
            }
            cells += [
                "\(row.phases.connect.nonzero) of \(row.phases.requests)", formatBytes(row.phases.bytesSent),
                formatBytes(row.phases.bytesReceived),
            ]
            if index == rows.count - 1, row.label == "Aggregated" {
                table.appendFooter(cells)
            } else {
                table.append(cells)
            }
        }
        return table.render()
    }
}

/// Bytes in binary units: `512 B`, `1.5 KiB`, `12.0 MiB`.
func formatBytes(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : "\(formatFixed(value, decimals: 1)) \(units[unit])"
}
