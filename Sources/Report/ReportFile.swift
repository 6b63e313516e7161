#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a report file (a Locust CSV, the HTML page) for `loadctl`, replacing an older one.
enum ReportFile {
    /// Plain POSIX so the error carries `strerror`'s wording ("No such file or directory"), which users know.
    /// Throws a `ReportError` naming `path`.
    static func write(_ contents: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ReportError.cannotWrite(path: path, reason: lastErrorText()) }
        var failure = Array(contents.utf8).withUnsafeBytes { writeAll(fd, $0) }
        // close can report a deferred write error (NFS, full disk), so it is checked like write.
        if close(fd) != 0, failure == nil { failure = lastErrorText() }
        if let failure { throw ReportError.cannotWrite(path: path, reason: failure) }
    }
}

/// Outside the enum because there `write` means `ReportFile.write`. Returns why it stopped, or nil when done.
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
