import Foundation
import Protocol

/// Where `loadctl` writes. Results go to stdout; progress and diagnostics to stderr, so that
/// `--json` output can be piped while a human still sees the live line.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// `text` as is, no newline added (a `--watch` frame).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

extension Console {
    /// Any wire value as pretty `WireJSON`, for `--json`: the same form the daemon answers with.
    static func json(_ value: some Encodable) {
        out(String(decoding: WireJSON.data(value, pretty: true), as: UTF8.self))
    }

    /// Unix seconds as `YYYY-MM-DD HH:MM:SS` in UTC.
    static func utc(_ seconds: Int) -> String {
        UTCTime(unixSeconds: seconds).text
    }

    /// Left-aligned columns separated by two spaces.
    static func columns(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
