import Glibc
import Logging
import Protocol

/// A swift-log backend writing one human-readable line per record to standard error:
///
///     2025-06-01T12:00:00.123Z warning loadd: run aborted loadd_run_id=r-42 reason="p95 > 150ms"
///
/// Metadata follows as `key=value` pairs sorted by key, quoted when a value holds spaces, quotes,
/// `=` or control characters, so a line stays one line and splits unambiguously.
public struct StderrLogHandler: LogHandler {
    /// The logger's label, printed before the message.
    public let label: String
    /// Records below this level are dropped by `Logger` before they reach the handler.
    public var logLevel: Logger.Level = .info
    /// Metadata attached to every record of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (e.g. task-local run id), merged under the record's own.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for the logger `label`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    /// Writes the record as one line to standard error.
    public func log(event: LogEvent) {
        var line = Self.format(event: event, label: label, metadata: mergedMetadata(event), time: Self.now())
        line.append("\n")
        Self.writeToStderr(line)
    }

    /// One metadata value of this handler, as swift-log's `logger[metadataKey:]` reads and sets it.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// One record as a line without its newline; `time` is printed as given.
    static func format(event: LogEvent, label: String, metadata: Logger.Metadata, time: String) -> String {
        var line = "\(time) \(event.level) \(label): \(escapeNewlines(event.message.description))"
        var flat: [String: String] = [:]
        JournalFields.flatten(metadata, into: &flat)
        if let error = event.error { flat["error"] = "\(error)" }
        for key in flat.keys.sorted() {
            line += " \(key)=\(quoted(flat[key]!))"
        }
        return line
    }

    /// A value as is when it reads unambiguously after `key=`, else in double quotes with escapes.
    static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\"
            }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A multi-line message would read as several records; keep it on one line.
    private static func escapeNewlines(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var out = ""
        for character in text { out += character.isNewline ? "\\n" : String(character) }
        return out
    }

    /// UTC wall-clock time with milliseconds, e.g. `2025-06-01T12:00:00.123Z`.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let millis = Int(spec.tv_nsec / 1_000_000)
        let base = UTCTime(unixSeconds: Int(spec.tv_sec)).iso8601
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(base).\(fraction)Z"
    }

    /// One write(2) per line: lines up to PIPE_BUF stay whole when threads log at once, and it avoids
    /// the C `stderr` global, which Swift 6 rejects as shared mutable state.
    static func writeToStderr(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return   // stderr closed or full: nowhere left to report it
                }
            }
        }
    }
}
