/// A plain-text table whose columns grow to their widest cell, so long endpoint names never shear the layout.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        var header: String
        var alignment: Alignment
        /// Draws `|` before this column, splitting e.g. counts from latencies as Locust does.
        var startsGroup = false
    }

    enum Row {
        case cells([String])
        case rule
    }

    var columns: [Column]
    private var rows: [Row] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    mutating func append(_ cells: [String]) {
        precondition(cells.count == columns.count, "row has \(cells.count) cells for \(columns.count) columns")
        rows.append(.cells(cells))
    }

    mutating func appendRule() {
        rows.append(.rule)
    }

    /// The header, a rule under it, then the rows; lines carry no trailing blanks.
    func render() -> [String] {
        var widths = columns.map { $0.header.count }
        for case .cells(let cells) in rows {
            for (index, cell) in cells.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var lines = [line(columns.map(\.header), widths: widths), rule(widths: widths)]
        for row in rows {
            switch row {
            case .cells(let cells): lines.append(line(cells, widths: widths))
            case .rule: lines.append(rule(widths: widths))
            }
        }
        return lines
    }

    private func line(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text += columns[index].startsGroup ? " | " : "  " }
            let padding = String(repeating: " ", count: widths[index] - cell.count)
            text += columns[index].alignment == .left ? cell + padding : padding + cell
        }
        while text.last == " " { text.removeLast() }
        return text
    }

    /// Same length as a full row, with `|` under every column boundary so the eye can follow a column down.
    private func rule(widths: [Int]) -> String {
        var text = ""
        for (index, width) in widths.enumerated() {
            if index > 0 { text += columns[index].startsGroup ? "-|-" : "-|" }
            text += String(repeating: "-", count: width)
        }
        return text
    }
}
