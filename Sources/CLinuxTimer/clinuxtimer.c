#include "clinuxtimer.h"
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>

int clinuxtimer_create(void) {
    return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

int clinuxtimer_arm_at(int fd, unsigned long long deadline_ns) {
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ULL);
    spec.it_value.tv_nsec = (long)(deadline_ns % 1000000000ULL);
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, 0);
}

int clinuxtimer_set_slack(unsigned long ns) {
    return prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0);
}
