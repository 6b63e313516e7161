import Foundation

/// `loadctl convert recording.har`: a browser recording (HAR 1.2) as a scenario. One task holds the
/// recorded requests in order; the most requested first-party origin becomes `host:`; static assets
/// and third-party hosts are left out unless `all`; bodies keep their kind (`json:`, `form:`, or a
/// raw `body:` with its `content_type:`). The output is plain ASCII YAML (anything else escaped), so
/// it passes `loadctl validate` as it is.
public enum HARConverter {
    public struct Options: Sendable {
        /// Keep static assets and requests to other hosts (as absolute URLs).
        public var all = false
        /// The scenario's `name:`; the file's base name when `nil`.
        public var name: String?

        public init(all: Bool = false, name: String? = nil) {
            self.all = all
            self.name = name
        }
    }

    public struct Conversion: Sendable {
        /// The scenario.
        public var yaml: String
        /// What was left out or changed and why, one line each, for stderr.
        public var notes: [String]
    }

    /// A gap of at least this long between the end of all earlier activity and a request is a
    /// user's think time; shorter gaps are the browser's own scheduling.
    static let thinkThresholdMillis = 100.0

    /// - Throws: `HARError` naming the JSON path of the first problem, or saying that nothing is left.
    public static func convert(
        _ data: Data, fileName: String, options: Options = Options()
    ) throws(HARError) -> Conversion {
        let recorded = try HARReader.entries(data).enumerated()
            .sorted { ($0.element.startedMillis, $0.offset) < ($1.element.startedMillis, $1.offset) }.map(\.element)
        var notes: [String] = []
        let web = recorded.filter { ["http", "https"].contains($0.url.scheme?.lowercased() ?? "") }
        if web.count < recorded.count {
            notes.append("left out \(recorded.count - web.count) non-HTTP entries (data:, blob:, ws:, …)")
        }
        guard !web.isEmpty else {
            throw HARError(path: "log.entries", message: "the recording holds no http:// or https:// request")
        }
        let host = firstPartyOrigin(web)
        var staticCount = 0
        var thirdPartyCount = 0
        var kept: [(entry: HAREntry, thinkMillis: Double)] = []
        var activityEnd = -Double.infinity
        var pendingThink = 0.0
        for entry in web {
            let gap = activityEnd.isFinite ? entry.startedMillis - activityEnd : 0
            if gap >= thinkThresholdMillis { pendingThink += gap }
            activityEnd = max(activityEnd, entry.startedMillis + entry.durationMillis)
            if !options.all {
                if origin(entry.url) != host { thirdPartyCount += 1; continue }
                if isStaticAsset(entry) { staticCount += 1; continue }
            }
            kept.append((entry, kept.isEmpty ? 0 : pendingThink))
            pendingThink = 0
        }
        if staticCount > 0 {
            notes.append("left out \(staticCount) static assets (images, CSS, JS, fonts); --all keeps them")
        }
        if thirdPartyCount > 0 {
            notes.append("left out \(thirdPartyCount) requests to other hosts than \(host); --all keeps them")
        }

        var steps: [Step] = []
        for (entry, think) in kept {
            switch step(entry, host: host) {
            case .success(var step):
                step.thinkMillis = think
                steps.append(step)
            case .failure(let reason):
                notes.append(
                    "left out \(entry.method) \(entry.url.path.isEmpty ? "/" : entry.url.path) "
                        + "(\(entry.path)): \(reason.reason)")
            }
        }
        if steps.count > ScenarioLimits.maxRequests {
            notes.append("kept the first \(ScenarioLimits.maxRequests) of \(steps.count) requests (a scenario's limit)")
            steps.removeLast(steps.count - ScenarioLimits.maxRequests)
        }
        guard !steps.isEmpty else {
            throw HARError(
                path: "log.entries",
                message: "no request is left to replay (\(notes.joined(separator: "; ")))"
                    + (options.all ? "" : "; --all keeps static assets and other hosts"))
        }
        let http2 =
            host.hasPrefix("https://")
            && steps.filter({ ["h2", "http/2", "http/2.0", "h3", "http/3"].contains($0.httpVersion.lowercased()) })
                .count * 2 > steps.count
        let name = options.name ?? ScenarioLoader.baseName(fileName)
        let yaml = HARScenarioWriter(
            name: name, host: host, file: fileName, recorded: recorded.count,
            http2: http2, steps: steps, notes: notes
        ).render()
        return Conversion(yaml: yaml, notes: notes)
    }

    /// One request ready to write.
    struct Step {
        var request: String
        var headers: [(name: String, value: String)]
        var body: Body?
        var thinkMillis = 0.0
        var httpVersion: String
    }

    enum Body {
        case json(JSONValue)
        case form([(name: String, value: String)])
        case raw(text: String, contentType: String)
    }

    private static func step(_ entry: HAREntry, host: String) -> Result<Step, ConvertProblem> {
        guard RequestLineParser.methods.contains(entry.method) else {
            return .failure(
                ConvertProblem("loadd sends \(RequestLineParser.methods.joined(separator: " ")), not \(entry.method)"))
        }
        var target = entry.url.percentEncodedPath.isEmpty ? "/" : entry.url.percentEncodedPath
        if let query = entry.url.percentEncodedQuery { target += "?" + query }
        if origin(entry.url) != host { target = origin(entry.url) + target }
        guard !target.contains(where: \.isWhitespace) else { return .failure(ConvertProblem("its URL has a space")) }
        var headers: [(name: String, value: String)] = []
        for header in entry.headers where keeps(header.name) {
            guard !header.value.contains("{{"), !header.value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                continue
            }
            headers.append(header)
        }
        var body: Body?
        if let mime = entry.postMimeType?.lowercased() ?? entry.postText.map({ _ in "" }), entry.method != "GET" {
            let text = entry.postText ?? ""
            guard text.utf8.count <= ScenarioLimits.maxBodyBytes else {
                return .failure(
                    ConvertProblem("its body is more than \(ScenarioLimits.maxBodyBytes) bytes (1 MiB), a step's limit")
                )
            }
            if mime.contains("json"), let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
                body = .json(value)
            } else if mime.hasPrefix("application/x-www-form-urlencoded") {
                // The text is what was sent; `params` only when a recorder left the text out.
                body = .form(
                    entry.postText.map(formFields)
                        ?? (entry.postParams ?? []).map { (name: formDecode($0.name), value: formDecode($0.value)) })
            } else if entry.postText == nil {
                return .failure(ConvertProblem("the recording has no text for its \(mime) body"))
            } else if !text.isEmpty {
                body = .raw(text: text, contentType: entry.postMimeType ?? "application/octet-stream")
            }
        }
        if target.contains("{{") || bodyHasPlaceholderMarks(body) {
            return .failure(ConvertProblem("it contains '{{', which a scenario reads as a placeholder"))
        }
        return .success(
            Step(request: "\(entry.method) \(target)", headers: headers, body: body, httpVersion: entry.httpVersion))
    }

    private static func bodyHasPlaceholderMarks(_ body: Body?) -> Bool {
        switch body {
        case nil: return false
        case .json(let value): return value.containsText("{{")
        case .form(let fields): return fields.contains { $0.name.contains("{{") || $0.value.contains("{{") }
        case .raw(let text, let type): return text.contains("{{") || type.contains("{{")
        }
    }

    /// `scheme://host[:port]`, lower-cased, the port only when it is not the scheme's default.
    static func origin(_ url: URLComponents) -> String {
        let scheme = url.scheme?.lowercased() ?? "http"
        var host = url.host?.lowercased() ?? ""
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = url.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }

    /// The origin of most requests that are not static assets (of all requests, if all are).
    static func firstPartyOrigin(_ entries: [HAREntry]) -> String {
        let dynamic = entries.filter { !isStaticAsset($0) }
        var counts: [String: (count: Int, first: Int)] = [:]
        for (index, entry) in (dynamic.isEmpty ? entries : dynamic).enumerated() {
            let key = origin(entry.url)
            counts[key, default: (0, index)].count += 1
        }
        return counts.max { ($0.value.count, -$0.value.first) < ($1.value.count, -$1.value.first) }!.key
    }

    static let staticExtensions: Set<String> = [
        "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp", "css", "js", "mjs", "map",
        "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3",
    ]

    /// Images, style sheets, scripts, fonts and media, by the response's type or the path's extension.
    static func isStaticAsset(_ entry: HAREntry) -> Bool {
        let mime = entry.responseMimeType.lowercased()
        if mime.hasPrefix("image/") || mime.hasPrefix("font/") || mime.hasPrefix("video/") || mime.hasPrefix("audio/")
            || mime.hasPrefix("text/css") || mime.contains("javascript") || mime.contains("font")
        {
            return true
        }
        let last = entry.url.path.split(separator: "/").last ?? ""
        guard let dot = last.lastIndex(of: ".") else { return false }
        return staticExtensions.contains(last[last.index(after: dot)...].lowercased())
    }

    /// Headers a browser adds by itself, or that the engine sets (Host, Content-Length, the body's
    /// Content-Type), or that would replay a stale session (Cookie): left out.
    static let droppedHeaders: Set<String> = [
        "host", "content-length", "content-type", "connection", "keep-alive", "cookie", "accept-encoding",
        "accept-language", "user-agent", "origin", "referer", "pragma", "cache-control", "upgrade-insecure-requests",
        "dnt", "te", "priority", "if-none-match", "if-modified-since", "transfer-encoding", "expect", "upgrade",
        "proxy-connection", "proxy-authorization",
    ]

    static func keeps(_ name: String) -> Bool {
        let lower = name.lowercased()
        return !lower.hasPrefix(":") && !lower.hasPrefix("sec-") && !droppedHeaders.contains(lower)
            && YAMLReader.isHeaderName(name)
    }

    /// `a=1&b=two+words` as decoded pairs.
    static func formFields(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (formDecode(String(parts[0])), parts.count > 1 ? formDecode(String(parts[1])) : "")
        }
    }

    static func formDecode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

struct ConvertProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A JSON body as recorded, re-written as YAML for `json:`. Object keys come out sorted: the order a
/// recording had is not kept (JSON gives it no meaning).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int.self) { self = .int(value); return }
        if let value = try? container.decode(Double.self) { self = .double(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    func containsText(_ needle: String) -> Bool {
        switch self {
        case .string(let text): return text.contains(needle)
        case .array(let items): return items.contains { $0.containsText(needle) }
        case .object(let fields): return fields.contains { $0.key.contains(needle) || $0.value.containsText(needle) }
        default: return false
        }
    }
}

extension HARConverter {
    /// Reads `path` by the scenario files' rules (a regular file, its size checked before reading,
    /// at most `HARReader.maxBytes`) and converts it.
    public static func convert(file path: String, options: Options = Options()) throws(HARError) -> Conversion {
        switch ScenarioFiles.readRegularFile(path, shownAs: path, limit: HARReader.maxBytes) {
        case .failure(let error):
            throw HARError(path: "", message: "cannot read \(path): \(error.reason)")
        case .success(let data):
            return try convert(data, fileName: path, options: options)
        }
    }
}
