import CCurl
import CLinuxTimer
import Glibc

/// How an engine thread sleeps until its next due time: in `curl_multi_poll`, which returns on socket
/// activity, on `curl_multi_wakeup`, or when a timerfd armed at the deadline (to the microsecond) fires.
///
/// `curl_multi_poll` takes its timeout in whole milliseconds (rounded up, so never early): alone it
/// woke a 5 ms think time up to a millisecond late, and every request's latency from its intended
/// start carried that lateness as if the target had taken it. The timerfd is handed to the poll as an
/// extra descriptor; the millisecond timeout stays as a backstop. The timer is re-armed only when the
/// deadline comes earlier than the armed one or the armed one has passed, so a busy loop whose
/// deadline creeps forward pays no system call per pass (a 50-user `wait: none` run armed it 78 times
/// for 35,550 requests, counted with `strace -c`; `bench/timers.sh` measures the wake's lateness).
/// Owned by one engine thread (not Sendable): create it on that thread, it sets the thread's slack.
final class DeadlineWait {
    /// `LOADD_BENCH_MS_WAIT=1` picks the millisecond-only wait this type replaced, so
    /// `bench/timers.sh` and `bench/run.sh` can compare both in the same build. Not for users.
    static let millisecondsOnly = getenv("LOADD_BENCH_MS_WAIT") != nil
    /// The timer slack asked for engine threads, in ns: the kernel's 50 µs default would be half the
    /// lateness budget of a wake (100 µs at p99) spent before the thread even runs.
    static let timerSlackNanos: UInt = 1

    /// The timerfd, or -1: none could be made (out of descriptors) or the bench asked for the old wait.
    private let fd: Int32
    /// The deadline (CLOCK_MONOTONIC µs) the timerfd is armed at; 0 when it is not armed.
    private var armed: UInt64 = 0

    /// `millisecondsOnly`: the old wait, for the bench and the test that compares both.
    init(millisecondsOnly: Bool = DeadlineWait.millisecondsOnly) {
        guard !millisecondsOnly else {
            fd = -1
            return
        }
        // Best effort: with the default slack the timerfd still wakes on time; only the backstop is looser.
        _ = clinuxtimer_set_slack(DeadlineWait.timerSlackNanos)
        fd = clinuxtimer_create()
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Blocks in `curl_multi_poll` on `multi` until `deadline` (µs), something happens on its sockets,
    /// or it is woken; never longer than `atMostMs` milliseconds.
    func wait(on multi: UnsafeMutableRawPointer, until deadline: UInt64, now: UInt64, atMostMs: Int32 = .max) {
        let timeoutMs = deadline > now ? min(Int32(clamping: (deadline - now + 999) / 1000), atMostMs) : 0
        guard fd >= 0, timeoutMs > 0, arm(deadline, now: now) else {
            curl_multi_poll(multi, nil, 0, timeoutMs, nil)
            return
        }
        var timer = curl_waitfd(fd: fd, events: Int16(CURL_WAIT_POLLIN), revents: 0)
        // The expiry is never read: the next arming resets it, and the timer is re-armed before any
        // wait once its deadline has passed, so it is readable only while the loop is due anyway.
        curl_multi_poll(multi, &timer, 1, timeoutMs, nil)
    }

    /// Makes sure the timer fires by `deadline`: false if it could not be armed (wait by the timeout).
    private func arm(_ deadline: UInt64, now: UInt64) -> Bool {
        // Armed earlier and still ahead: it wakes the loop early once at worst, which costs a pass,
        // where re-arming on every pass of a busy loop would cost a system call each.
        if armed > now && armed <= deadline { return true }
        // The timerfd counts on CLOCK_MONOTONIC itself: the engine's readings carry
        // `MonotonicClock.origin` on top, which would arm it 12.7 days ahead (a wait by the timeout).
        let onClock = deadline >= MonotonicClock.origin ? deadline - MonotonicClock.origin : 0
        guard clinuxtimer_arm_at(fd, onClock.saturatingMultiply(1000)) == 0 else {
            armed = 0
            return false
        }
        armed = deadline
        return true
    }
}
