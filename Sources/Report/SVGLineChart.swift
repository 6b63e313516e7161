import Protocol

/// A line chart over a run's seconds as inline SVG, with its caption and legend: what the HTML report draws
/// from `history`. Sized by a viewBox so it scales with the page; coordinates carry one decimal, so the
/// same data always gives the same bytes.
struct SVGLineChart {
    struct Series {
        var label: String
        /// Picks the line's colour in the report's style sheet.
        var className: String
        /// One value per entry of `seconds`. `nil` (or a value that is not finite) breaks the line: a latency
        /// in a second without requests is unknown, not 0 ms.
        var values: [Double?]
    }

    var title: String
    /// Ascending.
    var seconds: [Int]
    var series: [Series]
    /// Values on a log10 axis, so a median of milliseconds stays visible under a p99 of seconds.
    var logScale = false
    /// Events drawn as vertical lines across the chart (`loadctl mark`); see `ChartMarks`.
    var marks: [RunMark] = []

    // As wide as the page's content (1200 px less padding): the chart fills it at its natural height.
    private static let width = 1160.0
    private static let height = 260.0
    private static let left = 56.0   // room for the value labels
    private static let right = 1146.0
    private static let top = 10.0
    private static let bottom = 230.0   // room for the seconds below

    /// A `<figure>` with the chart, or an empty string when there are no seconds to draw.
    func render() -> String {
        guard let first = seconds.first, let last = seconds.last else { return "" }
        precondition(series.allSatisfy { $0.values.count == seconds.count }, "one value per second per series")
        let timeAxis = ChartAxis.seconds(from: first, to: last)
        let finite = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        let valueAxis = logScale ? ChartAxis.logarithmic(finite) : ChartAxis.fromZero(to: finite.max() ?? 0)
        let title = htmlEscaped(title)
        var html = "<figure class=\"chart\">\n<figcaption>\(title)</figcaption>\n"
        html +=
            "<svg viewBox=\"0 0 \(number(Self.width)) \(number(Self.height))\" role=\"img\" aria-label=\"\(title)\">\n"
        html += "<title>\(title)</title>\n"
        html += valueTicks(valueAxis) + timeTicks(timeAxis)
        for entry in series {
            var points: [Point?] = []
            for index in entry.values.indices {
                // Seconds missing from the history (a restart's gap) break the line too.
                if index > 0 && seconds[index] - seconds[index - 1] > 1 { points.append(nil) }
                guard let value = entry.values[index], value.isFinite else {
                    points.append(nil)
                    continue
                }
                points.append(Point(x: x(Double(seconds[index]), on: timeAxis), y: y(value, on: valueAxis)))
            }
            html += lines(points, className: htmlEscaped(entry.className))
        }
        html += ChartMarks.lines(
            marks, plot: Self.left...Self.right, lastSecondEnd: x(Double(last + 1), on: timeAxis),
            top: Self.top, bottom: Self.bottom
        ) {
            x($0, on: timeAxis)
        }
        html += "</svg>\n<ul class=\"legend\">"
        for entry in series {
            html += "<li class=\"\(htmlEscaped(entry.className))\">\(htmlEscaped(entry.label))</li>"
        }
        return html + "</ul>\n</figure>"
    }

    private struct Point {
        var x: Double
        var y: Double
    }

    /// One polyline per unbroken run of points; a point standing alone gets a dot, since a one-point
    /// polyline draws nothing.
    private func lines(_ points: [Point?], className: String) -> String {
        var runs: [[Point]] = [[]]
        for point in points {
            if let point {
                runs[runs.count - 1].append(point)
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        var svg = ""
        for run in runs where !run.isEmpty {
            if run.count == 1 {
                svg +=
                    "<circle class=\"dot \(className)\" cx=\"\(number(run[0].x))\" cy=\"\(number(run[0].y))\" r=\"2.5\"/>\n"
            } else {
                let coordinates = run.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
                svg += "<polyline class=\"line \(className)\" points=\"\(coordinates)\"/>\n"
            }
        }
        return svg
    }

    /// Horizontal grid lines with their values on the left.
    private func valueTicks(_ axis: ChartAxis) -> String {
        var svg = ""
        for tick in axis.ticks {
            let y = number(y(tick, on: axis))
            svg +=
                "<line class=\"grid\" x1=\"\(number(Self.left))\" y1=\"\(y)\" x2=\"\(number(Self.right))\" y2=\"\(y)\"/>"
            svg +=
                "<text class=\"tick value\" x=\"\(number(Self.left - 6))\" y=\"\(y)\">\(formatQuantity(tick))</text>\n"
        }
        return svg
    }

    /// The time axis along the bottom, with short marks and the run's second under each.
    private func timeTicks(_ axis: ChartAxis) -> String {
        let bottom = number(Self.bottom)
        var svg =
            "<line class=\"axis\" x1=\"\(number(Self.left))\" y1=\"\(bottom)\" x2=\"\(number(Self.right))\" y2=\"\(bottom)\"/>\n"
        for tick in axis.ticks {
            let x = number(x(tick, on: axis))
            svg += "<line class=\"axis\" x1=\"\(x)\" y1=\"\(bottom)\" x2=\"\(x)\" y2=\"\(number(Self.bottom + 4))\"/>"
            svg +=
                "<text class=\"tick time\" x=\"\(x)\" y=\"\(number(Self.bottom + 18))\">\(formatFixed(tick, decimals: 0)) s</text>\n"
        }
        return svg
    }

    private func x(_ second: Double, on axis: ChartAxis) -> Double {
        Self.left + axis.fraction(second) * (Self.right - Self.left)
    }

    /// SVG's y grows downwards, so larger values sit nearer the top.
    private func y(_ value: Double, on axis: ChartAxis) -> Double {
        Self.bottom - axis.fraction(value) * (Self.bottom - Self.top)
    }

    private func number(_ value: Double) -> String {
        formatFixed(value, decimals: 1)
    }
}
