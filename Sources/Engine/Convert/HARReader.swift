import Foundation

/// One recorded exchange of a HAR 1.2 file, reduced to what a scenario can replay.
struct HAREntry: Equatable {
    /// Where it sits in the file, for messages: `log.entries[3]`.
    var path: String
    /// Milliseconds since 1970, from `startedDateTime`.
    var startedMillis: Double
    /// `time`: how long the exchange took, in milliseconds (0 when absent or negative, as HAR allows -1).
    var durationMillis: Double
    var method: String
    /// `request.httpVersion` as recorded: `HTTP/1.1`, `h2`, `HTTP/2.0`…; empty when absent.
    var httpVersion: String
    var url: URLComponents
    var headers: [(name: String, value: String)]
    var postMimeType: String?
    var postText: String?
    var postParams: [(name: String, value: String)]?
    var responseMimeType: String

    static func == (a: HAREntry, b: HAREntry) -> Bool { a.path == b.path }
}

/// A HAR file that cannot be converted: the JSON path of the problem and what is wrong there.
public struct HARError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Reads HAR 1.2 (`log.entries[]`, as Chrome's and Firefox's "Save all as HAR" write it) into
/// `HAREntry` values, naming the JSON path of the first problem.
enum HARReader {
    /// A HAR larger than this is refused before parsing (parsing costs several times its size).
    static let maxBytes = 64 << 20
    /// At most this many entries are read.
    static let maxEntries = 100_000

    static func entries(_ data: Data) throws(HARError) -> [HAREntry] {
        guard data.count <= maxBytes else {
            throw HARError(
                path: "",
                message: "the file is \(data.count) bytes, more than the \(maxBytes)-byte (64 MiB) "
                    + "limit; save the recording without response bodies or cut it")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            let detail =
                (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error.localizedDescription)"
            throw HARError(path: "", message: "not valid JSON: \(detail)")
        }
        let log = try object(try field(try object(root, ""), "log", in: ""), "log")
        let list = try array(try field(log, "entries", in: "log"), "log.entries")
        guard list.count <= maxEntries else {
            throw HARError(path: "log.entries", message: "\(list.count) entries, more than \(maxEntries)")
        }
        var entries: [HAREntry] = []
        entries.reserveCapacity(list.count)
        for (index, item) in list.enumerated() { entries.append(try entry(item, "log.entries[\(index)]")) }
        return entries
    }

    private static func entry(_ value: Any, _ path: String) throws(HARError) -> HAREntry {
        let fields = try object(value, path)
        let started = try string(try field(fields, "startedDateTime", in: path), "\(path).startedDateTime")
        guard let startedMillis = parseDate(started) else {
            throw HARError(
                path: "\(path).startedDateTime",
                message: "expected an ISO 8601 date such as 2026-11-29T18:00:00.000Z, got '\(started.prefix(40))'")
        }
        var durationMillis = 0.0
        if let time = fields["time"] {
            guard let number = time as? NSNumber, !(time is String) else {
                throw HARError(path: "\(path).time", message: "expected a number of milliseconds")
            }
            durationMillis = max(0, number.doubleValue.isFinite ? number.doubleValue : 0)
        }
        let requestPath = "\(path).request"
        let request = try object(try field(fields, "request", in: path), requestPath)
        let method = try string(try field(request, "method", in: requestPath), "\(requestPath).method").uppercased()
        let urlText = try string(try field(request, "url", in: requestPath), "\(requestPath).url")
        guard let url = URLComponents(string: urlText), url.scheme != nil else {
            throw HARError(path: "\(requestPath).url", message: "not a URL: '\(urlText.prefix(80))'")
        }
        let httpVersion = try optionalString(request, "httpVersion", in: requestPath) ?? ""
        let headers = try pairs(request["headers"] ?? [Any](), "\(requestPath).headers")
        var postMimeType: String?
        var postText: String?
        var postParams: [(name: String, value: String)]?
        if let post = request["postData"] {
            let postPath = "\(requestPath).postData"
            let postFields = try object(post, postPath)
            postMimeType = try optionalString(postFields, "mimeType", in: postPath)
            postText = try optionalString(postFields, "text", in: postPath)
            if let params = postFields["params"] { postParams = try pairs(params, "\(postPath).params") }
        }
        var responseMimeType = ""
        if let response = fields["response"] {
            let responsePath = "\(path).response"
            let responseFields = try object(response, responsePath)
            if let content = responseFields["content"] {
                let contentFields = try object(content, "\(responsePath).content")
                if let mime = contentFields["mimeType"] {
                    responseMimeType = try string(mime, "\(responsePath).content.mimeType")
                }
            }
        }
        return HAREntry(
            path: path, startedMillis: startedMillis, durationMillis: durationMillis, method: method,
            httpVersion: httpVersion, url: url, headers: headers, postMimeType: postMimeType, postText: postText,
            postParams: postParams, responseMimeType: responseMimeType)
    }

    /// `[{ "name": …, "value": … }]`, as HAR writes headers, query strings and form params.
    private static func pairs(_ value: Any, _ path: String) throws(HARError) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for (index, item) in try array(value, path).enumerated() {
            let itemPath = "\(path)[\(index)]"
            let fields = try object(item, itemPath)
            let name = try string(try field(fields, "name", in: itemPath), "\(itemPath).name")
            result.append((name, try optionalString(fields, "value", in: itemPath) ?? ""))
        }
        return result
    }

    private static func optionalString(
        _ fields: [String: Any], _ key: String, in path: String
    ) throws(HARError) -> String? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        return try string(value, "\(path).\(key)")
    }

    private static func field(_ fields: [String: Any], _ key: String, in path: String) throws(HARError) -> Any {
        guard let value = fields[key] else {
            throw HARError(path: path.isEmpty ? key : "\(path).\(key)", message: "missing")
        }
        return value
    }

    private static func object(_ value: Any, _ path: String) throws(HARError) -> [String: Any] {
        guard let fields = value as? [String: Any] else {
            throw HARError(path: path, message: "expected an object, got \(kind(value))")
        }
        return fields
    }

    private static func array(_ value: Any, _ path: String) throws(HARError) -> [Any] {
        guard let items = value as? [Any] else {
            throw HARError(path: path, message: "expected a list, got \(kind(value))")
        }
        return items
    }

    private static func string(_ value: Any, _ path: String) throws(HARError) -> String {
        guard let text = value as? String else {
            throw HARError(path: path, message: "expected a string, got \(kind(value))")
        }
        return text
    }

    private static func kind(_ value: Any) -> String {
        switch value {
        case is String: return "a string"
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        case is NSNull: return "null"
        case is NSNumber: return "a number"
        default: return "\(type(of: value))"
        }
    }

    /// ISO 8601 with or without fractional seconds, with a zone (Z or ±hh:mm).
    static func parseDate(_ text: String) -> Double? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date.timeIntervalSince1970 * 1000 }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date.timeIntervalSince1970 * 1000 }
        return nil
    }
}
