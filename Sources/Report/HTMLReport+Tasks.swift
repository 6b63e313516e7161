import Protocol

/// Locust's task ratio table, a threshold's actual in its own unit, and the links to the run's files.
extension HTMLReport {
    static func taskRatios(_ tasks: [TaskRatio]) -> String {
        var table = HTMLTable([
            .init(header: "Task", numeric: true), .init(header: "Weight", numeric: true),
            .init(header: "Share", numeric: true), .init(header: "Requests"),
        ])
        for task in tasks {
            table.append([
                "\(task.task)", "\(task.weight)", "\(formatFixed(task.ratio * 100, decimals: 1)) %",
                task.requests.joined(separator: " → "),
            ])
        }
        return section("tasks", "Task ratio", note: "(each iteration picks a task by weight)", table.render())
    }

    /// The run's files next to the page, as relative links (the page and they share a folder).
    static func fileLinks(_ files: [String]) -> String {
        let items = files.map { "<li><a href=\"\(htmlEscaped($0))\">\(htmlEscaped($0))</a></li>" }.joined(
            separator: "\n")
        return section("files", "Files", "<ul class=\"files\">\n\(items)\n</ul>")
    }

    /// `actual` in the unit of the threshold's metric: `failure_rate` as a percentage (`0.29 %`),
    /// latencies in ms, `rps` in req/s, counts whole. The metric is the expression's first word,
    /// as the scenario wrote it.
    static func formatThresholdActual(_ actual: Double, expression: String) -> String {
        let metric = expression.drop { $0 == " " }.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        switch metric {
        case "failure_rate": return formatFixed(actual * 100, decimals: 2) + " %"
        case "rps": return formatFixed(actual, decimals: 2) + " req/s"
        case "failures", "requests": return formatQuantity(actual)
        case "median", "avg", "min", "max": return formatMs(actual) + " ms"
        default:
            return metric.first == "p" ? formatMs(actual) + " ms" : formatQuantity(actual)
        }
    }
}
