import Glibc
import Logging

/// Where the daemon's log records go.
public enum LogBackend: String, Sendable, Hashable {
    /// Native journal entries with structured fields (``JournalLogHandler``).
    case journal
    /// One text line per record on standard error (``StderrLogHandler``).
    case stderr
}

/// Chooses and installs the process-wide swift-log backend.
public enum LoggingSetup {
    /// Installs the backend ``currentBackend()`` picks, for every `Logger` created afterwards.
    ///
    /// swift-log allows one bootstrap per process: call this once, first thing in `main`.
    /// - Returns: the chosen backend, worth logging once so an operator knows where to look.
    @discardableResult
    public static func bootstrap(level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) -> LogBackend {
        let backend = currentBackend()
        LoggingSystem.bootstrap(
            { label, provider in makeHandler(label: label, level: level, backend: backend, metadataProvider: provider)
            },
            metadataProvider: metadataProvider)
        return backend
    }

    /// A handler for `backend`; for callers that compose handlers (e.g. a `MultiplexLogHandler`).
    public static func makeHandler(
        label: String, level: Logger.Level, backend: LogBackend, metadataProvider: Logger.MetadataProvider? = nil
    ) -> any LogHandler {
        switch backend {
        case .journal:
            var handler = JournalLogHandler(label: label, metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        case .stderr:
            var handler = StderrLogHandler(label: label, metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        }
    }

    /// The backend this process should use, from its environment:
    /// - `LOADD_LOG=journal` or `LOADD_LOG=stderr` decides outright (other values are ignored);
    /// - otherwise the journal when `JOURNAL_STREAM` names the file standard error is connected to,
    ///   i.e. systemd pointed stderr at journald (a child that inherited the variable but has its
    ///   stderr redirected elsewhere must not log invisibly);
    /// - otherwise standard error.
    public static func currentBackend() -> LogBackend {
        choose(
            override: environmentValue("LOADD_LOG"),
            journalStream: environmentValue("JOURNAL_STREAM"),
            stderrIdentity: fileIdentity(of: STDERR_FILENO))
    }

    /// The decision of ``currentBackend()`` without the process state, so it can be tested.
    static func choose(override: String?, journalStream: String?, stderrIdentity: FileIdentity?) -> LogBackend {
        switch override {
        case "journal": return .journal
        case "stderr": return .stderr
        default: break
        }
        guard let journalStream, let stderrIdentity,
            let stream = FileIdentity(journalStream: journalStream)
        else { return .stderr }
        return stream == stderrIdentity ? .journal : .stderr
    }

    static func fileIdentity(of fd: Int32) -> FileIdentity? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    private static func environmentValue(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// A file's device and inode numbers: what `JOURNAL_STREAM` holds, as `DEVICE:INODE` in decimal.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// Parses `JOURNAL_STREAM` (see `systemd.exec(5)`); `nil` if malformed.
    init?(journalStream: String) {
        let parts = journalStream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        self.init(device: device, inode: inode)
    }
}
