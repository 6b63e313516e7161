extension HTMLReport {
    /// Inline, because the page must open offline and from a CI artifact store that serves nothing else.
    /// System fonts only; colours chosen to stay apart for the common colour-vision deficiencies and in print.
    static let styleSheet = """
        :root { --ink: #1d2430; --muted: #5b6472; --rule: #d5dae1; --band: #f3f5f8;
          --pass: #1a7f37; --pass-bg: #e6f4ea; --fail: #b42318; --fail-bg: #fdecea; --warn-bg: #fff4d6; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
          max-width: 1200px; margin: 24px auto; padding: 0 16px; }
        h1 { font-size: 22px; margin: 0 0 8px; overflow-wrap: anywhere; }
        h2 { font-size: 17px; margin: 28px 0 8px; }
        .note { color: var(--muted); font-weight: normal; font-size: 13px; }
        .facts { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0; }
        .facts div { display: flex; gap: 6px; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .verdict { margin: 18px 0; padding: 10px 16px; border-radius: 6px; border-left: 6px solid; }
        .verdict p { margin: 2px 0; overflow-wrap: anywhere; }
        .verdict .word { font-size: 20px; font-weight: 700; letter-spacing: 0.04em; }
        .verdict.passed { background: var(--pass-bg); border-color: var(--pass); color: var(--pass); }
        .verdict.failed { background: var(--fail-bg); border-color: var(--fail); color: var(--fail); }
        .verdict.interrupted { background: var(--warn-bg); border-color: var(--fail); color: var(--ink); }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { padding: 4px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
        th { background: var(--band); white-space: nowrap; }
        td { overflow-wrap: anywhere; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tfoot td { font-weight: 600; border-top: 2px solid var(--ink); }
        tr.pass td:first-child { color: var(--pass); font-weight: 600; }
        tr.fail td:first-child { color: var(--fail); font-weight: 600; }
        .warning { margin: 18px 0; padding: 10px 16px; background: var(--warn-bg); border-radius: 6px; }
        .warning p { margin: 2px 0; }
        .chart { margin: 12px 0 20px; }
        .chart figcaption { font-weight: 600; margin-bottom: 4px; }
        .chart svg { width: 100%; height: auto; }
        .chart .grid { stroke: var(--rule); stroke-width: 1; }
        .chart .axis { stroke: var(--muted); stroke-width: 1; }
        .chart .tick { font-size: 11px; fill: var(--muted); dominant-baseline: middle; }
        .chart .tick.value { text-anchor: end; }
        .chart .tick.time { text-anchor: middle; }
        .chart .line { fill: none; stroke: var(--series); stroke-width: 1.6; stroke-linejoin: round; }
        .chart .dot { fill: var(--series); }
        .legend { list-style: none; display: flex; flex-wrap: wrap; justify-content: center; gap: 18px; padding: 0;
          margin: 4px 0 0; font-size: 12px; }
        .legend li::before { content: ""; display: inline-block; width: 14px; height: 3px; margin-right: 6px;
          vertical-align: middle; background: var(--series); }
        .requests, .median { --series: #2a6fdb; }
        .failures { --series: #d1342f; }
        .p95 { --series: #e08a00; }
        .p99 { --series: #8e44ad; }
        .users { --series: #1a7f37; }
        .reset { margin: 8px 0 0; padding: 6px 10px; background: var(--warn-bg); border-radius: 4px; }
        .files { margin: 4px 0; padding-left: 20px; }
        @media print { body { margin: 0; max-width: none; } section { break-inside: avoid; } }

        """
}
