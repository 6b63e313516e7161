/// The dashboard scripts' shared helpers (`LoaddUI`): the control API call, table cells, number and
/// time formats, messages. Served first in `/ui/dashboard.js`, in front of the scripts that use them.
enum DashboardCommonScript {
    static let source = #"""
        "use strict";
        const LoaddUI = (() => {
          const $ = (id) => document.getElementById(id);

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

          return { $, api, cell, fmt, ms, fixed, when, keyOf, TOTAL, showMessage };
        })();
        """#
}
