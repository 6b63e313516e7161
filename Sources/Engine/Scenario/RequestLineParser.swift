/// A step's `request: METHOD TARGET`, split and checked.
struct RequestLine: Equatable {
    /// Upper case.
    var method: String
    /// As written: a path starting with `/`, or an absolute `http(s)://` URL; may hold placeholders.
    var target: String
    var isAbsolute: Bool
}

/// Reads `GET /Test/V1`, `post /login` or `GET https://example.com/health`.
enum RequestLineParser {
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    static func parse(_ text: String) -> Result<RequestLine, Problem> {
        let trimmed = text.trimmingBlanks()
        let methodText = String(trimmed.prefix { $0 != " " && $0 != "\t" })
        let target = trimmed.dropFirst(methodText.count).trimmingBlanks()
        guard !target.isEmpty, !hasBlankOutsidePlaceholders(target) else {
            return .failure(
                Problem("expected 'METHOD PATH' such as 'GET /items' (no spaces in the path), got '\(text)'"))
        }
        let method = methodText.uppercased()
        guard methods.contains(method) else {
            return .failure(
                Problem(
                    "unknown method '\(methodText)'\(Suggestion.hint(for: method, in: methods)); "
                        + "one of \(methods.joined(separator: " "))"))
        }
        if target.hasPrefix("/") {
            return .success(RequestLine(method: method, target: target, isAbsolute: false))
        }
        if isAbsoluteURL(target) {
            return .success(RequestLine(method: method, target: target, isAbsolute: true))
        }
        return .failure(Problem("the target must start with '/' or be an http:// or https:// URL, got '\(target)'"))
    }

    /// Spaces are allowed only inside `{{random_int 1 9}}`; anywhere else they would end the URL.
    private static func hasBlankOutsidePlaceholders(_ text: String) -> Bool {
        var insidePlaceholder = false
        var previous: Character = "\0"
        for character in text {
            if character == "{", previous == "{" { insidePlaceholder = true }
            if character == "}", previous == "}" { insidePlaceholder = false }
            if !insidePlaceholder, character.isWhitespace { return true }
            previous = character
        }
        return false
    }

    /// `http://` or `https://` followed by a host.
    static func isAbsoluteURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let rest = lower.dropFirst(scheme.count)
            return !(rest.first.map { $0 == "/" } ?? true)
        }
        return false
    }
}
