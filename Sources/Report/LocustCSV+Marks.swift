import Protocol

extension LocustCSV {
    /// Header of `PREFIX_marks.csv`, loadd's own file beside Locust's four (Locust has no marks).
    /// `Timestamp` is whole Unix seconds like the history file's, so the two join on it.
    public static let marksHeader = ["Timestamp", "Time", "Seconds Into Run", "Mark"]

    /// `PREFIX_marks.csv`: one row per mark, oldest first: the Unix second, the UTC time with milliseconds
    /// (`2026-11-29T18:48:42.125Z`), seconds since the run's start (three decimals) and the text.
    public static func marks(_ summary: RunSummary) -> String {
        let rows = (summary.marks ?? []).map { mark -> [String] in
            let second = Int(mark.unixTime.rounded(.down))
            let millis = min(max(Int(((mark.unixTime - Double(second)) * 1000).rounded()), 0), 999)
            let padding = millis < 10 ? "00" : millis < 100 ? "0" : ""
            let time = String(formatISO8601UTC(second).dropLast()) + ".\(padding)\(millis)Z"
            return ["\(second)", time, formatFixed(mark.elapsedS, decimals: 3), mark.text]
        }
        return CSV.document(header: marksHeader, rows: rows)
    }
}
