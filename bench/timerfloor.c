// The floor under bench/timers.sh: how late this machine wakes a thread that sleeps the way an engine
// thread does (poll on a timerfd armed at an absolute CLOCK_MONOTONIC deadline, 1 ns timer slack),
// with nothing else to do. Deadlines are 5 ms ahead plus a sub-millisecond offset that varies, as
// think times fall. No engine can wake earlier than this; the difference is the engine's own cost.
// usage: timerfloor [WAKES]      prints "p50 p99 max" lateness in µs
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int wakes = argc > 1 ? atoi(argv[1]) : 2000;
    if (wakes < 1 || wakes > 1000000) wakes = 2000;
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    int64_t *late = malloc(sizeof(int64_t) * (size_t)wakes);
    if (fd < 0 || !late) { perror("timerfloor"); return 1; }
    for (int i = 0; i < wakes; i++) {
        uint64_t due = now_ns() + 5000000ull + (uint64_t)((i * 137) % 1000) * 1000ull;
        struct itimerspec spec = {0};
        spec.it_value.tv_sec = (time_t)(due / 1000000000ull);
        spec.it_value.tv_nsec = (long)(due % 1000000000ull);
        timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
        struct pollfd p = {fd, POLLIN, 0};
        while (now_ns() < due) poll(&p, 1, 10);
        late[i] = (int64_t)(now_ns() - due);
    }
    qsort(late, (size_t)wakes, sizeof(int64_t), by_value);
    printf("%lld %lld %lld\n", (long long)(late[wakes / 2] / 1000), (long long)(late[(size_t)wakes * 99 / 100] / 1000),
           (long long)(late[wakes - 1] / 1000));
    return 0;
}
