import Protocol

/// Marks (`loadctl mark`) as vertical dashed lines across a chart, each with its text as a tooltip and
/// its number at the top, so "latency around the rollout" is read off the chart. Presentation attributes,
/// not the style sheet, so the lines keep their look whatever the page's CSS.
enum ChartMarks {
    /// One `<g class="mark">` per mark whose time falls on the chart: `x` maps a run second to the chart's x.
    /// The last second drawn is plotted at its start, so a mark up to `lastSecondEnd` (the x of that second's
    /// end) sits on the right edge; a mark before the first second or after the last is left out.
    static func lines(
        _ marks: [RunMark], plot: ClosedRange<Double>, lastSecondEnd: Double, top: Double,
        bottom: Double, x: (Double) -> Double
    ) -> String {
        var svg = ""
        for (index, mark) in marks.enumerated() {
            var position = x(mark.elapsedS)
            guard position.isFinite, position >= plot.lowerBound, position <= max(plot.upperBound, lastSecondEnd)
            else { continue }
            position = min(position, plot.upperBound)
            let at = formatFixed(position, decimals: 1)
            svg += "<g class=\"mark\" data-mark=\"\(index + 1)\"><title>\(htmlEscaped(mark.text))</title>"
            svg += "<line x1=\"\(at)\" y1=\"\(formatFixed(top, decimals: 1))\" x2=\"\(at)\" "
            svg +=
                "y2=\"\(formatFixed(bottom, decimals: 1))\" stroke=\"#8a3ab9\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\"\(formatFixed(position + 3, decimals: 1))\" y=\"\(formatFixed(top + 10, decimals: 1))\" "
            svg += "fill=\"#8a3ab9\" font-size=\"10\">\(index + 1)</text></g>\n"
        }
        return svg
    }
}
