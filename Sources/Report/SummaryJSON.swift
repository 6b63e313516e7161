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
        let problem = DecodingProblem(error)
        func at(_ location: String) -> String { location.isEmpty ? "" : " at " + location }
        if problem.kind == .missingKey, let key = problem.lastKey {
            return "missing key \"\(key)\"" + at(problem.parentLocation)
        }
        return problem.detail + at(problem.location)
    }
}
