/// `/ui/charts.js`: the dashboard's line charts as inline SVG (no library, nothing from a CDN).
enum DashboardCharts {
    static let source = #"""
        // loadd dashboard: line charts drawn as inline SVG, no library. Each chart takes the full width of
        // its figure; the legend sits under it.
        "use strict";
        const LoaddCharts = (() => {
          const NS = "http://www.w3.org/2000/svg";
          const HEIGHT = 190, LEFT = 56, RIGHT = 12, TOP = 10, BOTTOM = 24;

          function el(name, attributes, parent) {
            const node = document.createElementNS(NS, name);
            for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
            if (parent) parent.appendChild(node);
            return node;
          }

          // Round tick values: 1, 2 or 5 times a power of ten.
          function niceStep(span, count) {
            const raw = span / Math.max(1, count);
            const power = Math.pow(10, Math.floor(Math.log10(raw)));
            const unit = raw / power;
            return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
          }

          function formatNumber(value) {
            if (value === 0) return "0";
            const magnitude = Math.abs(value);
            if (magnitude >= 1e6) return (value / 1e6).toFixed(1) + "M";
            if (magnitude >= 1e4) return (value / 1e3).toFixed(0) + "k";
            if (magnitude >= 100) return value.toFixed(0);
            if (magnitude >= 1) return value.toFixed(magnitude >= 10 ? 0 : 1).replace(/\.0$/, "");
            return value.toPrecision(2);
          }

          function formatClock(seconds) {
            const s = Math.max(0, Math.round(seconds));
            const m = Math.floor(s / 60);
            return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}` : `${m}:${String(s % 60).padStart(2, "0")}`;
          }

          // At most two points per pixel column: a long run's history stays cheap to redraw each second,
          // and each column keeps its highest value so a spike is never averaged away.
          function thin(points, columns) {
            if (points.length <= columns * 2) return points;
            const first = points[0][0], span = Math.max(1, points[points.length - 1][0] - first);
            const kept = [];
            let column = -1;
            for (const point of points) {
              const at = Math.floor(((point[0] - first) / span) * (columns - 1));
              if (at !== column) { kept.push(point); column = at; }
              else if (point[1] > kept[kept.length - 1][1]) kept[kept.length - 1] = point;
            }
            return kept;
          }

          // Points split where the seconds jump by more than one.
          function segments(points) {
            const runs = [[points[0]]];
            for (let i = 1; i < points.length; i++) {
              if (points[i][0] - points[i - 1][0] > 1) runs.push([]);
              runs[runs.length - 1].push(points[i]);
            }
            return runs;
          }

          // figure: the element to draw into; options: {title, unit, log, series: [{name, cls, points: [[x, y]]}]}
          function draw(figure, options) {
            const width = Math.max(320, figure.clientWidth || 640);
            figure.textContent = "";
            const caption = document.createElement("figcaption");
            caption.textContent = options.title + (options.log ? " (log scale)" : "");
            figure.appendChild(caption);
            const svg = el("svg", { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: "img",
                                    "aria-label": options.title }, figure);
            const all = options.series.flatMap((s) => s.points);
            const xs = all.map((p) => p[0]);
            const xMin = xs.length ? Math.min(...xs) : 0;
            const xMax = xs.length ? Math.max(...xs, xMin + 1) : 60;
            const positive = all.map((p) => p[1]).filter((v) => v > 0);
            let yMin = 0, yMax = Math.max(1, ...all.map((p) => p[1]));
            let toY;
            const plotHeight = HEIGHT - TOP - BOTTOM, plotWidth = width - LEFT - RIGHT;
            const ticks = [];
            if (options.log) {
              yMin = Math.pow(10, Math.floor(Math.log10(positive.length ? Math.min(...positive) : 0.1)));
              yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(yMax, yMin * 10))));
              const low = Math.log10(yMin), high = Math.log10(yMax);
              toY = (v) => TOP + plotHeight * (1 - (Math.log10(Math.max(v, yMin)) - low) / (high - low));
              for (let e = low; e <= high; e += 1) ticks.push(Math.pow(10, e));
            } else {
              const step = niceStep(yMax, 4);
              yMax = Math.ceil(yMax / step) * step;
              toY = (v) => TOP + plotHeight * (1 - v / yMax);
              for (let v = 0; v <= yMax + step / 2; v += step) ticks.push(v);
            }
            const toX = (x) => LEFT + plotWidth * ((x - xMin) / Math.max(1, xMax - xMin));
            for (const tick of ticks) {
              const y = toY(tick);
              el("line", { x1: LEFT, x2: width - RIGHT, y1: y, y2: y, class: "grid" }, svg);
              el("text", { x: LEFT - 6, y: y + 4, "text-anchor": "end", class: "tick" }, svg).textContent =
                formatNumber(tick) + (options.unit || "");
            }
            const xStep = Math.max(1, niceStep(Math.max(1, xMax - xMin), Math.max(2, Math.floor(plotWidth / 90))));
            for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep) {
              el("text", { x: toX(x), y: HEIGHT - 6, "text-anchor": "middle", class: "tick" }, svg).textContent = formatClock(x);
            }
            el("line", { x1: LEFT, x2: width - RIGHT, y1: TOP + plotHeight, y2: TOP + plotHeight, class: "axis" }, svg);
            const legend = document.createElement("ul");
            legend.className = "legend";
            for (const series of options.series) {
              if (series.points.length) {
                // A second missing from the history (a restart's gap, or no requests for a latency) breaks
                // the line, as in the HTML report: each run of consecutive seconds is its own subpath, thinned
                // to its share of the width, and a lone second is a dot.
                const runs = segments(series.points);
                const d = runs.map((run) => {
                  const columns = Math.max(1, Math.ceil(plotWidth * (run[run.length - 1][0] - run[0][0] + 1) / Math.max(1, xMax - xMin)));
                  const kept = thin(run, columns);
                  const at = kept.map((p) => [toX(p[0]), toY(p[1])]);
                  if (at.length === 1) {
                    return `M${(at[0][0] - 2.5).toFixed(1)},${at[0][1].toFixed(1)}a2.5,2.5 0 1,0 5,0a2.5,2.5 0 1,0 -5,0`;
                  }
                  return at.map((p, i) => `${i ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`).join("");
                }).join("");
                el("path", { d, class: `series ${series.cls}`, "data-points": series.points.length,
                             "data-segments": runs.length }, svg);
              }
              const item = document.createElement("li");
              const swatch = document.createElement("span");
              swatch.className = `swatch ${series.cls}`;
              item.append(swatch, document.createTextNode(series.name));
              legend.appendChild(item);
            }
            figure.appendChild(legend);
          }

          return { draw, formatNumber, formatClock };
        })();
        """#
}
