import Glibc

/// Reads a file that holds a secret (`token_file:`, `tls_key:`) only when nobody but its owner and the
/// daemon's group can read it, so a fleet's token or key is never taken from a file the whole node can
/// read. Opened with `O_NOFOLLOW` and checked with `fstat` on the open descriptor: the file checked is the
/// file read, and a symbolic link (which could point anywhere a writer of its folder chooses) is refused.
enum SecretFile {
    /// Secrets are small; anything larger is not a token or a PEM key.
    static let maxBytes = 1 << 20

    /// The file's bytes. - Throws: `FederationError` naming the config key, the path and the exact
    /// `chmod`/`chown` that fixes it.
    static func read(_ path: String, key: String) throws(FederationError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            switch code {
            case ELOOP:
                throw FederationError(
                    "\(key) \(path) is a symbolic link; point \(key): at the file itself "
                        + "(a link lets whoever can write its folder choose what loadd reads)")
            case ENOENT: throw FederationError("cannot read \(key) \(path): it does not exist")
            case EACCES, EPERM:
                throw FederationError(
                    "cannot read \(key) \(path): permission denied (loadd runs as "
                        + "user loadd; chown root:loadd \(path) && chmod 0640 \(path))")
            default: throw FederationError("cannot read \(key) \(path): \(String(cString: strerror(code)))")
            }
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FederationError("cannot read \(key) \(path): \(String(cString: strerror(errno)))")
        }
        if let problem = permissionProblem(
            mode: info.st_mode, owner: info.st_uid, group: info.st_gid,
            daemonUser: geteuid(), daemonGroup: getegid())
        {
            throw FederationError(
                "\(key) \(path) \(problem); fix it with: chown root:loadd \(path) && chmod 0640 \(path)")
        }
        guard Int(info.st_size) <= maxBytes else {
            throw FederationError("\(key) \(path) is \(info.st_size) bytes; a secret file is at most \(maxBytes)")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            total += count
        }
        return Array(bytes[..<total])
    }

    /// Why a file with this mode and ownership must not hold a secret, or `nil` when it may: a regular
    /// file, owned by root or by the daemon's user, writable by its owner alone, readable by its group
    /// only when that group is root's or the daemon's (`loadd`), by nobody else — 0640 at most.
    static func permissionProblem(
        mode: mode_t, owner: uid_t, group: gid_t, daemonUser: uid_t,
        daemonGroup: gid_t
    ) -> String? {
        let octal = "0" + String(mode & 0o7777, radix: 8)
        guard mode & S_IFMT == S_IFREG else { return "is not a regular file" }
        guard owner == 0 || owner == daemonUser else {
            return "is owned by uid \(owner), neither root nor the user loadd runs as (uid \(daemonUser))"
        }
        if mode & 0o007 != 0 { return "can be read or written by any user on this node (mode \(octal))" }
        if mode & 0o020 != 0 { return "can be written by its group (mode \(octal))" }
        if mode & 0o7000 != 0 { return "has setuid, setgid or sticky bits (mode \(octal))" }
        if mode & 0o040 != 0, group != 0, group != daemonGroup {
            return "can be read by group gid \(group), which is neither root's nor loadd's (mode \(octal))"
        }
        return nil
    }
}
