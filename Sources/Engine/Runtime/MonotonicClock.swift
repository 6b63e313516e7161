import Glibc

/// Microsecond clocks read with `clock_gettime`: no allocation, no Foundation, cheap enough per request.
enum MonotonicClock {
    /// Microseconds on CLOCK_MONOTONIC: for latencies and schedules, never jumps.
    @inline(__always) static func micros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return origin &+ UInt64(ts.tv_sec) &* 1_000_000 &+ UInt64(ts.tv_nsec / 1000)
    }

    /// 2^40 µs (12.7 days) added to every reading: a run resumed after a reboot starts its clock
    /// that far back in the past (`EngineResume`), and CLOCK_MONOTONIC restarts near 0 at boot.
    /// Only differences of readings are used, so the offset changes no figure.
    static let origin: UInt64 = 1 << 40

    /// Microseconds of CPU this thread has used: the generator's own load, per window.
    @inline(__always) static func threadCPUMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000 &+ UInt64(ts.tv_nsec / 1000)
    }

    /// Wall-clock Unix time in microseconds: only for `{{now}}` and report timestamps.
    @inline(__always) static func unixMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000 &+ UInt64(ts.tv_nsec / 1000)
    }
}

extension Duration {
    /// Whole microseconds, saturating at zero for negative durations and at `UInt64.max`.
    var microseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        return UInt64(seconds).saturatingMultiply(1_000_000).saturatingAdd(
            UInt64(max(0, attoseconds) / 1_000_000_000_000))
    }
}
