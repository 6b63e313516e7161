#!/usr/bin/env bash
# Closed-model throughput: loadctl beside wrk and Locust FastHttpUser on the same nginx, in the
# same run, printed as ratios (this machine is shared and noisy: only ratios travel).
# nginx gets one worker pinned to core $TARGET_CORE; each generator is pinned to $GEN_CORE.
# usage: bench/run.sh [SECONDS] [USERS...]      (default: 10 s; 50 200 2000 users)
#        SKIP_LOCUST=1 bench/run.sh             (skip Locust, e.g. without PyPI)
#        LOADCTL=/path/to/loadctl bench/run.sh   (measure that build; nothing is built)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
shift || true
USER_COUNTS=("${@:-50 200 2000}")
read -r -a USER_COUNTS <<< "${USER_COUNTS[*]}"
source bench/lib.sh
need
ulimit -n "$(ulimit -Hn)"

# Static like `make build`, so it does not replace the binaries `make deb` packages. LOADCTL=PATH runs a
# given loadctl instead (another version's, to compare two builds in one session) and builds nothing.
if [ -z "${LOADCTL:-}" ]; then
    swift build -c release --static-swift-stdlib --product loadctl >/dev/null
    LOADCTL=$(swift build -c release --show-bin-path)/loadctl
fi
if [ -z "${SKIP_LOCUST:-}" ] && ! command -v locust >/dev/null; then
    pip install -q locust >/dev/null 2>&1 || SKIP_LOCUST=1
fi

trap stop_nginx EXIT
start_nginx
URL="http://127.0.0.1:$BENCH_PORT"
OUT=$(mktemp -d /tmp/loadd-bench-out.XXXXXX)

scenario() {  # scenario USERS → a scenario file for the mix with no wait
    cat > "$OUT/mix-$1.yaml" <<YAML
name: bench-mix-$1
host: $URL
users: $1
spawn_rate: $1
duration: ${SECONDS_PER_RUN}s
wait: none
tasks:
  - { weight: 60, request: GET /Test/V1 }
  - { weight: 1,  request: GET /Test/V2 }
  - { weight: 14, request: GET /Test/V3 }
  - { weight: 5,  request: GET /Test/V4 }
YAML
    echo "$OUT/mix-$1.yaml"
}

printf "%-7s %10s %10s %10s %10s %7s %7s %7s %13s %13s\n" users loadctl "wrk mix" "wrk V1" locust "÷wrk" "÷wrkV1" "÷locust" "loadctl RSS" "wrk RSS"
declare -A RSS
for users in "${USER_COUNTS[@]}"; do
    file=$(scenario "$users")
    /usr/bin/time -v -o "$OUT/time-loadctl-$users" taskset -c "$GEN_CORE" \
        "$LOADCTL" run "$file" --threads 1 --json --quiet > "$OUT/loadctl-$users.json"
    ours=$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['total']['rps']))" "$OUT/loadctl-$users.json")
    RSS[$users]=$(peak_rss_kib "$OUT/time-loadctl-$users")

    /usr/bin/time -v -o "$OUT/time-wrk-$users" taskset -c "$GEN_CORE" \
        wrk -t1 -c"$users" -d"${SECONDS_PER_RUN}s" -s bench/mix.lua "$URL" > "$OUT/wrk-$users.txt"
    theirs=$(awk '/Requests\/sec/ {printf "%d", $2}' "$OUT/wrk-$users.txt")
    # wrk's Lua request() costs it CPU per call: also measure it on one URL, without Lua.
    taskset -c "$GEN_CORE" wrk -t1 -c"$users" -d"${SECONDS_PER_RUN}s" "$URL/Test/V1" > "$OUT/wrk-plain-$users.txt"
    plain=$(awk '/Requests\/sec/ {printf "%d", $2}' "$OUT/wrk-plain-$users.txt")

    locust_rps=0
    if [ -z "${SKIP_LOCUST:-}" ] && [ "$users" -le 200 ]; then
        (cd "$OUT" && taskset -c "$GEN_CORE" locust -f "$OLDPWD/bench/locustfile.py" --headless -u "$users" \
            -r "$users" -t "${SECONDS_PER_RUN}s" --host "$URL" --csv "locust-$users" --only-summary \
            >/dev/null 2>&1) || true
        locust_rps=$(awk -F, '$2 == "Aggregated" {printf "%d", $10}' "$OUT/locust-${users}_stats.csv" 2>/dev/null || echo 0)
    fi
    printf "%-7s %10s %10s %10s %10s %7s %7s %7s %9s KiB %9s KiB\n" "$users" "$ours" "$theirs" "$plain" "${locust_rps:-0}" \
        "$(ratio "$ours" "$theirs")" "$(ratio "$ours" "$plain")" "$(ratio "$ours" "$locust_rps")" "${RSS[$users]}" \
        "$(peak_rss_kib "$OUT/time-wrk-$users")"
done
if [ -n "${RSS[50]:-}" ] && [ -n "${RSS[2000]:-}" ]; then
    echo "loadctl RSS per extra user (50 → 2000): $(awk -v a="${RSS[50]}" -v b="${RSS[2000]}" 'BEGIN {printf "%.1f", (b - a) / 1950}') KiB"
fi
grep -h '"possibly_generator_bound"' "$OUT"/loadctl-*.json | sort | uniq -c | sed 's/^/generator-bound flags: /'
echo "raw outputs in $OUT"
