#!/bin/bash
# Lint loadd's systemd files without a running systemd (PID 1 need not be systemd):
#   1. systemd-sysusers and systemd-tmpfiles apply loadd.sysusers and loadd.tmpfiles to a scratch root
#      (proving they parse and that /var/lib/loadd{,/runs} end up owned by loadd);
#   2. `systemd-analyze verify --man=no` on loadd.service and loadd.socket, failing on ANY output:
#      verify exits 0 on "ignoring" mistakes (unknown keys, bad values) and only says so on stderr;
#   3. `systemd-analyze security --offline=true --threshold=N` on loadd.service (N on the 0-100
#      scale, default 20, i.e. an exposure of at most 2.0: the "OK" band).
# All of it happens in a private mount namespace: BINARY is installed at /usr/local/bin/loadd (verify
# needs ExecStart= to exist), the scratch root's passwd/group (with the loadd user sysusers made) are
# bind-mounted over /etc/passwd and /etc/group, and /run/systemd is a tmpfs for the stamp files
# systemd-analyze writes. The host is left untouched.
#
# usage: scripts/verify-units.sh BINARY [UNIT_DIR]
#   BINARY    any executable, normally the built loadd (e.g. .build/debug/loadd)
#   UNIT_DIR  the folder with loadd.service, loadd.socket, loadd.sysusers, loadd.tmpfiles
#             (default: systemd/ in this repository)
#   LOADD_SECURITY_THRESHOLD=N overrides the security threshold.
# Exit status: 0 if all pass; 1 on a failure (its output is printed); 2 on bad usage. Without root or
# without systemd-analyze/unshare it prints "SKIP: reason" and exits 0.
set -euo pipefail

usage() { echo "usage: $0 BINARY [UNIT_DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
BIN=$(realpath "$1")
UNITS=$(realpath "${2:-$(dirname "$0")/../systemd}")
THRESHOLD=${LOADD_SECURITY_THRESHOLD:-20}
[ -f "$BIN" ] && [ -x "$BIN" ] || { echo "$0: $1 is not an executable file" >&2; exit 2; }
for f in loadd.service loadd.socket loadd.sysusers loadd.tmpfiles; do
  [ -f "$UNITS/$f" ] || { echo "$0: $UNITS/$f missing" >&2; exit 2; }
done

skip() { echo "SKIP: $0: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespace, bind mounts)"
for tool in systemd-analyze systemd-sysusers systemd-tmpfiles unshare; do
  command -v "$tool" >/dev/null || skip "$tool not installed"
done

SCRATCH=$(mktemp -d /tmp/loadd-verify-units.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

unshare --mount --propagation private -- bash -c '
  set -uo pipefail
  BIN=$1 UNITS=$2 THRESHOLD=$3 ROOT=$4/root
  fail() { echo "FAIL: $1"; [ -n "${2:-}" ] && printf "%s\n" "$2"; exit 1; }

  mkdir -p "$ROOT/etc"
  cp /etc/passwd /etc/group "$ROOT/etc/"
  out=$(systemd-sysusers --root="$ROOT" - <"$UNITS/loadd.sysusers" 2>&1) || fail "systemd-sysusers loadd.sysusers" "$out"
  grep -q "^loadd:x:[0-9]*:[0-9]*:loadd load generator:/var/lib/loadd:" "$ROOT/etc/passwd" \
    || fail "loadd.sysusers did not create user loadd" "$out"
  grep -q "^loadd:" "$ROOT/etc/group" || fail "loadd.sysusers did not create group loadd" "$out"
  echo "sysusers OK: user and group loadd"

  out=$(systemd-tmpfiles --root="$ROOT" --create - <"$UNITS/loadd.tmpfiles" 2>&1)
  [ $? -eq 0 ] && [ -z "$out" ] || fail "systemd-tmpfiles loadd.tmpfiles" "$out"
  uid=$(awk -F: "\$1 == \"loadd\" {print \$3}" "$ROOT/etc/passwd")
  for d in var/lib/loadd var/lib/loadd/runs; do
    [ "$(stat -c "%u %a" "$ROOT/$d")" = "$uid 750" ] || fail "tmpfiles: /$d is $(stat -c "%u %a" "$ROOT/$d"), want $uid 750"
  done
  echo "tmpfiles OK: /var/lib/loadd /var/lib/loadd/runs (loadd, 0750)"

  mount -t tmpfs tmpfs /run/systemd
  mount -t tmpfs tmpfs /usr/local/bin
  install -m 0755 "$BIN" /usr/local/bin/loadd
  mount --bind "$ROOT/etc/passwd" /etc/passwd
  mount --bind "$ROOT/etc/group" /etc/group

  out=$(systemd-analyze verify --man=no "$UNITS/loadd.service" "$UNITS/loadd.socket" 2>&1); rc=$?
  [ $rc -eq 0 ] && [ -z "$out" ] || fail "systemd-analyze verify (rc=$rc)" "$out"
  echo "verify OK: loadd.service loadd.socket"

  out=$(systemd-analyze security --offline=true --threshold="$THRESHOLD" --no-pager "$UNITS/loadd.service" 2>&1); rc=$?
  summary=$(printf "%s\n" "$out" | tail -n 1)
  [ $rc -eq 0 ] || fail "security above threshold $THRESHOLD/100: $summary" "$(printf "%s\n" "$out" | grep "✗")"
  echo "security OK (threshold $THRESHOLD/100): $summary"
' verify-units "$BIN" "$UNITS" "$THRESHOLD" "$SCRATCH"
