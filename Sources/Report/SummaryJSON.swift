import Foundation
import Protocol

/// The run summary as JSON: what `--json` prints and what the run store keeps. Keys are the wire names of the
/// Protocol types (`median_ms`, `failures_by_reason`, …), sorted so two summaries diff line by line.
public enum SummaryJSON {
    /// Pretty `WireJSON`: sorted keys, unescaped slashes (endpoint names are paths), an infinite or NaN
    /// figure as the string `"inf"`, `"-inf"` or `"nan"`.
    /// `warnings` is filled from `Verdict.warnings`, so every stored or printed summary carries them.
    public static func encode(_ summary: RunSummary) -> String {
        var summary = summary
        let warnings = Verdict.warnings(summary)
        summary.warnings = warnings.isEmpty ? nil : warnings
        return String(decoding: WireJSON.data(summary, pretty: true), as: UTF8.self)
    }

    /// Reads what `encode` wrote (or any JSON with the same keys). Throws a `ReportError` saying which key is
    /// missing or malformed, and where.
    public static func decode(_ text: String) throws -> RunSummary {
        do {
            return try WireJSON.decode(RunSummary.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw ReportError.notASummary(explain(error))
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            "missing key \"\(key.stringValue)\"" + location(context.codingPath)
        case .valueNotFound(_, let context), .typeMismatch(_, let context), .dataCorrupted(let context):
            context.debugDescription + location(context.codingPath)
        @unknown default:
            "\(error)"
        }
    }

    /// `endpoints[2].median_ms`, the way a user would point at it in the file.
    private static func location(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "" }
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return " at " + text
    }
}
