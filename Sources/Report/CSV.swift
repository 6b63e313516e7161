/// CSV encoding exactly as Python's `csv.writer` does it with its defaults, which is what Locust uses:
/// QUOTE_MINIMAL, `"` doubled inside quotes, and `\r\n` after every row (including the last).
enum CSV {
    static let lineTerminator = "\r\n"

    /// Quotes only a field holding a delimiter, a quote or a line break, as QUOTE_MINIMAL does.
    static func field(_ text: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character and would slip past a check for "\n".
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return text
        }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + lineTerminator
    }

    static func document(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map(row).joined()
    }
}
