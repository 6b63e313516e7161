#!/usr/bin/env bash
# How late the engine wakes for its timers: a closed run with `wait: constant 5ms` (USERS users, one
# engine thread, loadctl pinned to core $GEN_CORE, the built-in target to $TARGET_CORE), read from the
# run's own schedule lag — due time (the end of the think time) → the request handed to libcurl, i.e.
# the wake's lateness plus the few µs the loop takes to issue — as p50/p99/max, for both waits in the
# same build, alternating:
#   ms       curl_multi_poll's whole-millisecond timeout alone (the wait before; LOADD_BENCH_MS_WAIT=1)
#   timerfd  the same poll with a timerfd armed at the deadline and 1 ns timer slack (the default)
# First the floor: bench/timerfloor.c, a bare C thread sleeping the same way (timerfd + poll) on the same
# core, shows how late this machine wakes anything; the engine's figures above it are its own cost.
# Also printed: latency median − service median (what a user's figure carries of the generator) and
# loadctl's CPU seconds. Only an otherwise idle generator core gives the timers' own figures: the
# load average is printed so a busy machine shows. On a machine shared with other work, GEN_RT=1 (root)
# runs loadctl under SCHED_FIFO (`chrt -f 10`: it takes its core the moment it wakes, as on an idle
# core; it sleeps most of the time, so the others lose little).
# usage: bench/timers.sh [SECONDS] [USERS] [ROUNDS]        (default: 10 s, 10 users, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
USERS=${2:-10}
ROUNDS=${3:-3}
GEN_CORE=${GEN_CORE:-0}
TARGET_CORE=${TARGET_CORE:-1}
GEN_SCHED=()
[ -n "${GEN_RT:-}" ] && GEN_SCHED=(chrt -f 10)
PORT=${BENCH_PORT:-$((20000 + RANDOM % 20000))}
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }

swift build -c release --static-swift-stdlib --product loadctl >/dev/null
LOADCTL=$(swift build -c release --show-bin-path)/loadctl
OUT=$(mktemp -d /tmp/loadd-bench-timers.XXXXXX)
URL="http://127.0.0.1:$PORT"

taskset -c "$TARGET_CORE" "$LOADCTL" target --listen "127.0.0.1:$PORT" --threads 1 > "$OUT/target.log" 2>&1 &
TARGET_PID=$!
trap 'kill "$TARGET_PID" 2>/dev/null; wait "$TARGET_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "$URL/Test/V2" >/dev/null && break; sleep 0.1; done
kill -0 "$TARGET_PID" 2>/dev/null || { echo "the target did not start: $(cat "$OUT/target.log")" >&2; exit 1; }

cat > "$OUT/think.yaml" <<YAML
name: bench-timers
host: $URL
users: $USERS
spawn_rate: $USERS
duration: ${SECONDS_PER_RUN}s
wait: { constant: 5ms }
tasks: [ { request: GET /Test/V2 } ]
YAML

# run MODE ROUND → one printed row
run() {
    local env=()
    [ "$1" = ms ] && env=(LOADD_BENCH_MS_WAIT=1)
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    env "${env[@]}" /usr/bin/time -f "%U %S" -o "$OUT/time-$1-$2" taskset -c "$GEN_CORE" \
        "${GEN_SCHED[@]}" "$LOADCTL" run "$OUT/think.yaml" --threads 1 --json --quiet > "$OUT/$1-$2.json" || true
    python3 - "$OUT/$1-$2.json" "$OUT/time-$1-$2" "$1" "$2" "$load" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
total, lag = summary["total"], summary["total"]["lag"]
print(f"{sys.argv[3]:<8} {sys.argv[4]:>5} {total['requests']:>9} {lag['median_ms'] * 1000:>9.0f} {lag['p99_ms'] * 1000:>9.0f}"
      f" {lag['max_ms'] * 1000:>9.0f} {(total['median_ms'] - total['service_median_ms']) * 1000:>13.0f}"
      f" {user + system:>7.2f} {sys.argv[5]:>6}")
PY
}

if command -v cc >/dev/null; then
    cc -O2 -o "$OUT/timerfloor" bench/timerfloor.c
    read -r f50 f99 fmax < <(taskset -c "$GEN_CORE" "${GEN_SCHED[@]}" "$OUT/timerfloor" 2000)
    echo "floor (bench/timerfloor.c, 2000 bare timerfd wakes on core $GEN_CORE): p50 $f50 µs, p99 $f99 µs, max $fmax µs"
fi
echo "lag = due time → handed to libcurl, µs; $USERS users × ${SECONDS_PER_RUN} s, wait 5 ms, one engine thread on core $GEN_CORE${GEN_RT:+ (SCHED_FIFO)}"
printf "%-8s %5s %9s %9s %9s %9s %13s %7s %6s\n" wait round requests "lag p50" "lag p99" "lag max" "lat−svc p50" "CPU s" load
for round in $(seq "$ROUNDS"); do
    run ms "$round"
    run timerfd "$round"
done
echo "raw outputs in $OUT"
