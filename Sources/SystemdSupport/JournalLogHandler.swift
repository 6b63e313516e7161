import CSystemd
import Glibc
import Logging

/// A swift-log backend that writes structured entries to journald with `sd_journal_sendv(3)`.
///
/// Each record becomes one entry with `MESSAGE`, `PRIORITY` (syslog level), `SYSLOG_IDENTIFIER`,
/// `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and one field per metadata key, upper-cased and limited to
/// `[A-Z0-9_]` (`loadd_run_id` → `LOADD_RUN_ID`), so `journalctl LOADD_RUN_ID=…` finds a run's lines.
///
/// libsystemd reports success even when no journald listens, so choose this handler from the
/// environment (``LoggingSetup``), never from return codes.
public struct JournalLogHandler: LogHandler {
    /// Receives one record's `KEY=value` assignments; the real one hands them to journald.
    typealias Sink = @Sendable ([String]) -> Void

    /// The logger's label (swift-log's, not a journal field: `SYSLOG_IDENTIFIER` names the daemon).
    public let label: String
    /// `SYSLOG_IDENTIFIER=` of every entry: what `journalctl -t` matches.
    public let identifier: String
    /// Records below this level are dropped by `Logger` before they reach the handler.
    public var logLevel: Logger.Level = .info
    /// Metadata attached to every record of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (e.g. task-local run id), merged under the record's own.
    public var metadataProvider: Logger.MetadataProvider?

    private let sink: Sink

    /// Creates a handler writing to the system journal.
    /// - Parameters:
    ///   - label: the logger's label.
    ///   - identifier: `SYSLOG_IDENTIFIER` of the entries.
    ///   - metadataProvider: contextual metadata added to every record.
    public init(label: String, identifier: String = "loadd", metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, identifier: identifier, metadataProvider: metadataProvider, sink: Self.send)
    }

    /// Creates a handler that gives each record's fields to `sink` instead of journald.
    init(label: String, identifier: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink) {
        self.label = label
        self.identifier = identifier
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    /// Sends one journal entry for the record.
    public func log(event: LogEvent) {
        sink(JournalFields.assignments(event: event, metadata: mergedMetadata(event), identifier: identifier))
    }

    /// One metadata value of this handler, as swift-log's `logger[metadataKey:]` reads and sets it.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Packs the assignments into one buffer so a single pointer stays valid for every iovec.
    /// libsystemd switches a field to the binary-safe encoding itself when its value holds a newline.
    @Sendable static func send(_ assignments: [String]) {
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        buffer.reserveCapacity(assignments.reduce(0) { $0 + $1.utf8.count })
        for assignment in assignments {
            let start = buffer.count
            buffer.append(contentsOf: assignment.utf8)
            ranges.append(start..<buffer.count)
        }
        buffer.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress
            let vectors = ranges.map { range in
                iovec(iov_base: base.map { $0 + range.lowerBound }, iov_len: range.count)
            }
            _ = vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
