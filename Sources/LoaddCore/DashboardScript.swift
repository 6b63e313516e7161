/// The last part of `/ui/dashboard.js`: polls `GET /v1/status` once a second, keeps the run's history
/// for the charts and hands the rest to `LoaddStats` and `LoaddPanels`; its controls call the same
/// routes as `loadctl`.
enum DashboardScript {
    static let source = #"""
        // loadd dashboard: polls the control API once a second and renders it. Every write goes through
        // the same /v1 routes loadctl uses; the daemon checks them the same way.
        "use strict";
        (() => {
          const { $, api, fmt, showMessage } = LoaddUI;
          const { renderRun, renderFailures, renderThresholds, refreshWorkers, refreshRuns } = LoaddPanels;
          const state = {
            run: null, role: "", history: [], lastSecond: -1, window: [], sort: { key: "name", up: true },
            workersAt: 0, runsAt: 0, lastRunState: "", open: false, summary: null,
          };

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
                LoaddStats.render(summary, state);
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
                await refreshWorkers(state.role);
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
