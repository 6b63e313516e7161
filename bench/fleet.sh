#!/usr/bin/env bash
# The fleet benchmark: one real master loadd (pinned to core $MASTER_CORE) and WORKERS protocol-level
# fake workers in one FleetBench process (pinned to core $FAKES_CORE), each on its own TCP connection,
# streaming one-second stats of 20 endpoints. Prints the master's CPU share and memory, the delay from
# a second's last report to the master's merged view, and a verdict against the ≤ 10 % target.
# A run is started on the master as an operator would (loadctl start) against the built-in target;
# the fakes never send HTTP, so the target sees nothing. Traffic stays on 127.0.0.1.
# usage: bench/fleet.sh [WORKERS] [SECONDS]        (default: 200 workers, 30 s)
#        MASTER_WRAPPER="perf record -g -o /tmp/master.perf --" bench/fleet.sh   (profile the master)
#        TLS=1 bench/fleet.sh                  (the master serves TLS; the fakes pin its certificate)
#        PAGE=1 bench/fleet.sh                 (an open dashboard and a Prometheus scrape poll the master each second)
#        BIN=/tmp/old bench/fleet.sh           (FleetBench, loadd and loadctl from that folder: nothing is built)
#        MASTER_BIN=/tmp/old/loadd bench/fleet.sh   (that master, this tree's fakes: compare two masters)
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-200}
DURATION=${2:-30}
ENDPOINTS=20
MASTER_CORE=${MASTER_CORE:-1}
FAKES_CORE=${FAKES_CORE:-0}
CONFIG=${CONFIG:-release}
DIR=$(mktemp -d /tmp/loadd-bench-fleet.XXXXXX)
MASTER_PID='' TARGET_PID='' BENCH_PID=''

cleanup() {
    # By pid only, and only the processes this script started and has not reaped yet.
    for pid in $BENCH_PID $TARGET_PID $MASTER_PID; do kill "$pid" 2>/dev/null || true; done
    for pid in $BENCH_PID $TARGET_PID $MASTER_PID; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$DIR"
}
trap cleanup EXIT

# The kernel's pick of a free loopback port.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for WHAT SECONDS COMMAND…: polls COMMAND every 0.1 s.
wait_for() {
    local what=$1 limit=$2
    shift 2
    for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "fleet.sh: timed out waiting for $what" >&2
    return 1
}

if [ -z "${BIN:-}" ]; then
    echo "fleet.sh: building ($CONFIG; log in $DIR/build.log)" >&2
    # One product per call: given several --product flags, swift build builds only the last.
    # --static-swift-stdlib as `make build`/`make deb` use it: the same flags share one .build folder, so
    # the bench neither overwrites the static binaries the package is made from nor rebuilds them.
    for product in FleetBench loadd loadctl; do
        swift build -c "$CONFIG" --static-swift-stdlib --product "$product" >> "$DIR/build.log" 2>&1 || { tail -30 "$DIR/build.log" >&2; exit 1; }
    done
    BIN=$(swift build -c "$CONFIG" --show-bin-path)
fi
MASTER_BIN=${MASTER_BIN:-$BIN/loadd}
ulimit -n "$(ulimit -Hn)"

FED_PORT=$(free_port)
TARGET_PORT=$(free_port)
SOCKET=$DIR/loadd.sock
head -c 32 /dev/urandom | base64 -w0 > "$DIR/token"
chmod 0600 "$DIR/token"    # loadd refuses a token file others can read
cat > "$DIR/master.yaml" <<YAML
listen: 127.0.0.1:$FED_PORT
token_file: $DIR/token
heartbeat_timeout: 3s
YAML
TLS_FLAGS=()
if [ -n "${TLS:-}" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=fleet-bench \
        -keyout "$DIR/tls.key" -out "$DIR/tls.crt" 2>/dev/null
    printf 'tls_cert: %s\ntls_key: %s\n' "$DIR/tls.crt" "$DIR/tls.key" >> "$DIR/master.yaml"
    TLS_FLAGS=(--tls-fingerprint "$(openssl x509 -in "$DIR/tls.crt" -noout -fingerprint -sha256)")
else
    # The fake workers speak plain TCP unless TLS=1: the master must too (it speaks TLS by default).
    echo "insecure_plaintext: true" >> "$DIR/master.yaml"
fi

LOADD_LOG=stderr ${MASTER_WRAPPER:-} taskset -c "$MASTER_CORE" "$MASTER_BIN" --config "$DIR/master.yaml" --socket "$SOCKET" \
    --state-dir "$DIR/state" --node master --log-level notice > "$DIR/master.log" 2>&1 &
MASTER_PID=$!
wait_for "the master's control socket" 20 "$BIN/loadctl" status --socket "$SOCKET"

# Nothing will reach it; a scenario only needs a host that exists.
taskset -c "$MASTER_CORE" "$BIN/loadctl" target --listen "127.0.0.1:$TARGET_PORT" > "$DIR/target.log" 2>&1 &
TARGET_PID=$!

{
    echo "name: fleet-bench"
    echo "host: http://127.0.0.1:$TARGET_PORT"
    echo "users: $WORKERS"
    echo "spawn_rate: $WORKERS"
    echo "tasks:"
    for ((e = 0; e < ENDPOINTS; e++)); do printf '  - { weight: 1, request: GET /e%02d }\n' "$e"; done
} > "$DIR/scenario.yaml"

taskset -c "$FAKES_CORE" "$BIN/FleetBench" --master "127.0.0.1:$FED_PORT" --token-file "$DIR/token" \
    --workers "$WORKERS" --endpoints "$ENDPOINTS" --seconds "$DURATION" \
    --master-pid "$MASTER_PID" --socket "$SOCKET" "${TLS_FLAGS[@]}" > "$DIR/fleetbench.out" &
BENCH_PID=$!

workers_joined() { [ "$("$BIN/loadctl" workers --json --socket "$SOCKET" | jq length)" -eq "$WORKERS" ]; }
wait_for "$WORKERS workers to join" 60 workers_joined
"$BIN/loadctl" start "$DIR/scenario.yaml" --socket "$SOCKET" >/dev/null
POLL_PID=''
if [ -n "${PAGE:-}" ]; then
    # What the dashboard asks each second, and a scrape of /metrics, on the fakes' core.
    (while kill -0 "$BENCH_PID" 2>/dev/null; do
        for path in /v1/status /v1/workers /metrics; do curl -fs --unix-socket "$SOCKET" "http://loadd$path" >/dev/null || true; done
        sleep 1
    done) &
    POLL_PID=$!
    taskset -pc "$FAKES_CORE" "$POLL_PID" >/dev/null
fi

status=0
wait "$BENCH_PID" || status=$?
BENCH_PID=''
if [ -n "$POLL_PID" ]; then wait "$POLL_PID" 2>/dev/null || true; fi
"$BIN/loadctl" stop --socket "$SOCKET" >/dev/null 2>&1 || true
cat "$DIR/fleetbench.out"
if [ "$status" -ge 2 ]; then
    echo "fleet.sh: FleetBench failed ($status); the master's log:" >&2
    tail -20 "$DIR/master.log" >&2
fi
exit "$status"
