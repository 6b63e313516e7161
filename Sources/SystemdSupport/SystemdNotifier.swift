import CSystemd
import Glibc

/// Tells the service manager about the daemon's lifecycle through `sd_notify(3)`.
///
/// Every call is a no-op that returns `false` when `NOTIFY_SOCKET` is unset (not started by systemd,
/// or a unit that is not `Type=notify`), so the daemon can call it unconditionally. The notifier has no
/// state of its own: libsystemd reads `NOTIFY_SOCKET` on each call, which is why it is trivially `Sendable`.
public struct SystemdNotifier: Sendable {
    /// Creates a notifier for the current process.
    public init() {}

    /// Whether a service manager is listening for notifications, i.e. `NOTIFY_SOCKET` is set.
    ///
    /// This is the question that matters for a `Type=notify` unit: a process can run under systemd
    /// without a notify socket (e.g. `Type=simple`), and then nothing it sends is read.
    public var isUnderSystemd: Bool {
        guard let value = getenv("NOTIFY_SOCKET") else { return false }
        return value.pointee != 0
    }

    /// How often to call ``watchdog()``: half of the unit's `WatchdogSec=`, or `nil` when the watchdog
    /// is off for this process.
    ///
    /// Half, as `sd_watchdog_enabled(3)` recommends, so one late ping does not get the service killed.
    /// Reads `WATCHDOG_USEC`/`WATCHDOG_PID` on each access; cache it in the main loop.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(usec / 2)
    }

    /// Reports that start-up is complete: for `Type=notify` this is when `systemctl start` returns,
    /// so send it only once the control socket serves. Also ends a reload begun with ``reloading()``.
    @discardableResult
    public func ready() -> Bool {
        send("READY=1")
    }

    /// Sets the one-line status shown by `systemctl status`. Newlines would start new assignments
    /// in the notify protocol, so they are replaced by spaces.
    @discardableResult
    public func status(_ text: String) -> Bool {
        let line = String(text.map { $0.isNewline ? " " : $0 })
        return send("STATUS=\(line)")
    }

    /// Pings the watchdog; call at least every ``watchdogInterval`` from the loop whose liveness it proves.
    @discardableResult
    public func watchdog() -> Bool {
        send("WATCHDOG=1")
    }

    /// Reports that a graceful shutdown has begun, so systemd shows "deactivating" rather than
    /// treating the silence that follows as a hang.
    @discardableResult
    public func stopping() -> Bool {
        send("STOPPING=1")
    }

    /// Reports that a configuration reload has begun; send ``ready()`` when it is done.
    ///
    /// systemd ≥ 253 (`Type=notify-reload`) requires `MONOTONIC_USEC` next to `RELOADING=1` to tell
    /// this reload from an older one; earlier versions ignore the extra field, so it is always sent.
    @discardableResult
    public func reloading() -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        return send("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    /// Sends raw newline-separated `KEY=value` assignments (see `sd_notify(3)`).
    ///
    /// - Returns: `true` if a service manager received the datagram; `false` if `NOTIFY_SOCKET` is
    ///   unset or the send failed (a daemon cannot do anything useful about the latter, and the
    ///   service manager's own timeouts report it).
    @discardableResult
    public func send(_ state: String) -> Bool {
        // unset_environment = 0: the watchdog and status keep using NOTIFY_SOCKET after READY.
        sd_notify(0, state) > 0
    }
}
