import Logging

/// The mapping from a swift-log record to journal fields, kept free of I/O so tests can check it.
enum JournalFields {
    /// journald drops a field whose name is longer than this (see `journal_field_valid()`).
    static let maxNameLength = 64

    /// Fields the handler sets itself; metadata with these names is renamed rather than duplicated,
    /// since a second `MESSAGE=` or `PRIORITY=` would make the entry ambiguous to readers.
    static let reserved: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERROR",
    ]

    /// syslog(3) priorities, which is what journald and `journalctl -p` understand.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7   // LOG_DEBUG: syslog has nothing finer
        case .info: 6   // LOG_INFO
        case .notice: 5   // LOG_NOTICE
        case .warning: 4   // LOG_WARNING
        case .error: 3   // LOG_ERR
        case .critical: 2   // LOG_CRIT
        }
    }

    /// A journal field name for a metadata key: upper case, `[A-Z0-9_]` only, not starting with `_`
    /// (reserved for trusted fields journald adds) nor with a digit (journald rejects it), at most 64
    /// characters. `nil` if nothing usable remains, e.g. for `"__"`.
    static func fieldName(forKey key: String) -> String? {
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9", "_": name.unicodeScalars.append(scalar)
            default: name.append("_")
            }
        }
        while let first = name.first, first == "_" || first.isASCII && first.isNumber {
            name.removeFirst()
        }
        guard !name.isEmpty else { return nil }
        if reserved.contains(name) { name = "META_" + name }
        return String(name.prefix(maxNameLength))
    }

    /// Nested metadata becomes one field per leaf (`http: [status: 200]` → `HTTP_STATUS=200`), so each
    /// value stays matchable with `journalctl FIELD=value`; arrays keep their printed form.
    static func flatten(_ metadata: Logger.Metadata, prefix: String = "", into fields: inout [String: String]) {
        for (key, value) in metadata {
            let path = prefix.isEmpty ? key : prefix + "_" + key
            switch value {
            case .dictionary(let nested): flatten(nested, prefix: path, into: &fields)
            default: fields[path] = value.description
            }
        }
    }

    /// All `KEY=value` assignments for one record, in a stable order (fixed fields, then metadata
    /// sorted by field name) so entries are reproducible.
    static func assignments(
        event: LogEvent, metadata: Logger.Metadata, identifier: String
    ) -> [String] {
        var result = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(priority(event.level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        if let error = event.error { result.append("ERROR=\(error)") }
        var flat: [String: String] = [:]
        flatten(metadata, into: &flat)
        var byField: [String: String] = [:]
        for (key, value) in flat {
            guard let field = fieldName(forKey: key) else { continue }
            byField[field] = value
        }
        for field in byField.keys.sorted() { result.append("\(field)=\(byField[field]!)") }
        return result
    }
}

extension LogHandler {
    /// The handler's own metadata, then the provider's, then the call's: later ones win, as in
    /// swift-log's `StreamLogHandler`.
    func mergedMetadata(_ event: LogEvent) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        return merged
    }
}
