/// Reads the `data:` CSV file: RFC 4180 (quoted fields, `""` for a quote, CRLF or LF line ends), a
/// header row naming the columns, then at least one data row of the same width.
enum CSVParser {
    struct Row: Equatable {
        /// 1-based line the row starts on, for error messages.
        var line: Int
        var fields: [String]
    }

    /// Columns and rows of `text`, or every problem found (`problems` empty on success).
    static func feed(_ text: String) -> (feed: DataFeed?, problems: [String]) {
        let rows: [Row]
        switch parse(text) {
        case .success(let parsed): rows = parsed
        case .failure(let problem): return (nil, [problem.message])
        }
        guard let header = rows.first else { return (nil, ["the file is empty; expected a header row and at least one data row"]) }
        var problems: [String] = []
        let columns = header.fields.map { $0.trimmingBlanks() }
        for (index, column) in columns.enumerated() {
            if column.isEmpty {
                problems.append("line \(header.line): column \(index + 1) has no name")
            } else if columns[..<index].contains(column) {
                problems.append("line \(header.line): column '\(column)' appears twice")
            } else if column.contains(where: { $0 == " " || $0 == "\t" }) {
                problems.append("line \(header.line): column '\(column)' contains a space, so {{data.…}} cannot name it")
            }
        }
        let data = rows.dropFirst()
        if data.isEmpty { problems.append("no data rows after the header") }
        for row in data where row.fields.count != columns.count {
            problems.append("line \(row.line): expected \(columns.count) fields like the header, got \(row.fields.count)")
        }
        guard problems.isEmpty else { return (nil, problems) }
        return (DataFeed(columns: columns, rows: data.map(\.fields)), [])
    }

    /// The non-blank rows of `text`.
    static func parse(_ text: String) -> Result<[Row], Problem> {
        var scalars = Substring(text).unicodeScalars
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }   // Excel writes a byte-order mark
        var rows: [Row] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, rowLine = 1
        var inQuotes = false, wasQuoted = false
        var index = scalars.startIndex

        func endRow() {
            fields.append(String(field))
            // A blank line is one unquoted empty field: skip it rather than count it as a row.
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) { rows.append(Row(line: rowLine, fields: fields)) }
            fields = []
            field = String.UnicodeScalarView()
            wasQuoted = false
        }

        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if inQuotes {
                if scalar == "\"" {
                    if index < scalars.endIndex, scalars[index] == "\"" {
                        field.append("\"")
                        index = scalars.index(after: index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                inQuotes = true
                wasQuoted = true
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r" where index < scalars.endIndex && scalars[index] == "\n":
                break   // the "\n" that follows ends the row
            case "\n":
                endRow()
                line += 1
                rowLine = line
            default:
                field.append(scalar)
            }
        }
        if inQuotes { return .failure(Problem("line \(rowLine): a quoted field is never closed")) }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRow() }
        return .success(rows)
    }
}
