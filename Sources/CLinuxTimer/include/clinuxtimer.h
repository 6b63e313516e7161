#ifndef LOADD_CLINUXTIMER_H
#define LOADD_CLINUXTIMER_H
// Why this shim exists: <sys/timerfd.h> is not part of Swift's Glibc module, and prctl is a C
// variadic function, which Swift cannot call. Engine threads need both to wake on time (see
// Engine/Runtime/DeadlineWait.swift). Nothing else belongs here.

/// A timerfd on CLOCK_MONOTONIC, non-blocking and close-on-exec; -1 with errno set on failure.
int clinuxtimer_create(void);

/// Arms `fd` to expire once at `deadline_ns` on CLOCK_MONOTONIC (absolute, TFD_TIMER_ABSTIME).
/// Re-arming resets the expiry count, so a timer that fired and was not read is readable no more.
/// 0, or -1 with errno set.
int clinuxtimer_arm_at(int fd, unsigned long long deadline_ns);

/// prctl(PR_SET_TIMERSLACK, ns) for the calling thread: how late the kernel may wake its sleeps
/// (50 µs by default). 0, or -1 with errno set.
int clinuxtimer_set_slack(unsigned long ns);

#endif
