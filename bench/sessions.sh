#!/usr/bin/env bash
# The cost of sessions and of HTTP/2, against the built-in target (`loadctl target`, one event loop
# pinned to core $TARGET_CORE; loadctl pinned to $GEN_CORE with one engine thread):
#   1. plain GETs against a login flow whose token is extracted once per user (POST /api/login →
#      {"token":…}) and sent as `Authorization: Bearer {{token}}` with every GET /api/me;
#   2. the same plain GETs over HTTP/1.1 and over HTTP/2 (h2c, prior knowledge), and both again over
#      TLS (a second target with a CA made here by openssl; HTTP/2 negotiated by ALPN).
# libcurl before 8.0 cannot reuse an h2c connection, so there loadd opens one per h2c request (see
# README, HTTP/2): the h2c row then measures connection set-up; the TLS pair compares the protocols.
# Printed: req/s, and req/s per core (requests ÷ loadctl's user+system CPU seconds), which is what
# the session machinery costs the generator. Only ratios travel: the machine is shared and noisy.
# usage: bench/sessions.sh [SECONDS] [USERS]        (default: 10 s, 200 users)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
USERS=${2:-200}
GEN_CORE=${GEN_CORE:-0}
TARGET_CORE=${TARGET_CORE:-1}
# A port of its own: another `loadctl target` on a well-known port would silently take the load.
PORT=${BENCH_PORT:-$((20000 + RANDOM % 20000))}
TLS_PORT=$((PORT + 1))
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
ulimit -n "$(ulimit -Hn)"

swift build -c release --static-swift-stdlib --product loadctl >/dev/null
LOADCTL=$(swift build -c release --show-bin-path)/loadctl
OUT=$(mktemp -d /tmp/loadd-bench-sessions.XXXXXX)
URL="http://127.0.0.1:$PORT"

KEY=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
(cd "$OUT" && openssl req -x509 "${KEY[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench CA" 2>/dev/null \
    && openssl req "${KEY[@]}" -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null \
    && printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > server.ext \
    && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
        -extfile server.ext 2>/dev/null)

taskset -c "$TARGET_CORE" "$LOADCTL" target --listen "127.0.0.1:$PORT" --threads 1 > "$OUT/target.log" 2>&1 &
TARGET_PID=$!
taskset -c "$TARGET_CORE" "$LOADCTL" target --listen "127.0.0.1:$TLS_PORT" --threads 1 \
    --tls-cert "$OUT/server.pem" --tls-key "$OUT/server.key" > "$OUT/tls-target.log" 2>&1 &
TLS_PID=$!
trap 'kill "$TARGET_PID" "$TLS_PID" 2>/dev/null; wait "$TARGET_PID" "$TLS_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "$URL/Test/V2" >/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do curl -fs --cacert "$OUT/ca.pem" "https://127.0.0.1:$TLS_PORT/Test/V2" >/dev/null && break; sleep 0.1; done
for pid in "$TARGET_PID" "$TLS_PID"; do
    kill -0 "$pid" 2>/dev/null || { echo "a target did not start: $(cat "$OUT"/*target.log)" >&2; exit 1; }
done

header() { cat <<YAML
name: bench-$1
host: ${2:-$URL}
users: $USERS
spawn_rate: $USERS
duration: ${SECONDS_PER_RUN}s
wait: none
YAML
}

{ header plain-h1; echo "tasks: [ { request: GET /Test/V1 } ]"; } > "$OUT/plain-h1.yaml"
{ header plain-h2; echo "http: 2"; echo "tasks: [ { request: GET /Test/V1 } ]"; } > "$OUT/plain-h2.yaml"
TLS_URL="https://127.0.0.1:$TLS_PORT"
{ header tls-h1 "$TLS_URL"; echo "tls: { ca_file: ca.pem }"; echo "tasks: [ { request: GET /Test/V1 } ]"; } > "$OUT/tls-h1.yaml"
{ header tls-h2 "$TLS_URL"; echo "http: 2"; echo "tls: { ca_file: ca.pem }"; echo "tasks: [ { request: GET /Test/V1 } ]"; } > "$OUT/tls-h2.yaml"
{ header session; cat <<'YAML'
on_start:
  - request: POST /api/login
    json: { user: "bench", password: "bench" }
    extract:
      token: { json: "$.token" }
tasks:
  - request: GET /api/me
    headers: { Authorization: "Bearer {{token}}" }
YAML
} > "$OUT/session.yaml"

# run NAME → "REQUESTS RPS CPU_SECONDS FAILURES"
run() {
    /usr/bin/time -v -o "$OUT/time-$1" taskset -c "$GEN_CORE" \
        "$LOADCTL" run "$OUT/$1.yaml" --threads 1 --json --quiet > "$OUT/$1.json" || true
    local cpu
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$OUT/time-$1")
    python3 - "$OUT/$1.json" "$cpu" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["total"]
print(s["requests"], round(s["rps"]), sys.argv[2], s["failures"])
PY
}

printf "%-10s %10s %10s %12s %9s\n" run "req/s" "CPU s" "req/s/core" failures
declare -A PER_CORE
runs=(plain-h1 plain-h2 tls-h1 tls-h2)
if "$LOADCTL" validate "$OUT/session.yaml" >/dev/null 2>&1; then
    runs+=(session)
else
    echo "session run skipped: this loadctl does not accept extract:/{{token}} yet:" >&2
    "$LOADCTL" validate "$OUT/session.yaml" 2>&1 | sed 's/^/  /' >&2 || true
fi
for name in "${runs[@]}"; do
    read -r requests rps cpu failures <<< "$(run "$name")"
    per_core=$(awk -v r="$requests" -v c="$cpu" 'BEGIN { if (c > 0) printf "%d", r / c; else print 0 }')
    PER_CORE[$name]=$per_core
    printf "%-10s %10s %10s %12s %9s\n" "$name" "$rps" "$cpu" "$per_core" "$failures"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "h2c ÷ HTTP/1.1, req/s per core: $(ratio "${PER_CORE[plain-h2]}" "${PER_CORE[plain-h1]}")"
echo "TLS: h2 ÷ HTTP/1.1, req/s per core: $(ratio "${PER_CORE[tls-h2]}" "${PER_CORE[tls-h1]}")"
if [ -n "${PER_CORE[session]:-}" ]; then
    echo "session ÷ plain, req/s per core: $(ratio "${PER_CORE[session]}" "${PER_CORE[plain-h1]}") (target: ≥ 0.90)"
fi
echo "target saw: $(curl -fs "$URL/stats" | head -c 300)"
echo "raw outputs in $OUT"
