/// The dashboard's "Where the time went" card: per endpoint and for all together, a bar of the mean
/// request cut into DNS | connect | TLS | waiting (TTFB) | transfer, and each phase's mean and p95,
/// from the `phases` of the summary `GET /v1/status` already carries. Served in front of
/// `DashboardScript` in `/ui/dashboard.js`, which calls `LoaddPhases.render(summary)` once a poll.
/// It builds its own card (no markup in the page), draws with SVG attributes only (the CSP allows no
/// inline style) and sets text with `textContent` (endpoint names come from scenarios).
enum DashboardPhasesScript {
    static let source = #"""
        "use strict";
        const LoaddPhases = (() => {
          const NS = "http://www.w3.org/2000/svg";
          const PHASES = [["dns", "DNS", "#8e44ad"], ["connect", "Connect", "#e08a00"], ["tls", "TLS", "#d1342f"],
                          ["ttfb", "Waiting (TTFB)", "#2a6fdb"], ["transfer", "Transfer", "#1a7f37"]];
          const ms = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
          const bytes = (n) => {
            const units = ["B", "KiB", "MiB", "GiB", "TiB"];
            let v = n, u = 0;
            while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
            return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
          };
          const total = (p) => PHASES.reduce((sum, [key]) => sum + Math.max(0, p[key].mean_ms), 0);
          let card = null;

          function el(name, text, cls) {
            const node = document.createElement(name);
            if (text !== undefined) node.textContent = text;
            if (cls) node.className = cls;
            return node;
          }

          function makeCard() {
            const section = el("section", undefined, "card");
            section.id = "phases-card";
            const heading = el("h2", "Where the time went ");
            heading.appendChild(el("span", "mean per request, ms; p95 after the slash", "note"));
            section.appendChild(heading);
            const scroll = el("div", undefined, "scroll");
            const table = el("table");
            table.id = "phases";
            const head = el("tr");
            for (const label of ["Endpoint", "Mean request"].concat(PHASES.map((p) => p[1]), ["Opened", "Sent", "Received"])) {
              head.appendChild(el("th", label));
            }
            table.appendChild(el("thead")).appendChild(head);
            table.appendChild(el("tbody")).id = "phases-body";
            table.appendChild(el("tfoot")).id = "phases-foot";
            scroll.appendChild(table);
            section.appendChild(scroll);
            section.appendChild(el("p", "A reused connection spends nothing on DNS, connect or TLS: those means are the "
              + "connections' cost spread over all requests; Opened counts the requests that paid it.", "note"));
            const stats = document.getElementById("stats");
            const after = stats ? stats.closest("section") : null;
            if (after) after.after(section); else document.body.appendChild(section);
            return section;
          }

          function bar(p, scale) {
            const svg = document.createElementNS(NS, "svg");
            svg.setAttribute("class", "phase-bar");
            svg.setAttribute("viewBox", "0 0 300 14");
            svg.setAttribute("width", "300");
            svg.setAttribute("height", "14");
            let x = 0;
            for (const [key, label, colour] of PHASES) {
              const mean = Math.max(0, p[key].mean_ms);
              const w = scale > 0 ? (mean / scale) * 300 : 0;
              const rect = document.createElementNS(NS, "rect");
              rect.setAttribute("class", `phase ${key}`);
              rect.setAttribute("x", x.toFixed(2));
              rect.setAttribute("width", w.toFixed(2));
              rect.setAttribute("height", "14");
              rect.setAttribute("fill", colour);
              const title = document.createElementNS(NS, "title");
              title.textContent = `${label} ${ms(mean)} ms`;
              rect.appendChild(title);
              svg.appendChild(rect);
              x += w;
            }
            return svg;
          }

          function row(label, p, scale) {
            const tr = el("tr");
            tr.dataset.endpoint = label;
            tr.appendChild(el("td", label));
            const cell = el("td");
            cell.appendChild(bar(p, scale));
            cell.appendChild(el("span", ` ${ms(total(p))}`));
            tr.appendChild(cell);
            for (const [key] of PHASES) tr.appendChild(el("td", `${ms(p[key].mean_ms)} / ${ms(p[key].p95_ms)}`, "num"));
            tr.appendChild(el("td", `${p.connect.nonzero} of ${p.requests}`, "num"));
            tr.appendChild(el("td", bytes(p.bytes_sent), "num"));
            tr.appendChild(el("td", bytes(p.bytes_received), "num"));
            return tr;
          }

          function render(summary) {
            const rows = (summary.endpoints || []).filter((e) => e.phases)
              .map((e) => [`${e.method} ${e.name}`, e.phases])
              .sort((a, b) => a[0].localeCompare(b[0]));
            if (!rows.length) { if (card) card.hidden = true; return; }
            if (!card) card = makeCard();
            card.hidden = false;
            const all = summary.total && summary.total.phases;
            const scale = Math.max(...rows.map((r) => total(r[1])), all ? total(all) : 0);
            const body = document.getElementById("phases-body"), foot = document.getElementById("phases-foot");
            body.textContent = "";
            foot.textContent = "";
            for (const [label, p] of rows) body.appendChild(row(label, p, scale));
            if (all) foot.appendChild(row("Aggregated", all, scale));
          }

          return { render };
        })();

        """#
}
