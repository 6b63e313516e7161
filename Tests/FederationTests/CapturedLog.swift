import Logging
import Synchronization

/// The messages a master logged, kept so a test can wait for the one that proves something happened:
/// a failed handshake is an event that only the refusing side's log records.
final class CapturedLog: Sendable {
    private let messages = Mutex<[String]>([])

    var all: [String] { messages.withLock { $0 } }

    func contains(_ fragment: String) -> Bool { messages.withLock { $0.contains { $0.contains(fragment) } } }

    /// A logger that keeps every message, debug and up.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(sink: self) }
        logger.logLevel = .debug
        return logger
    }

    private struct Handler: LogHandler {
        let sink: CapturedLog
        var logLevel: Logger.Level = .debug
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        /// The message, then its metadata (a worker's retry logs its reason there).
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            sink.messages.withLock { $0.append(([event.message.description] + fields).joined(separator: " ")) }
        }
    }
}
