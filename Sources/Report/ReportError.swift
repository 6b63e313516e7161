/// Why a report could not be written or read, phrased for the person who has to fix it.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case cannotWrite(path: String, reason: String)
        case notASummary(detail: String)
    }

    private let kind: Kind

    /// A file (such as a Locust CSV) could not be created or written.
    static func cannotWrite(path: String, reason: String) -> ReportError {
        ReportError(kind: .cannotWrite(path: path, reason: reason))
    }

    /// The text handed to `SummaryJSON.decode` is not a run summary.
    static func notASummary(_ detail: String) -> ReportError {
        ReportError(kind: .notASummary(detail: detail))
    }

    /// The file the error is about, when it is about one.
    public var path: String? {
        if case .cannotWrite(let path, _) = kind { return path }
        return nil
    }

    public var description: String {
        switch kind {
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .notASummary(let detail): "not a loadd run summary: \(detail)"
        }
    }
}
