/// The values a run must never show: `--secret-var` and `--var` values (every `{{env.NAME}}` reads
/// one), `auth:` passwords and the cells of a `data:` column marked `secret:`. Text bound for a log,
/// an error message, an API answer or a file goes through `redact`, which shows each as `***`.
/// Off the hot path: only messages are redacted, never requests.
public struct SecretValues: Sendable, Equatable {
    /// What a secret value is replaced with.
    public static let mask = "***"
    public static let none = SecretValues([String]())

    /// Distinct non-empty values, longest first, so a value holding a shorter one is masked whole.
    public private(set) var values: [String]

    public init(_ values: some Sequence<String>) {
        self.values = Set(values.filter { !$0.isEmpty }).sorted {
            $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1
        }
    }

    public var isEmpty: Bool { values.isEmpty }

    /// These values and `other`'s.
    public func merging(_ other: SecretValues) -> SecretValues { SecretValues(values + other.values) }

    /// `text` with every occurrence of every value replaced by `***`.
    public func redact(_ text: String) -> String {
        var text = text
        for value in values where text.contains(value) {
            text = text.replacing(value, with: Self.mask)
        }
        return text
    }

    public func redact(_ texts: [String]) -> [String] { isEmpty ? texts : texts.map { redact($0) } }

    /// `NAME=VALUE` as a message may quote it: the name and `***` (the whole text when it has no `=`,
    /// since a mistyped flag may be all value).
    public static func maskAssignment(_ text: String) -> String {
        guard let equals = text.firstIndex(of: "=") else { return mask }
        return "\(text[..<equals].prefix(64))=\(mask)"
    }
}
