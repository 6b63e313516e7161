#!/usr/bin/env bash
# Open model at fixed arrival rates: loadctl beside h2load --rps (a wrk2-style rate-limited peer;
# wrk2 is not in Debian) on the same nginx, in the same run. Prints achieved rate, CPU per
# 10,000 requests/s and loadctl's corrected percentiles (latency from each request's intended start).
# nginx: one worker pinned to core $TARGET_CORE; each generator pinned to core $GEN_CORE.
# usage: bench/open.sh [SECONDS] [RATE...]        (default: 10 s; 5000 20000 40000/s)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
shift || true
RATES=("${@:-5000 20000 40000}")
read -r -a RATES <<< "${RATES[*]}"
CLIENTS=${CLIENTS:-100}
source bench/lib.sh
need
ulimit -n "$(ulimit -Hn)"
# Static like `make build`, so it does not replace the binaries `make deb` packages.
swift build -c release --static-swift-stdlib --product loadctl >/dev/null
LOADCTL=$(swift build -c release --show-bin-path)/loadctl
trap stop_nginx EXIT
start_nginx
URL="http://127.0.0.1:$BENCH_PORT"
OUT=$(mktemp -d /tmp/loadd-bench-open.XXXXXX)

cpu_seconds() { awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u + s}' "$1"; }
per10k() { awk -v cpu="$1" -v secs="$SECONDS_PER_RUN" -v rps="$2" 'BEGIN { if (rps > 0) printf "%.2f", cpu / secs / (rps / 10000); else print "n/a" }'; }

printf "%-8s | %10s %8s %8s %8s %8s | %10s %8s %10s\n" rate "loadctl/s" "cpu/10k" "p50 ms" "p95 ms" "p99 ms" "h2load/s" "cpu/10k" "mean ms"
for rate in "${RATES[@]}"; do
    cat > "$OUT/open-$rate.yaml" <<YAML
name: bench-open-$rate
host: $URL
rate: $rate/s
max_in_flight: 2000
duration: ${SECONDS_PER_RUN}s
tasks:
  - { weight: 60, request: GET /Test/V1 }
  - { weight: 1,  request: GET /Test/V2 }
  - { weight: 14, request: GET /Test/V3 }
  - { weight: 5,  request: GET /Test/V4 }
YAML
    /usr/bin/time -v -o "$OUT/time-loadctl-$rate" taskset -c "$GEN_CORE" \
        "$LOADCTL" run "$OUT/open-$rate.yaml" --threads 1 --json --quiet > "$OUT/loadctl-$rate.json" || true
    read -r ours p50 p95 p99 dropped < <(python3 -c "
import json, sys
d = json.load(open(sys.argv[1])); t = d['total']
print(round(t['rps']), t['median_ms'], t['p95_ms'], t['p99_ms'], d['open_model']['dropped'])" "$OUT/loadctl-$rate.json")

    per_client=$(( (rate + CLIENTS - 1) / CLIENTS ))
    /usr/bin/time -v -o "$OUT/time-h2load-$rate" taskset -c "$GEN_CORE" \
        h2load --h1 -c "$CLIENTS" --rps "$per_client" -D "$SECONDS_PER_RUN" "$URL/Test/V1" > "$OUT/h2load-$rate.txt" 2>&1 || true
    theirs=$(awk '/^finished in/ {gsub(",", "", $4); printf "%d", $4}' "$OUT/h2load-$rate.txt")
    mean=$(awk '/^time for request:/ {print $6}' "$OUT/h2load-$rate.txt")
    printf "%-8s | %10s %8s %8s %8s %8s | %10s %8s %10s   (loadctl dropped %s)\n" "$rate/s" "$ours" \
        "$(per10k "$(cpu_seconds "$OUT/time-loadctl-$rate")" "$ours")" "$p50" "$p95" "$p99" \
        "${theirs:-0}" "$(per10k "$(cpu_seconds "$OUT/time-h2load-$rate")" "${theirs:-0}")" "${mean:-n/a}" "$dropped"
done
echo "cpu/10k = CPU seconds per second of run for each 10,000 requests/s achieved; raw outputs in $OUT"
