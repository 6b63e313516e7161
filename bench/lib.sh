# Shared helpers for the benchmarks: an nginx target pinned to one core, and peak-RSS timing.
# Sourced, not run. Traffic stays on 127.0.0.1.

BENCH_PORT=${BENCH_PORT:-18080}
BENCH_ROOT=$(mktemp -d /tmp/loadd-bench.XXXXXX)
GEN_CORE=${GEN_CORE:-0}
TARGET_CORE=${TARGET_CORE:-1}

need() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx-light)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v h2load >/dev/null || missing+=(nghttp2-client)
    [ -x /usr/bin/time ] || missing+=(time)
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

start_nginx() {
    mkdir -p "$BENCH_ROOT/www/Test"
    chmod 755 "$BENCH_ROOT"   # mktemp makes it 0700; nginx workers run as www-data
    head -c 1578 /dev/zero | tr '\0' 'a' > "$BENCH_ROOT/www/Test/V1"
    head -c 13 /dev/zero | tr '\0' 'b' > "$BENCH_ROOT/www/Test/V2"
    head -c 378 /dev/zero | tr '\0' 'c' > "$BENCH_ROOT/www/Test/V3"
    head -c 378 /dev/zero | tr '\0' 'd' > "$BENCH_ROOT/www/Test/V4"
    sed -e "s|@ROOT@|$BENCH_ROOT|g" -e "s|@PORT@|$BENCH_PORT|g" "$(dirname "${BASH_SOURCE[0]}")/nginx.conf.template" > "$BENCH_ROOT/nginx.conf"
    taskset -c "$TARGET_CORE" nginx -c "$BENCH_ROOT/nginx.conf" -p "$BENCH_ROOT" &
    NGINX_PID=$!
    for _ in $(seq 50); do curl -fs "http://127.0.0.1:$BENCH_PORT/Test/V2" >/dev/null && return 0; sleep 0.1; done
    echo "nginx did not start: $(cat "$BENCH_ROOT/error.log")" >&2
    return 1
}

stop_nginx() {
    [ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    rm -rf "$BENCH_ROOT"
}

# peak_rss_kib FILE: the "Maximum resident set size" GNU time wrote to FILE.
peak_rss_kib() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
