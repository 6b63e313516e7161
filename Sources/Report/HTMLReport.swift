import Protocol

/// The run's report as one self-contained HTML page, like Locust's `--html`: the same tables as the terminal
/// report plus per-second charts. Inline CSS and SVG only — no JavaScript, nothing fetched — so it opens
/// offline and is safe to keep as a CI artifact. The same summary always renders to the same bytes.
public enum HTMLReport {
    /// The whole page: header facts, the verdict, requests, percentiles, service time, per-second charts,
    /// thresholds, failures, then (when present) the open model and warm-up, fleet events and the generator
    /// warning. Every text taken from the summary is HTML-escaped.
    /// `files` names the run's other files that sit next to the page (`summary.json`, the CSVs), linked
    /// relative to it; empty when the page is written alone.
    public static func render(_ summary: RunSummary, files: [String] = []) -> String {
        var sections = [
            header(summary),
            verdict(summary),
            requests(summary),
            percentiles(summary),
            serviceTime(summary.total),
            phases(summary),
            charts(summary),
            thresholds(summary.thresholds),
            failures(summary.failuresByReason),
        ]
        if let checks = checks(summary) { sections.append(checks) }
        if let tasks = summary.tasks, !tasks.isEmpty { sections.append(taskRatios(tasks)) }
        if !files.isEmpty { sections.append(fileLinks(files)) }
        let shape = SummaryTable.loadShape(summary)
        if !shape.isEmpty { sections.append(section("load-shape", "Load shape", paragraphs(shape))) }
        if let events = summary.fleetEvents, !events.isEmpty { sections.append(fleetEvents(events)) }
        let warning = SummaryTable.generatorWarning(summary.generator)
        if !warning.isEmpty { sections.append(generatorWarning(warning)) }
        return page(title: "loadd report: \(summary.scenario)", body: sections.joined(separator: "\n"))
    }

    /// Writes the page to `path`, replacing an older file. Throws a `ReportError` naming the path and why.
    public static func write(_ summary: RunSummary, files: [String] = [], to path: String) throws {
        try ReportFile.write(render(summary, files: files), to: path)
    }

    /// The content security policy repeats the promise in the browser's terms: even if markup slipped through,
    /// no script would run and nothing would be fetched.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(htmlEscaped(title))</title>
        <style>
        \(styleSheet)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static func header(_ summary: RunSummary) -> String {
        var facts: [(String, String)] = []
        if let run = summary.run { facts.append(("Run", run.rawValue)) }
        facts.append(("Scenario", summary.scenario))
        facts.append(("Host", summary.host))
        facts.append(("Started", formatUTC(summary.startedAt)))
        // The measured span's end; the figures cover Started…Ended.
        let seconds = summary.durationS.isFinite ? min(max(summary.durationS, 0), 1e12) : 0
        let gap = summary.gapS.isFinite ? min(max(summary.gapS, 0), 1e12) : 0
        facts.append(("Ended", formatUTC(summary.startedAt + Int((seconds + gap).rounded()))))
        facts.append(("Measured", "\(formatFixed(summary.durationS, decimals: 1)) s"))
        if let resumes = summary.resumes, !resumes.isEmpty {
            facts.append(
                (
                    "Resumed",
                    "after \(resumes.count) restart\(resumes.count == 1 ? "" : "s") of loadd: "
                        + "\(formatFixed(gap, decimals: 1)) s without load, not counted as measured"
                ))
        }
        if let open = summary.openModel {
            facts.append(
                (
                    "Open model",
                    "target \(formatFixed(open.targetRate, decimals: 1))/s, "
                        + "\(summary.users) iterations in flight"
                ))
        } else {
            facts.append(("Users", "\(summary.users)"))
        }
        var html = "<header>\n<h1>\(htmlEscaped("loadd report: \(summary.scenario)"))</h1>\n<dl class=\"facts\">\n"
        for (name, value) in facts {
            html += "<div><dt>\(htmlEscaped(name))</dt><dd>\(htmlEscaped(value))</dd></div>\n"
        }
        html += "</dl>\n"
        // The figures start at the last reset, not at the run's start: say so where the times are.
        if let resets = summary.statsResetAt, !resets.isEmpty {
            let times = resets.map(formatUTC).joined(separator: ", ")
            let line = "Statistics were reset mid-run at \(times); the figures below count from the last reset."
            html += "<p class=\"reset\">\(htmlEscaped(line))</p>\n"
        }
        return html + "</header>"
    }

    /// The word a CI log or a person looks for first, with what made it so.
    static func verdict(_ summary: RunSummary) -> String {
        var lines: [String] = []
        if let reason = summary.interrupted {
            lines.append("INTERRUPTED: \(reason); the figures below are what was measured until then")
        }
        if let reason = summary.abortReason { lines.append("ABORTED: \(reason)") }
        let failed = summary.thresholds.filter { !$0.passed }.count
        if failed > 0 {
            lines.append(
                "\(failed) of \(summary.thresholds.count) threshold\(summary.thresholds.count == 1 ? "" : "s") failed")
        }
        lines += Verdict.warnings(summary).map { "WARNING: \($0)" }
        let word = Verdict.word(summary)
        return "<section id=\"verdict\" class=\"verdict \(word.lowercased())\">\n<p class=\"word\">\(word)</p>\n"
            + paragraphs(lines) + "</section>"
    }

    /// `<section>` with an `<h2>`; `note` is the heading's qualifier in lighter type, e.g. the unit.
    static func section(_ id: String, _ heading: String, note: String? = nil, _ content: String) -> String {
        let qualifier = note.map { " <span class=\"note\">\(htmlEscaped($0))</span>" } ?? ""
        let end = content.hasSuffix("\n") ? "" : "\n"
        return
            "<section id=\"\(htmlEscaped(id))\">\n<h2>\(htmlEscaped(heading))\(qualifier)</h2>\n\(content)\(end)</section>"
    }

    /// One escaped `<p>` per line.
    static func paragraphs(_ lines: [String]) -> String {
        lines.map { "<p>\(htmlEscaped($0))</p>\n" }.joined()
    }
}
