/// The dashboard's cards around the statistics (`LoaddPanels`): the run's facts and verdict, failures
/// grouped by reason, thresholds, the fleet's workers and the stored runs. Served in `/ui/dashboard.js`.
enum DashboardPanelsScript {
    static let source = #"""
        "use strict";
        const LoaddPanels = (() => {
          const { $, api, cell, fmt, ms, fixed, when, keyOf, TOTAL, showMessage } = LoaddUI;

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

          async function refreshWorkers(role) {
            const card = $("workers-card");
            card.hidden = role !== "master";
            if (role !== "master") return;
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

          return { renderRun, renderFailures, renderThresholds, refreshWorkers, refreshRuns };
        })();
        """#
}
