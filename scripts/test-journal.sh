#!/bin/bash
# Run a command next to a private, real systemd-journald and print the journal entries it wrote
# with structured LOADD_* fields: the end-to-end check of native journal logging (sd_journal_sendv).
#
# usage: scripts/test-journal.sh [-t SECONDS] -- CMD [ARGS...]
#   -t SECONDS  kill CMD after this long (default 60)
#
# Output: on stdout, one JSON object per line (`journalctl -o json`) for every entry that has a field
# starting with LOADD_; CMD's own stdout and stderr go to this script's stderr, so stdout stays
# machine-readable. LOADD_LOG=journal is exported to CMD unless already set, because nothing else
# tells it a journal is there (no JOURNAL_STREAM). Exit status: CMD's, or 1 if journald did not start.
# Without root or without unshare/systemd-journald/journalctl it prints "SKIP: reason" on stderr and
# exits 0. Example:
#   scripts/test-journal.sh -- .build/debug/loadd --config examples/loadd.yaml --exit-after-start \
#     | grep '"LOADD_RUN_ID"'
#
# How: a private mount namespace (unshare --mount) gets tmpfs over /run/systemd, /run/log and
# /var/log/journal, so journald binds the socket libsystemd hard-codes (/run/systemd/journal/socket)
# and keeps its files there; the host's journal and files are untouched, and all of it vanishes with
# the namespace. PID 1 need not be systemd.
set -euo pipefail

timeout_s=60
while [ $# -gt 0 ]; do
  case "$1" in
    -t) timeout_s=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [-t SECONDS] -- CMD [ARGS...]" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [-t SECONDS] -- CMD [ARGS...]" >&2; exit 2; }

skip() { echo "SKIP: $0: $*" >&2; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespace and tmpfs mounts)"
JOURNALD=""
for candidate in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
  [ -x "$candidate" ] && { JOURNALD=$candidate; break; }
done
[ -n "$JOURNALD" ] || skip "systemd-journald not installed"
for tool in unshare journalctl timeout; do
  command -v "$tool" >/dev/null || skip "$tool not installed"
done

export LOADD_LOG=${LOADD_LOG:-journal}
exec unshare --mount --propagation private -- bash -c '
  set -euo pipefail
  JOURNALD=$1; timeout_s=$2; shift 2
  for dir in /run/systemd /run/log /var/log/journal; do
    mkdir -p "$dir"
    mount -t tmpfs -o mode=0755 tmpfs "$dir"
  done
  "$JOURNALD" </dev/null >/dev/null 2>&1 &
  journald_pid=$!
  trap "kill $journald_pid 2>/dev/null; wait $journald_pid 2>/dev/null || true" EXIT
  for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
  [ -S /run/systemd/journal/socket ] || { echo "$0: systemd-journald did not start" >&2; exit 1; }

  set +e
  timeout --kill-after=5 "$timeout_s" "$@" >&2
  rc=$?
  set -e
  # Datagrams are queued in the socket: ask journald to write everything received so far before
  # reading, instead of sleeping and hoping.
  journalctl --sync >/dev/null 2>&1 || true
  journalctl --no-pager -o json | grep "\"LOADD_" || true
  exit $rc
' test-journal.sh "$JOURNALD" "$timeout_s" "$@"
