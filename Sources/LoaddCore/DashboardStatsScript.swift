/// The dashboard's statistics table (`LoaddStats`): Locust's columns per endpoint and Aggregated, the
/// current rates from successive polls' counts, sorting by any column. Served in `/ui/dashboard.js`.
enum DashboardStatsScript {
    static let source = #"""
        "use strict";
        const LoaddStats = (() => {
          const { $, api, cell, fmt, ms, fixed, when, keyOf, TOTAL, showMessage } = LoaddUI;
          const RATE_WINDOW_MS = 5000;

          // Current rates from successive polls' cumulative counts (the last five seconds); a count that
          // went down means the stats were reset, which restarts the window.
          function currentRates(summary, state) {
            const now = performance.now();
            const counts = new Map([[TOTAL, [summary.total.requests, summary.total.failures]]]);
            for (const e of summary.endpoints) counts.set(keyOf(e), [e.requests, e.failures]);
            const last = state.window[state.window.length - 1];
            if (last && [...counts].some(([k, c]) => last.counts.has(k) && (c[0] < last.counts.get(k)[0]))) state.window = [];
            state.window.push({ at: now, counts });
            while (state.window.length > 2 && now - state.window[1].at >= RATE_WINDOW_MS) state.window.shift();
            const first = state.window[0];
            const seconds = (now - first.at) / 1000;
            const rates = new Map();
            for (const [key, c] of counts) {
              const before = first.counts.get(key) || [0, 0];
              rates.set(key, seconds >= 0.5 ? [(c[0] - before[0]) / seconds, (c[1] - before[1]) / seconds] : null);
            }
            return rates;
          }

          const COLUMNS = [
            ["method", "Type"], ["name", "Name"], ["requests", "# Requests"], ["failures", "# Fails"],
            ["current_rps", "Current RPS"], ["current_fps", "Current fail/s"], ["rps", "Avg RPS"],
            ["failures_per_s", "Avg fail/s"], ["median_ms", "Median"], ["p90_ms", "90%"], ["p95_ms", "95%"],
            ["p99_ms", "99%"], ["max_ms", "Max"], ["avg_ms", "Avg"],
            ["lag_median_ms", "Lag p50"], ["lag_p99_ms", "Lag p99"], ["lag_max_ms", "Lag max"], ["avg_bytes", "Avg size (B)"],
          ];

          function statsRow(e, rates, key) {
            const rate = rates.get(key || keyOf(e));
            return Object.assign({}, e, {
              current_rps: rate ? rate[0] : e.current_rps,
              current_fps: rate ? rate[1] : null,
              // Schedule lag (intended start → handed to libcurl); absent from summaries stored before it.
              lag_median_ms: e.lag ? e.lag.median_ms : null,
              lag_p99_ms: e.lag ? e.lag.p99_ms : null,
              lag_max_ms: e.lag ? e.lag.max_ms : null,
            });
          }

          function fillStatsRow(row, e) {
            for (const [key] of COLUMNS) {
              const value = e[key];
              let text;
              if (value === null || value === undefined) text = "—";
              else if (typeof value === "string") text = value;
              else if (key === "requests" || key === "failures") text = String(value);
              else if (key.startsWith("lag_") && value < 10) text = value.toFixed(2);   // a good lag is tens of µs
              else if (key.endsWith("_ms")) text = ms(value);
              else text = fixed(value);
              cell(row, text, typeof value === "number" ? "num" : "");
            }
          }

          function renderStats(summary, state) {
            const rates = currentRates(summary, state);
            const head = $("stats-head");
            if (!head.childElementCount) {
              for (const [key, label] of COLUMNS) {
                const th = document.createElement("th");
                th.textContent = label;
                th.dataset.key = key;
                th.tabIndex = 0;
                th.addEventListener("click", () => {
                  state.sort = { key, up: state.sort.key === key ? !state.sort.up : key === "name" || key === "method" };
                  if (state.summary) renderStats(state.summary, state);
                });
                head.appendChild(th);
              }
            }
            for (const th of head.children) {
              th.className = th.dataset.key === state.sort.key ? (state.sort.up ? "sorted up" : "sorted down") : "";
            }
            const rows = summary.endpoints.map((e) => statsRow(e, rates));
            const { key, up } = state.sort;
            rows.sort((a, b) => {
              const x = a[key] ?? -1, y = b[key] ?? -1;
              const order = typeof x === "string" ? x.localeCompare(y) : x - y;
              return up ? order : -order;
            });
            const body = $("stats-body");
            body.textContent = "";
            for (const e of rows) {
              const row = document.createElement("tr");
              row.dataset.endpoint = keyOf(e);
              fillStatsRow(row, e);
              body.appendChild(row);
            }
            const foot = $("stats-foot");
            foot.textContent = "";
            const total = document.createElement("tr");
            total.id = "stats-total";
            fillStatsRow(total, statsRow(Object.assign({}, summary.total, { method: "", name: "Aggregated" }), rates, TOTAL));
            total.dataset.requests = String(summary.total.requests);
            foot.appendChild(total);
          }

          return { render: renderStats };
        })();
        """#
}
