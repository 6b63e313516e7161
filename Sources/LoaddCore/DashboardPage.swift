/// The dashboard's page and style sheet, compiled in: a fleet's nodes have no internet, so nothing
/// is fetched from elsewhere and there is no build step. The page holds no inline script or style
/// (the CSP forbids both); its scripts are `DashboardCharts` (`/ui/charts.js`) and
/// the parts of `/ui/dashboard.js` (`DashboardRoutes.dashboardScript`).
enum DashboardPage {
    static let html = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>loadd dashboard</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/ui/dashboard.css">
        <script src="/ui/charts.js" defer></script>
        <script src="/ui/dashboard.js" defer></script>
        </head>
        <body>
        <header>
        <h1>loadd</h1><span id="node"></span><span id="conn" class="conn">connecting…</span>
        </header>
        <main>
        <section class="card" id="run-card">
        <h2>Run</h2>
        <dl id="run-facts"></dl>
        <p id="verdict" class="verdict"></p>
        <p id="generator-flag" class="verdict bad" role="status" hidden></p>
        <form id="steer" data-running="no">
        <span id="users-group"><label>Users <input id="users-input" type="number" min="0" step="1" required></label>
        <label>Spawn rate /s <input id="spawn-input" type="number" min="0" step="any" placeholder="as before"></label>
        <button type="button" id="users-btn" disabled>Set users</button></span>
        <span id="rate-group" hidden><label>Rate (iterations/s) <input id="rate-input" type="number" min="0" step="any"></label>
        <button type="button" id="rate-btn" disabled>Set rate</button></span>
        <button type="button" id="reset-btn" disabled>Reset stats</button>
        <button type="button" id="stop-btn" class="danger" disabled>Stop</button>
        </form>
        <div id="control-message" class="message" role="status" hidden></div>
        </section>
        <div id="live" hidden>
        <section class="card">
        <h2>Statistics</h2>
        <div class="scroll"><table id="stats"><thead><tr id="stats-head"></tr></thead><tbody id="stats-body"></tbody><tfoot id="stats-foot"></tfoot></table></div>
        <p class="note">Times in ms, from each request's intended start. Lag = intended start → handed to libcurl: the generator's own lateness, inside those times. Current = the last five seconds; Avg = the whole measured span. Click a heading to sort.</p>
        </section>
        <section class="card">
        <h2>Charts</h2>
        <label class="toggle"><input type="checkbox" id="log-scale"> log scale for response times</label>
        <figure id="chart-rps" class="chart"></figure>
        <figure id="chart-latency" class="chart"></figure>
        <figure id="chart-users" class="chart"></figure>
        <figure id="chart-dropped" class="chart" hidden></figure>
        </section>
        <section class="card half">
        <h2>Failures</h2>
        <table><thead><tr><th>Reason</th><th>Count</th><th>First seen</th><th>Last seen</th><th>Endpoints</th></tr></thead><tbody id="failures-body"></tbody></table>
        <p id="failures-empty" class="note">No failures.</p>
        </section>
        <section class="card half">
        <h2>Thresholds</h2>
        <table><thead><tr><th>Threshold</th><th>Applies to</th><th>Value</th><th>Result</th></tr></thead><tbody id="thresholds-body"></tbody></table>
        <p id="thresholds-empty" class="note">The scenario sets no thresholds.</p>
        </section>
        </div>
        <section class="card" id="workers-card" hidden>
        <h2>Workers</h2>
        <table><thead><tr><th>Node</th><th>Address</th><th>Cores</th><th>Weight</th><th>State</th><th>Users</th><th>Req/s</th><th>CPU</th><th>Last seen</th></tr></thead><tbody id="workers-body"></tbody></table>
        <p id="workers-empty" class="note">No worker is connected.</p>
        </section>
        <section class="card" id="start-card">
        <h2>Start a run</h2>
        <form id="start-form">
        <textarea id="scenario" rows="12" spellcheck="false" placeholder="Paste a scenario (YAML) or choose a file"></textarea>
        <div class="row">
        <label>File <input type="file" id="scenario-file" accept=".yaml,.yml,text/yaml"></label>
        <label>Name in errors <input id="scenario-name" value="scenario.yaml"></label>
        <label><input type="checkbox" id="remote-files"> data files from loadd's data_dir</label>
        </div>
        <div class="row">
        <label>Users <input id="start-users" type="number" min="1" step="1" placeholder="scenario's"></label>
        <label>Rate /s <input id="start-rate" type="number" min="0" step="any" placeholder="scenario's"></label>
        <label>Duration <input id="start-duration" placeholder="e.g. 5m"></label>
        <label>Host <input id="start-host" placeholder="scenario's"></label>
        </div>
        <div class="row">
        <button type="button" id="validate-btn">Validate</button>
        <button type="button" id="start-btn" class="primary">Validate and start</button>
        </div>
        </form>
        <div id="validate-result" class="message" role="status" hidden></div>
        </section>
        <section class="card">
        <h2>Runs</h2>
        <div class="scroll"><table><thead><tr><th>Run</th><th>Scenario</th><th>State</th><th>Started</th><th>Users</th><th>Requests</th><th>Failures</th><th>Files</th></tr></thead><tbody id="runs-body"></tbody></table></div>
        <p id="runs-empty" class="note">No runs stored.</p>
        </section>
        </main>
        </body>
        </html>
        """#

    static let css = #"""
        :root { --ink: #1d232b; --muted: #5f6b7a; --line: #d9dee5; --bg: #f4f6f8; --card: #fff; --good: #1a7f37; --bad: #c62828;
          --requests: #1f6feb; --failures: #d1242f; --p50: #2da44e; --p95: #bf8700; --p99: #8250df; --users: #0a7ea4; --dropped: #cf222e; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; gap: 16px; align-items: baseline; padding: 10px 20px; background: #14202e; color: #fff; }
        header h1 { margin: 0; font-size: 20px; }
        #node { color: #b8c4d2; }
        .conn { margin-left: auto; font-size: 12px; }
        .conn.ok { color: #8fd19e; } .conn.bad { color: #ff9b9b; }
        main { display: flex; flex-wrap: wrap; gap: 14px; padding: 14px 20px; }
        main > section, #live { flex: 1 1 100%; min-width: 0; max-width: 100%; }
        #live { display: flex; flex-wrap: wrap; gap: 14px; }
        #live[hidden], [hidden] { display: none !important; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; min-width: 0; }
        .card.half { flex: 1 1 calc(50% - 7px); }
        #live > .card:not(.half) { flex: 1 1 100%; }
        h2 { margin: 0 0 8px; font-size: 15px; }
        dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 6px 16px; margin: 0 0 8px; }
        dt { color: var(--muted); font-size: 12px; } dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        .verdict { font-weight: 600; } .good { color: var(--good); } .bad { color: var(--bad); }
        form { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; }
        #start-form { display: block; }
        .row { display: flex; flex-wrap: wrap; gap: 8px 14px; margin-top: 8px; align-items: center; }
        label { color: var(--muted); } input { font: inherit; padding: 3px 6px; width: 9em; }
        input[type=checkbox], input[type=file] { width: auto; }
        textarea { width: 100%; font: 13px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; }
        button { font: inherit; padding: 4px 12px; border: 1px solid #aab4c0; border-radius: 4px; background: #f6f8fa; cursor: pointer; }
        button.primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
        button.danger { color: var(--bad); }
        button:disabled { opacity: .45; cursor: default; }
        .message { margin-top: 8px; padding: 6px 10px; border-radius: 4px; }
        .message p { margin: 0; } .message ul { margin: 4px 0 0; padding-left: 20px; font-family: ui-monospace, monospace; }
        .message.ok { background: #e6f4ea; } .message.error { background: #fdecea; color: var(--bad); }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { padding: 4px 7px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; }
        thead th[data-key] { cursor: pointer; user-select: none; }
        th.sorted.up::after { content: " ▲"; } th.sorted.down::after { content: " ▼"; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
        td a { margin-right: 4px; }
        .note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
        .chart { margin: 8px 0 12px; }
        .chart figcaption { font-weight: 600; margin-bottom: 2px; }
        .chart svg { display: block; width: 100%; }
        .grid { stroke: #eef1f4; } .axis { stroke: #aab4c0; }
        .tick { fill: var(--muted); font-size: 11px; }
        .series { fill: none; stroke-width: 1.8; }
        .legend { display: flex; gap: 14px; list-style: none; margin: 2px 0 0 56px; padding: 0; font-size: 12px; color: var(--muted); }
        .swatch { display: inline-block; width: 14px; height: 3px; margin-right: 5px; vertical-align: middle; }
        .s-requests { stroke: var(--requests); background: var(--requests); } .s-failures { stroke: var(--failures); background: var(--failures); }
        .s-p50 { stroke: var(--p50); background: var(--p50); } .s-p95 { stroke: var(--p95); background: var(--p95); }
        .s-p99 { stroke: var(--p99); background: var(--p99); } .s-users { stroke: var(--users); background: var(--users); }
        .s-dropped { stroke: var(--dropped); background: var(--dropped); }
        """#
}
