import Foundation
import Glibc
import Protocol

/// Where a scenario's data files (`data: { csv: … }`) come from. A daemon must never open a path a
/// client names with the daemon's own rights (a confused deputy: `csv: /etc/shadow`), so it reads
/// only what travelled with the scenario, or, when asked, files under its `data_dir:`. `loadctl`
/// reads from disk, with the user's rights, and sends what it read.
public struct ScenarioFiles: Sendable {
    public enum Source: Sendable {
        /// Paths relative to `directory` (the scenario's folder), or absolute: the caller's own files.
        case disk(directory: String)
        /// Only the files sent with the scenario, keyed as the scenario names them; with
        /// `remoteDirectory`, a name the bundle lacks is read from that folder and never outside it.
        case bundle([String: Data], remoteDirectory: String?)
    }

    public var source: Source
    /// One data file may be at most this large (a bundle's total is checked against the same number
    /// by `loadctl start` and the daemon's start route).
    public static let maxBytes = ControlAPI.maxBundleBytes

    public init(_ source: Source) {
        self.source = source
    }

    /// The file the scenario calls `name`, or a message that says why not and never quotes the
    /// file's contents.
    public func read(_ name: String) -> Result<Data, ScenarioFileError> {
        switch source {
        case .disk(let directory):
            return Self.readRegularFile(name.hasPrefix("/") ? name : "\(directory)/\(name)", shownAs: name)
        case .bundle(let files, let remoteDirectory):
            if let data = files[name] { return .success(data) }
            guard let remoteDirectory else {
                return .failure(
                    ScenarioFileError(
                        name,
                        "it was not sent with the scenario (`loadctl start` sends the "
                            + "data files a scenario names; the daemon reads no path itself unless started with "
                            + "--remote-files, and then only under its data_dir:)"))
            }
            return Self.readConfined(name, in: remoteDirectory)
        }
    }

    /// `name` under `directory`, refusing `..`, and any path (symbolic links included) that ends up
    /// outside `directory`.
    static func readConfined(_ name: String, in directory: String) -> Result<Data, ScenarioFileError> {
        let candidate = name.hasPrefix("/") ? name : "\(directory)/\(name)"
        if name.split(separator: "/").contains("..") {
            return .failure(
                ScenarioFileError(
                    name, "its name may not contain '..': remote data files are read only under \(directory)"))
        }
        // Checked before touching the file system, so no answer tells whether a path outside exists.
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        if name.hasPrefix("/") && !name.hasPrefix(folder) {
            return .failure(
                ScenarioFileError(
                    name,
                    "it is outside the data directory \(directory); remote data files "
                        + "are read only from there"))
        }
        guard let root = realPath(directory) else {
            return .failure(ScenarioFileError(name, "the data directory \(directory) does not exist"))
        }
        guard let resolved = realPath(candidate) else {
            return .failure(ScenarioFileError(name, "it does not exist under \(directory)"))
        }
        guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            return .failure(
                ScenarioFileError(
                    name,
                    "it is outside the data directory \(directory); remote data files "
                        + "are read only from there"))
        }
        return readRegularFile(resolved, shownAs: name)
    }

    /// Reads a regular file of at most `maxBytes`, checked with `fstat` before reading. Opened
    /// non-blocking, so a FIFO never stalls the caller; anything but a regular file (a FIFO,
    /// `/dev/zero`, a directory, a socket) is refused by its type.
    static func readRegularFile(
        _ path: String, shownAs name: String,
        limit: Int = maxBytes
    ) -> Result<Data, ScenarioFileError> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let reason: String
            switch errno {
            case ENOENT: reason = "it does not exist"
            case EACCES, EPERM: reason = "permission denied"
            case ENOTDIR: reason = "it does not exist (a folder on its path is a file)"
            case ELOOP: reason = "too many symbolic links"
            default: reason = String(cString: strerror(errno))
            }
            return .failure(ScenarioFileError(name, reason))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .failure(ScenarioFileError(name, String(cString: strerror(errno))))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(ScenarioFileError(name, "it is a directory, not a file"))
        case S_IFIFO: return .failure(ScenarioFileError(name, "it is a FIFO (named pipe), not a regular file"))
        case S_IFCHR, S_IFBLK: return .failure(ScenarioFileError(name, "it is a device, not a regular file"))
        default: return .failure(ScenarioFileError(name, "it is not a regular file"))
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            return .failure(ScenarioFileError(name, "it is \(size) bytes, more than the \(limit)-byte limit"))
        }
        // One byte more than stat said, to notice a file that grows while it is read.
        var buffer = [UInt8](repeating: 0, count: size + 1)
        var total = 0
        while total < buffer.count {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ScenarioFileError(name, String(cString: strerror(errno))))
            }
            if count == 0 { break }
            total += count
            if total > limit {
                return .failure(ScenarioFileError(name, "it grew past the \(limit)-byte limit while it was read"))
            }
        }
        return .success(Data(buffer[..<total]))
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A data file that cannot be used, named as the scenario names it. Its text never includes the
/// file's contents.
public struct ScenarioFileError: Error, CustomStringConvertible, Sendable {
    public var name: String
    public var reason: String

    public init(_ name: String, _ reason: String) {
        self.name = name
        self.reason = reason
    }

    public var description: String { "cannot read data file \(name): \(reason)" }
}
