/// Reads the `data:` CSV file: RFC 4180 (quoted fields, `""` for a quote, CRLF or LF line ends), a
/// header row naming the columns, then at least one data row of the same width. At most
/// `ScenarioLimits.maxCSVRows` rows of `maxCSVColumns` fields. Problems name lines and column numbers,
/// never the file's text: the daemon may read a file the client cannot, and an error must not leak it.
enum CSVParser {
    struct Row: Equatable {
        /// 1-based line the row starts on, for error messages.
        var line: Int
        var fields: [String]
    }

    /// Ragged rows reported one by one before the rest are summed up in one line.
    static let maxReportedRows = 10

    /// Columns and rows of `text`, or every problem found (`problems` empty on success).
    static func feed(
        _ text: String, maxRows: Int = ScenarioLimits.maxCSVRows,
        maxColumns: Int = ScenarioLimits.maxCSVColumns
    ) -> (feed: DataFeed?, problems: [String]) {
        let rows: [Row]
        switch parse(text, maxDataRows: maxRows, maxFields: maxColumns) {
        case .success(let parsed): rows = parsed
        case .failure(let problem): return (nil, [problem.message])
        }
        guard let header = rows.first else {
            return (nil, ["the file is empty; expected a header row and at least one data row"])
        }
        var problems: [String] = []
        let columns = header.fields.map { $0.trimmingBlanks() }
        for (index, column) in columns.enumerated() {
            if column.isEmpty {
                problems.append("line \(header.line): column \(index + 1) has no name")
            } else if let first = columns[..<index].firstIndex(of: column) {
                problems.append("line \(header.line): column \(index + 1) has the same name as column \(first + 1)")
            } else if column.contains(where: { $0 == " " || $0 == "\t" }) {
                problems.append(
                    "line \(header.line): the name of column \(index + 1) contains a space, so {{data.…}} cannot name it"
                )
            }
        }
        let data = rows.dropFirst()
        if data.isEmpty { problems.append("no data rows after the header") }
        let ragged = data.filter { $0.fields.count != columns.count }
        for row in ragged.prefix(maxReportedRows) {
            problems.append(
                "line \(row.line): expected \(columns.count) fields like the header, got \(row.fields.count)")
        }
        if ragged.count > maxReportedRows {
            problems.append("\(ragged.count - maxReportedRows) more rows do not have \(columns.count) fields either")
        }
        guard problems.isEmpty else { return (nil, problems) }
        return (DataFeed(columns: columns, rows: data.map(\.fields)), [])
    }

    /// The non-blank rows of `text`; more than `maxDataRows` rows after the header, or a row of more than
    /// `maxFields` fields,
    /// is a problem found as soon as it is reached, so a hostile file costs no more than the caps allow.
    /// Works on UTF-8 bytes: every delimiter is ASCII, so no multi-byte character can contain one.
    static func parse(_ text: String, maxDataRows: Int = Int.max, maxFields: Int = Int.max) -> Result<[Row], Problem> {
        var text = text
        return text.withUTF8 { bytes in
            var start = 0
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }   // Excel writes a byte-order mark
            var rows: [Row] = []
            var fields: [String] = []
            var field: [UInt8] = []
            var line = 1, rowLine = 1
            var inQuotes = false, wasQuoted = false
            var index = start
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

            func endField() -> Problem? {
                guard fields.count < maxFields else { return Problem("line \(rowLine): more than \(maxFields) fields") }
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                return nil
            }
            func endRow() -> Problem? {
                if let problem = endField() { return problem }
                // A blank line is one unquoted empty field: skip it rather than count it as a row.
                if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) {
                    // The first row is the header.
                    guard rows.count <= maxDataRows else {
                        return Problem(
                            "more than \(maxDataRows) data rows; a data file may have at most \(maxDataRows)")
                    }
                    rows.append(Row(line: rowLine, fields: fields))
                }
                fields = []
                wasQuoted = false
                return nil
            }

            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if inQuotes {
                    if byte == quote {
                        if index < bytes.count, bytes[index] == quote {
                            field.append(quote)
                            index += 1
                        } else {
                            inQuotes = false
                        }
                    } else {
                        if byte == lf { line += 1 }
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case quote where field.isEmpty:
                    inQuotes = true
                    wasQuoted = true
                case comma:
                    if let problem = endField() { return .failure(problem) }
                case cr where index < bytes.count && bytes[index] == lf:
                    break   // the "\n" that follows ends the row
                case lf:
                    if let problem = endRow() { return .failure(problem) }
                    line += 1
                    rowLine = line
                default:
                    field.append(byte)
                }
            }
            if inQuotes { return .failure(Problem("line \(rowLine): a quoted field is never closed")) }
            if !field.isEmpty || !fields.isEmpty || wasQuoted, let problem = endRow() { return .failure(problem) }
            return .success(rows)
        }
    }
}
