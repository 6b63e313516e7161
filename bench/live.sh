#!/usr/bin/env bash
# What watching a run costs the engine: the same run on a real loadd (one engine thread, pinned to
# core $GEN_CORE) against the built-in target (pinned to core $TARGET_CORE), alternately "quiet" and
# "watched" — watched = what an open dashboard asks each second (GET /v1/status and /v1/workers on the
# control socket) plus a Prometheus scrape of `metrics_listen` each second. Printed per run: requests,
# loadd's CPU seconds (utime + stime from /proc) and requests per loadd CPU second; then
# watched ÷ quiet (target: within 2 %). The pollers run on the target's core, not the engine's.
# For the master's side, `PAGE=1 bench/fleet.sh 200 20` polls the master the same way.
# usage: bench/live.sh [SECONDS] [USERS] [ROUNDS]      (default: 10 s, 100 users, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
USERS=${2:-100}
ROUNDS=${3:-3}
GEN_CORE=${GEN_CORE:-0}
TARGET_CORE=${TARGET_CORE:-1}
DIR=$(mktemp -d /tmp/loadd-bench-live.XXXXXX)
LOADD_PID='' TARGET_PID='' POLL_PID=''

cleanup() {
    # By pid only, and only what this script started.
    for pid in $POLL_PID $TARGET_PID $LOADD_PID; do kill "$pid" 2>/dev/null || true; done
    for pid in $POLL_PID $TARGET_PID $LOADD_PID; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$DIR"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

for product in loadd loadctl; do
    swift build -c release --static-swift-stdlib --product "$product" >> "$DIR/build.log" 2>&1 || { tail -30 "$DIR/build.log" >&2; exit 1; }
done
BIN=$(swift build -c release --show-bin-path)
ulimit -n "$(ulimit -Hn)"

TARGET_PORT=$(free_port)
METRICS_PORT=$(free_port)
SOCKET=$DIR/loadd.sock
echo "metrics_listen: 127.0.0.1:$METRICS_PORT" > "$DIR/loadd.yaml"

taskset -c "$TARGET_CORE" "$BIN/loadctl" target --listen "127.0.0.1:$TARGET_PORT" --threads 1 > "$DIR/target.log" 2>&1 &
TARGET_PID=$!
taskset -c "$GEN_CORE" "$BIN/loadd" --config "$DIR/loadd.yaml" --socket "$SOCKET" --state-dir "$DIR/state" \
    --threads 1 --log-level notice > "$DIR/loadd.log" 2>&1 &
LOADD_PID=$!
for _ in $(seq 100); do "$BIN/loadctl" status --socket "$SOCKET" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$TARGET_PORT/Test/V2" >/dev/null && break; sleep 0.1; done

cat > "$DIR/scenario.yaml" <<YAML
name: bench-live
host: http://127.0.0.1:$TARGET_PORT
users: $USERS
spawn_rate: $USERS
duration: ${SECONDS_PER_RUN}s
tasks:
  - { weight: 3, request: GET /Test/V1 }
  - { weight: 1, request: GET /Test/V3 }
YAML

# loadd's CPU time so far, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$LOADD_PID/stat"; }
TICKS=$(getconf CLK_TCK)

# As the page does: the first status in full, then only the seconds after the newest it has.
poll() {
    local second=-1
    while :; do
        curl -fs --unix-socket "$SOCKET" "http://loadd/v1/status?history_after=$second" > /dev/null || true
        second=$((second + 1))
        curl -fs --unix-socket "$SOCKET" http://loadd/v1/workers > /dev/null || true
        curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" > /dev/null || true
        sleep 1
    done
}

declare -A PER_CORE_SUM=([quiet]=0 [watched]=0)
printf '%-8s %10s %8s %14s\n' run requests "CPU s" "req/CPU s"
for ((round = 1; round <= ROUNDS; round++)); do
    for mode in quiet watched; do
        if [ "$mode" = watched ]; then taskset -c "$TARGET_CORE" bash -c "$(declare -f poll); SOCKET='$SOCKET' METRICS_PORT=$METRICS_PORT poll" & POLL_PID=$!; fi
        before=$(cpu_ticks)
        "$BIN/loadctl" start "$DIR/scenario.yaml" --socket "$SOCKET" --wait --json > "$DIR/$mode-$round.json" 2>/dev/null || true
        after=$(cpu_ticks)
        if [ -n "$POLL_PID" ]; then kill "$POLL_PID" 2>/dev/null || true; wait "$POLL_PID" 2>/dev/null || true; POLL_PID=''; fi
        requests=$(jq '.total.requests' "$DIR/$mode-$round.json")
        cpu=$(echo "scale=3; ($after - $before) / $TICKS" | bc)
        per_core=$(echo "scale=1; $requests / $cpu" | bc)
        PER_CORE_SUM[$mode]=$(echo "${PER_CORE_SUM[$mode]} + $per_core" | bc)
        printf '%-8s %10s %8s %14s\n' "$mode" "$requests" "$cpu" "$per_core"
    done
done
ratio=$(echo "scale=4; ${PER_CORE_SUM[watched]} / ${PER_CORE_SUM[quiet]}" | bc)
echo "watched ÷ quiet, requests per loadd CPU second: $ratio (target: 0.98 … 1.02)"
