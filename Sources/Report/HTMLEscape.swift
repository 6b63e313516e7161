/// Text from a summary comes from scenario files and from the target's answers (endpoint names, failure
/// reasons, thresholds), so it may hold markup. Everything the HTML report prints goes through here.
///
/// All five of `& < > " '` are escaped, so the result is safe both between tags and inside a quoted attribute.
func htmlEscaped(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&#39;"
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped
}
