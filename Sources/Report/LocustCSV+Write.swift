#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Protocol

extension LocustCSV {
    /// Writes `PREFIX_stats.csv`, `PREFIX_stats_history.csv` and `PREFIX_failures.csv`, replacing older files.
    /// Throws a `ReportError` naming the file that could not be written and why (its `path` holds it).
    public static func write(_ summary: RunSummary, prefix: String) throws {
        try writeFile(prefix + "_stats.csv", contents: stats(summary))
        try writeFile(prefix + "_stats_history.csv", contents: history(summary))
        try writeFile(prefix + "_failures.csv", contents: failures(summary))
    }

    /// Plain POSIX so the error carries `strerror`'s wording ("No such file or directory"), which users know.
    static func writeFile(_ path: String, contents: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ReportError.cannotWrite(path: path, reason: lastErrorText()) }
        var failure = Array(contents.utf8).withUnsafeBytes { writeAll(fd, $0) }
        // close can report a deferred write error (NFS, full disk), so it is checked like write.
        if close(fd) != 0, failure == nil { failure = lastErrorText() }
        if let failure { throw ReportError.cannotWrite(path: path, reason: failure) }
    }
}

/// Outside the enum because there `write` means `LocustCSV.write`. Returns why it stopped, or nil when done.
private func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> String? {
    guard let base = buffer.baseAddress else { return nil }
    var offset = 0
    while offset < buffer.count {
        let written = write(fd, base + offset, buffer.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return lastErrorText()
        }
        offset += written
    }
    return nil
}

private func lastErrorText() -> String {
    String(cString: strerror(errno))
}
