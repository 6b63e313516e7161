/// `/ui/dashboard.js`: polls `GET /v1/status` once a second and renders the run, the statistics
/// table (current rates from successive polls), failures, thresholds, workers and runs; its
/// controls call the same routes as `loadctl`.
enum DashboardScript {
    static let source = #"""
        // loadd dashboard: polls the control API once a second and renders it. Every write goes through
        // the same /v1 routes loadctl uses; the daemon checks them the same way.
        "use strict";
        (() => {
          const $ = (id) => document.getElementById(id);
          const RATE_WINDOW_MS = 5000;
          const state = {
            run: null, role: "", history: [], lastSecond: -1, window: [], sort: { key: "name", up: true },
            workersAt: 0, runsAt: 0, lastRunState: "", open: false, summary: null,
          };

          async function api(method, path, body) {
            const init = { method, headers: {} };
            if (body !== undefined) {
              init.headers["content-type"] = "application/json";
              init.body = JSON.stringify(body);
            }
            const reply = await fetch(path, init);
            const text = await reply.text();
            let json = null;
            try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
            if (!reply.ok) {
              const error = new Error(json && json.error ? json.error : `HTTP ${reply.status}`);
              error.details = json && Array.isArray(json.details) ? json.details : [];
              throw error;
            }
            return json;
          }

          function cell(row, text, cls) {
            const td = document.createElement("td");
            td.textContent = text;
            if (cls) td.className = cls;
            row.appendChild(td);
            return td;
          }

          const fmt = LoaddCharts.formatNumber;
          const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
          const fixed = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
          const when = (unix) => (unix ? new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "");
          const keyOf = (e) => `${e.method} ${e.name}`;
          const TOTAL = "\u0000total";

          function showMessage(element, text, details, ok) {
            element.textContent = "";
            element.className = ok ? "message ok" : "message error";
            element.hidden = !text;
            if (!text) return;
            const line = document.createElement("p");
            line.textContent = text;
            element.appendChild(line);
            if (details && details.length) {
              const list = document.createElement("ul");
              for (const detail of details) {
                const item = document.createElement("li");
                item.textContent = detail;
                list.appendChild(item);
              }
              element.appendChild(list);
            }
          }

          // Current rates from successive polls' cumulative counts (the last five seconds); a count that
          // went down means the stats were reset, which restarts the window.
          function currentRates(summary) {
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

          function renderStats(summary) {
            const rates = currentRates(summary);
            const head = $("stats-head");
            if (!head.childElementCount) {
              for (const [key, label] of COLUMNS) {
                const th = document.createElement("th");
                th.textContent = label;
                th.dataset.key = key;
                th.tabIndex = 0;
                th.addEventListener("click", () => {
                  state.sort = { key, up: state.sort.key === key ? !state.sort.up : key === "name" || key === "method" };
                  if (state.summary) renderStats(state.summary);
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

          function renderCharts() {
            const h = state.history;
            const log = $("log-scale").checked;
            LoaddCharts.draw($("chart-rps"), { title: "Requests and failures per second", series: [
              { name: "requests/s", cls: "s-requests", points: h.map((s) => [s.second, s.requests]) },
              { name: "failures/s", cls: "s-failures", points: h.map((s) => [s.second, s.failures]) },
            ] });
            const timed = h.filter((s) => s.requests > 0);
            LoaddCharts.draw($("chart-latency"), { title: "Response times (ms)", log, unit: "", series: [
              { name: "p50", cls: "s-p50", points: timed.map((s) => [s.second, s.median_ms]) },
              { name: "p95", cls: "s-p95", points: timed.map((s) => [s.second, s.p95_ms]) },
              { name: "p99", cls: "s-p99", points: timed.map((s) => [s.second, s.p99_ms]) },
            ] });
            LoaddCharts.draw($("chart-users"), { title: "Users", series: [
              { name: "users", cls: "s-users", points: h.map((s) => [s.second, s.users]) },
            ] });
            $("chart-dropped").hidden = !state.open;
            if (state.open) {
              LoaddCharts.draw($("chart-dropped"), { title: "Dropped iterations per second", series: [
                { name: "dropped", cls: "s-dropped", points: h.map((s) => [s.second, s.dropped || 0]) },
              ] });
            }
          }

          function fact(list, label, value, id) {
            const dt = document.createElement("dt");
            dt.textContent = label;
            const dd = document.createElement("dd");
            dd.textContent = value;
            if (id) dd.id = id;
            list.append(dt, dd);
          }

          function renderRun(status) {
            const run = status.run, summary = status.summary;
            const facts = $("run-facts");
            facts.textContent = "";
            $("node").textContent = `${status.node} · ${status.role} · loadd ${status.version}`;
            if (status.compiling) fact(facts, "Compiling", status.compiling);
            if (!run) {
              $("generator-flag").hidden = true;
              fact(facts, "State", "idle", "run-state");
              $("verdict").textContent = "No run yet: start one below.";
              return;
            }
            const live = run.state === "running" || run.state === "stopping";
            fact(facts, "Run", run.id);
            fact(facts, "State", run.state, "run-state");
            if (summary && summary.resumes && summary.resumes.length) {
              const gap = summary.resumes.reduce((sum, r) => sum + r.gap_s, 0);
              fact(facts, "Resumed", `after ${summary.resumes.length} restart(s) of loadd: ${fmt(gap)} s without load (a gap in the history)`, "resumed");
            }
            fact(facts, "Scenario", run.scenario);
            fact(facts, "Host", run.host);
            if (summary && summary.open_model) {
              fact(facts, "Rate (target)", `${fmt(summary.open_model.target_rate)} it/s`, "target-rate");
              fact(facts, "In flight (live)", String(summary.users), "live-users");
              fact(facts, "Dropped", String(summary.open_model.dropped));
            } else {
              fact(facts, "Users (target)", String(run.users), "target-users");
              fact(facts, "Users (live)", summary ? String(summary.users) : "—", "live-users");
            }
            if (status.workers !== undefined && status.workers !== null) fact(facts, "Workers", String(status.workers));
            const elapsed = summary ? LoaddCharts.formatClock(summary.duration_s) : "—";
            const planned = live && status.run_duration_s ? ` of ${LoaddCharts.formatClock(status.run_duration_s)}` : "";
            fact(facts, live ? "Elapsed" : "Measured", elapsed + (live ? planned || " (until stopped)" : ""), "elapsed");
            if (summary && summary.total.lag) fact(facts, "Schedule lag p99", `${summary.total.lag.p99_ms.toFixed(2)} ms`, "lag-p99");
            fact(facts, "Started", when(run.started_at));
            if (run.ended_at) fact(facts, "Ended", when(run.ended_at));
            const verdict = $("verdict");
            if (live && summary) {
              const failed = summary.thresholds.filter((t) => !t.passed).length;
              verdict.textContent = failed
                ? `Verdict so far: failing (${failed} of ${summary.thresholds.length} thresholds not met yet)`
                : `Verdict so far: passing${summary.thresholds.length ? "" : " (no thresholds)"} — final when the run ends`;
              verdict.className = failed ? "verdict bad" : "verdict good";
            } else {
              verdict.textContent = `Verdict: ${run.state.toUpperCase()}` + (summary && summary.abort_reason ? ` — ${summary.abort_reason}` : "");
              verdict.className = run.state === "passed" ? "verdict good" : "verdict bad";
            }
            const limited = summary && summary.generator ? summary.generator.schedule_lag_limited : null;
            $("generator-flag").hidden = !limited;
            $("generator-flag").textContent = limited ? `Generator-limited: ${limited}` : "";
            $("steer").dataset.running = run.state === "running" ? "yes" : "no";
            for (const id of ["users-btn", "rate-btn", "reset-btn", "stop-btn"]) $(id).disabled = run.state !== "running";
            $("users-group").hidden = !!(summary && summary.open_model);
            $("rate-group").hidden = !(summary && summary.open_model);
          }

          // Unix seconds (the summary's first_seen/last_seen) as the browser's local time of day.
          function seenAt(seconds) {
            return seconds == null ? "–" : new Date(seconds * 1000).toLocaleTimeString();
          }

          function renderFailures(summary) {
            const groups = new Map();
            for (const f of summary.failures_by_reason) {
              const group = groups.get(f.reason) || { count: 0, endpoints: [], first: null, last: null };
              group.count += f.count;
              group.endpoints.push(`${f.method} ${f.name} × ${f.count}`);
              if (f.first_seen != null) group.first = group.first == null ? f.first_seen : Math.min(group.first, f.first_seen);
              if (f.last_seen != null) group.last = group.last == null ? f.last_seen : Math.max(group.last, f.last_seen);
              groups.set(f.reason, group);
            }
            const body = $("failures-body");
            body.textContent = "";
            for (const [reason, group] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
              const row = document.createElement("tr");
              cell(row, reason);
              cell(row, String(group.count), "num");
              cell(row, seenAt(group.first));
              cell(row, seenAt(group.last));
              cell(row, group.endpoints.join(", "));
              body.appendChild(row);
            }
            $("failures-empty").hidden = groups.size > 0;
          }

          function renderThresholds(summary, live) {
            const body = $("thresholds-body");
            body.textContent = "";
            for (const t of summary.thresholds) {
              const row = document.createElement("tr");
              cell(row, t.expression);
              cell(row, t.endpoint ? `${t.endpoint.method} ${t.endpoint.name}` : "all requests");
              cell(row, fmt(t.actual), "num");
              cell(row, (t.passed ? "met" : "not met") + (live ? " so far" : ""), t.passed ? "good" : "bad");
              body.appendChild(row);
            }
            $("thresholds-empty").hidden = summary.thresholds.length > 0;
          }

          async function refreshWorkers() {
            const card = $("workers-card");
            card.hidden = state.role !== "master";
            if (state.role !== "master") return;
            const workers = await api("GET", "/v1/workers");
            const body = $("workers-body");
            body.textContent = "";
            for (const w of workers) {
              const row = document.createElement("tr");
              cell(row, w.node);
              cell(row, w.address);
              cell(row, String(w.cores), "num");
              cell(row, fmt(w.weight), "num");
              cell(row, w.activity + (w.problem ? ` — ${w.problem}` : ""), w.problem ? "bad" : "");
              cell(row, String(w.users), "num");
              cell(row, fixed(w.rps), "num");
              cell(row, w.cpu == null ? "–" : `${Math.round(w.cpu * 100)} %`, "num");
              cell(row, `${w.last_seen_s.toFixed(1)} s ago`, "num");
              body.appendChild(row);
            }
            $("workers-empty").hidden = workers.length > 0;
          }

          function link(parent, text, href, download) {
            const a = document.createElement("a");
            a.textContent = text;
            a.href = href;
            if (download) a.setAttribute("download", "");
            else { a.target = "_blank"; a.rel = "noopener noreferrer"; }
            parent.appendChild(a);
            parent.appendChild(document.createTextNode(" "));
          }

          async function refreshRuns() {
            const runs = await api("GET", "/v1/runs");
            const body = $("runs-body");
            body.textContent = "";
            for (const run of runs.slice(0, 50)) {
              const row = document.createElement("tr");
              cell(row, run.id);
              cell(row, run.scenario);
              cell(row, run.state, run.state === "passed" ? "good" : run.state === "failed" ? "bad" : "");
              cell(row, when(run.started_at));
              cell(row, String(run.users), "num");
              cell(row, String(run.requests), "num");
              cell(row, String(run.failures), "num");
              const files = cell(row, "");
              if (run.state !== "damaged") {
                const base = `/v1/runs/${encodeURIComponent(run.id)}/files/`;
                link(files, "report", base + "report.html");
                link(files, "JSON", base + "summary.json");
                link(files, "stats.csv", base + "stats.csv", true);
                link(files, "history.csv", base + "stats_history.csv", true);
                link(files, "failures.csv", base + "failures.csv", true);
              } else {
                files.textContent = run.damage || "damaged";
              }
              body.appendChild(row);
            }
            $("runs-empty").hidden = runs.length > 0;
          }

          async function poll() {
            try {
              const after = state.history.length ? `?history_after=${state.lastSecond}` : "";
              const status = await api("GET", "/v1/status" + after);
              $("conn").textContent = `updated ${new Date().toLocaleTimeString()}`;
              $("conn").className = "conn ok";
              state.role = status.role;
              const run = status.run, summary = status.summary;
              const runKey = run ? run.id : "";
              const total = summary ? summary.total.requests : 0;
              const previousTotal = state.summary ? state.summary.total.requests : 0;
              if (runKey !== state.run || total < previousTotal) {
                // Another run, or its stats were reset: start the charts and rates over.
                state.run = runKey;
                state.history = [];
                state.lastSecond = -1;
                state.window = [];
                if (after) { setTimeout(poll, 0); return; }
              }
              state.open = !!(summary && summary.open_model);
              if (summary) {
                for (const sample of summary.history) {
                  if (sample.second > state.lastSecond) {
                    state.history.push(sample);
                    state.lastSecond = sample.second;
                  }
                }
                state.summary = summary;
              }
              renderRun(status);
              $("live").hidden = !summary;
              if (summary) {
                const live = !!run && (run.state === "running" || run.state === "stopping");
                renderStats(summary);
                LoaddPhases.render(summary);
                renderCharts();
                renderFailures(summary);
                renderThresholds(summary, live);
              }
              const now = Date.now();
              const runState = run ? `${run.id}:${run.state}` : "";
              if (runState !== state.lastRunState || now - state.runsAt > 5000) {
                state.lastRunState = runState;
                state.runsAt = now;
                await refreshRuns();
              }
              if (now - state.workersAt > 2000) {
                state.workersAt = now;
                await refreshWorkers();
              }
            } catch (error) {
              $("conn").textContent = `cannot reach loadd: ${error.message}`;
              $("conn").className = "conn bad";
            }
            setTimeout(poll, 1000);
          }

          function scenarioBody() {
            const body = { scenario: $("scenario").value, file: $("scenario-name").value || "scenario.yaml" };
            const overrides = {};
            const number = (id) => ($(id).value === "" ? undefined : Number($(id).value));
            if (number("start-users") !== undefined) overrides.users = number("start-users");
            if (number("start-rate") !== undefined) overrides.rate = number("start-rate");
            if ($("start-duration").value) overrides.duration = $("start-duration").value;
            if ($("start-host").value) overrides.host = $("start-host").value;
            if (Object.keys(overrides).length) body.overrides = overrides;
            if ($("remote-files").checked) body.remote_files = true;
            return body;
          }

          async function validate() {
            const result = $("validate-result");
            try {
              const v = await api("POST", "/v1/validate", scenarioBody());
              const load = v.model === "open" ? `${fmt(v.rate)} iterations/s` : `${v.users} users`;
              const length = v.duration_s ? LoaddCharts.formatClock(v.duration_s) : "until stopped";
              showMessage(result, `${v.file}: OK — ${v.scenario}: ${v.endpoints} endpoints, ${v.tasks} tasks, ${load}, `
                + `${length}, ${v.thresholds} thresholds, host ${v.host || "(none)"}`, [], true);
              return true;
            } catch (error) {
              showMessage(result, error.message, error.details, false);
              return false;
            }
          }

          async function start() {
            if (!(await validate())) return;
            try {
              const run = await api("POST", "/v1/runs", scenarioBody());
              showMessage($("validate-result"), `Run ${run.id} started.`, [], true);
              state.runsAt = 0;
            } catch (error) {
              showMessage($("validate-result"), error.message, error.details, false);
            }
          }

          async function control(path, body, done) {
            try {
              await api("POST", path, body);
              showMessage($("control-message"), done, [], true);
            } catch (error) {
              showMessage($("control-message"), error.message, error.details, false);
            }
          }

          function wire() {
            $("validate-btn").addEventListener("click", validate);
            $("start-btn").addEventListener("click", start);
            $("scenario-file").addEventListener("change", () => {
              const file = $("scenario-file").files[0];
              if (!file) return;
              $("scenario-name").value = file.name;
              file.text().then((text) => { $("scenario").value = text; });
            });
            $("steer").addEventListener("submit", (event) => event.preventDefault());
            $("users-btn").addEventListener("click", () => {
              const body = { users: Number($("users-input").value) };
              if ($("spawn-input").value !== "") body.spawn_rate = Number($("spawn-input").value);
              control("/v1/runs/current/users", body, `Users set to ${body.users}.`);
            });
            $("rate-btn").addEventListener("click", () => {
              const rate = Number($("rate-input").value);
              control("/v1/runs/current/rate", { rate }, `Rate set to ${rate} iterations/s.`);
            });
            $("reset-btn").addEventListener("click", () => control("/v1/runs/current/reset", undefined, "Statistics reset."));
            $("stop-btn").addEventListener("click", () => control("/v1/runs/current/stop", undefined, "Stopping…"));
            $("log-scale").addEventListener("change", renderCharts);
            window.addEventListener("resize", () => { if (state.history.length) renderCharts(); });
          }

          wire();
          poll();
        })();
        """#
}
