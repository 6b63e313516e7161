/// An HTML table that escapes every header and cell itself, so no caller can forget to.
struct HTMLTable {
    struct Column {
        var header: String
        /// Right-aligned in tabular figures, so digits line up down the column.
        var numeric = false
    }

    private struct Row {
        var cells: [String]
        var className: String?
    }

    var columns: [Column]
    private var body: [Row] = []
    private var footer: [Row] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    /// `className` marks the row for the style sheet (`pass`, `fail`).
    mutating func append(_ cells: [String], className: String? = nil) {
        precondition(cells.count == columns.count, "row has \(cells.count) cells for \(columns.count) columns")
        body.append(Row(cells: cells, className: className))
    }

    /// A row set apart below the body, as Locust sets apart its `Aggregated` row.
    mutating func appendFooter(_ cells: [String]) {
        precondition(cells.count == columns.count, "row has \(cells.count) cells for \(columns.count) columns")
        footer.append(Row(cells: cells, className: nil))
    }

    func render() -> String {
        var html = "<table>\n<thead><tr>"
        for column in columns {
            html += "<th\(column.numeric ? " class=\"num\"" : "")>\(htmlEscaped(column.header))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for row in body { html += line(row) }
        html += "</tbody>\n"
        if !footer.isEmpty {
            html += "<tfoot>\n"
            for row in footer { html += line(row) }
            html += "</tfoot>\n"
        }
        return html + "</table>"
    }

    private func line(_ row: Row) -> String {
        var html = row.className.map { "<tr class=\"\(htmlEscaped($0))\">" } ?? "<tr>"
        for (index, cell) in row.cells.enumerated() {
            html += "<td\(columns[index].numeric ? " class=\"num\"" : "")>\(htmlEscaped(cell))</td>"
        }
        return html + "</tr>\n"
    }
}
