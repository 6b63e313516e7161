import Glibc

/// The open-files limit (`RLIMIT_NOFILE`), which bounds how many virtual users one process can run.
public enum FileDescriptorLimit {
    /// Descriptors kept back for the daemon itself: stdio, the control socket and its clients, the
    /// journal and notify sockets, epoll/event fds of the event loops and of each curl multi handle,
    /// federation links, run-store files and libcurl's short-lived resolver sockets.
    public static let reservedForDaemon = 64

    /// Descriptors one virtual user holds at once: its single keep-alive TCP connection.
    public static let perUser = 1

    /// Raises the soft limit to the hard one and returns the limits in effect afterwards.
    ///
    /// The soft limit often starts at 1024 for select(2)'s sake, which loadd never uses, while the
    /// hard limit is what the administrator granted (`LimitNOFILE=`). Raising it needs no privilege.
    /// If the hard limit is unlimited, the kernel refuses that for `RLIMIT_NOFILE`, so the soft limit
    /// goes to `fs.nr_open` instead. On failure the unchanged limits are returned: the caller
    /// compares them with the users it is asked for anyway.
    @discardableResult
    public static func raiseSoftToHard() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return (0, 0) }
        var target = limit.rlim_max
        if target == unlimited, let nrOpen = kernelNrOpen() { target = rlim_t(nrOpen) }
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// How many virtual users fit in `openFiles` descriptors: a deliberately conservative
    /// `(openFiles - reservedForDaemon) / perUser`, never negative.
    ///
    /// It assumes HTTP keep-alive, i.e. one connection per user for its whole life; a scenario that
    /// opens a new connection per request also holds one at a time, and sockets in TIME_WAIT do not
    /// hold a descriptor. Refusing a larger user count up front beats failing with EMFILE mid-run.
    public static func maxUsers(openFiles: UInt64) -> Int {
        let usable = openFiles > UInt64(reservedForDaemon) ? openFiles - UInt64(reservedForDaemon) : 0
        return Int(clamping: usable / UInt64(perUser))
    }

    /// `RLIM_INFINITY` is `(rlim_t)-1` in C, which Swift cannot import as an unsigned constant.
    private static let unlimited = rlim_t.max

    /// Glibc imports `RLIMIT_NOFILE` as an enum case with a platform-dependent raw type.
    private static var resourceNoFile: __rlimit_resource_t {
        __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    }

    /// The kernel's ceiling for `RLIMIT_NOFILE` (`/proc/sys/fs/nr_open`), or `nil` if unreadable.
    private static func kernelNrOpen() -> UInt64? {
        let fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        return UInt64(text.filter { $0.isNumber })
    }
}
