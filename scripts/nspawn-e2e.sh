#!/bin/bash
# End-to-end test of loadd as users run it: installed with `make install` into a Debian bookworm
# system booted with a real systemd (systemd-nspawn), then driven with systemctl, loadctl and journalctl.
#
# usage: scripts/nspawn-e2e.sh RELEASE_BIN_DIR
#   RELEASE_BIN_DIR  holds loadd and loadctl built with `swift build -c release --static-swift-stdlib`
#                    (the container has no Swift runtime; libcurl4, libsystemd0, libstdc++6 come from Debian)
# environment:
#   LOADD_E2E_ROOTFS   cached pristine rootfs (default /var/cache/loadd-test/rootfs); made once with
#                      debootstrap from the mirror in /etc/apt/sources.list.d/debian.sources, reused after
#   LOADD_E2E_TIMEOUT  overall limit in seconds (default 240); every wait has its own, capped by what is left
#   LOADD_E2E_MIRROR   Debian mirror for debootstrap (default: the one apt uses here)
#
# Steps (each prints PASS or FAIL): boot; `systemctl enable --now loadd`; LimitNOFILE as configured in
# loadd.service; `loadctl status` on /run/loadd/loadd.sock as root inside; the built-in target on a free
# 127.0.0.1 port (host side; the container shares the host's network namespace, so loopback is common);
# `loadctl start SCENARIO --wait` (~3 s); `journalctl -u loadd -o json` has that LOADD_RUN_ID;
# `systemctl reload loadd`; `systemctl stop loadd` -> inactive; `systemctl start loadd` -> the run store
# still lists the run; `systemctl restart loadd` mid-run -> the run resumes under its id and passes; poweroff.
#
# The cached rootfs is never modified: the test system is an overlay (upper layer on a tmpfs) over it.
# Everything mounted lives in a private mount namespace (this script re-executes itself under
# `unshare --mount`), so the host's mounts are untouched and vanish with the namespace. On exit, on
# failure and on SIGINT/SIGTERM the container and the target are stopped by pid and the work folder is
# removed.
#
# Exit status: 0 all steps passed; 1 a step failed; 2 bad usage. Prints "SKIP: reason" and exits 0 only
# when not root or when systemd-nspawn or debootstrap is missing (`make test-deps` installs them).
set -euo pipefail

usage() { echo "usage: $0 RELEASE_BIN_DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
REPO=$(cd "$(dirname "$0")/.." && pwd)
SELF="$REPO/scripts/$(basename "$0")"
BIN=$(realpath "$1")
for b in loadd loadctl; do
  [ -x "$BIN/$b" ] || { echo "$0: $BIN/$b is not an executable file" >&2; exit 2; }
done

# shellcheck source=scripts/lib-nspawn.sh
. "$REPO/scripts/lib-nspawn.sh"
e2e_require make
e2e_private_mounts "$@"

START=$SECONDS
LIMIT=${LOADD_E2E_TIMEOUT:-240}
FAILED=0
TARGET="" WORK="" E2E_NSPAWN="" CPID=""

diagnostics() {
  [ -n "$CPID" ] && kill -0 "$CPID" 2>/dev/null || return 0
  echo "--- diagnostics: systemctl status loadd loadd.socket"
  timeout 10 nsenter -t "$CPID" -a -- systemctl --no-pager --full status loadd.service loadd.socket 2>&1 | sed 's/^/    /' || true
  echo "--- diagnostics: journalctl -u loadd (last 40 lines)"
  timeout 10 nsenter -t "$CPID" -a -- journalctl --no-pager -u loadd.service -u loadd.socket -n 40 2>&1 | sed 's/^/    /' || true
  echo "--- diagnostics: failed units"
  timeout 10 nsenter -t "$CPID" -a -- systemctl --no-pager --failed 2>&1 | sed 's/^/    /' || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  exec 1>&7 2>&8
  [ -n "$TARGET" ] && stop_pid "$TARGET" 5
  # SIGTERM to systemd-nspawn makes the container's systemd shut down cleanly; SIGKILL after 20 s.
  [ -n "$E2E_NSPAWN" ] && stop_pid "$E2E_NSPAWN" 20
  if [ -n "$WORK" ]; then
    if [ "$FAILED" -ne 0 ] && [ -s "$WORK/console.log" ]; then
      echo "--- container console (last 30 lines)"; tail -n 30 "$WORK/console.log" | sed 's/^/    /'
    fi
    e2e_unmount "$WORK"
    rm -rf "$WORK"
  fi
  if [ "$FAILED" -ne 0 ] || [ "$rc" -ne 0 ]; then
    say "nspawn-e2e: FAIL"; exit 1
  fi
  say "nspawn-e2e: all steps passed"
  exit 0
}
e2e_traps

# A command in the container (all its namespaces), never longer than what is left of the overall limit.
IN() { timeout --kill-after=5 "$(lim 60)" nsenter -t "$CPID" -a -- "$@"; }

# --- 1. The cached rootfs (shared with deb-e2e.sh and deb-fleet-e2e.sh): debootstrap once, then reuse. ---
e2e_rootfs

# --- 2. The test system: an overlay over the cached rootfs, loadd installed by `make install`. ---------
WORK=$(mktemp -d /tmp/loadd-nspawn-e2e.XXXXXX)
e2e_overlay "$WORK"
ROOT=$WORK/root

# `-o build`: use the prebuilt binaries given (BIN=) instead of building; SWIFT=false makes any attempt
# to build fail loudly rather than start a long build.
if out=$(make -C "$REPO" --no-print-directory install-files DESTDIR="$ROOT" BIN="$BIN" SWIFT=false 2>&1); then
  pass "make install DESTDIR=<rootfs overlay>"
else
  fail "make install DESTDIR=<rootfs overlay>" "$out"
fi
for f in usr/local/bin/loadd usr/local/bin/loadctl etc/systemd/system/loadd.service etc/systemd/system/loadd.socket \
         usr/lib/sysusers.d/loadd.conf usr/lib/tmpfiles.d/loadd.conf etc/loadd/loadd.yaml; do
  [ -e "$ROOT/$f" ] || fail "make install: /$f missing"
done
echo loadd-e2e >"$ROOT/etc/hostname"

# --- 3. Boot. -------------------------------------------------------------------------------------------
# The host's network namespace is shared (no --private-network): 127.0.0.1 is the same inside and out.
e2e_boot "$WORK"
CPID=$E2E_SYSTEMD
[ -n "$CPID" ] || fail "boot: no systemd in the container" "$(tail -n 20 "$WORK/console.log")"
state=$(e2e_wait_booted "$CPID")
case "$state" in
  running) pass "boot: systemd is PID 1 of the container (host pid $CPID), system running" ;;
  degraded) pass "boot: system degraded (not loadd's doing: $(IN systemctl --no-pager --plain --no-legend --failed | awk '{print $1}' | xargs))" ;;
  *) fail "boot: is-system-running says '$state'" ;;
esac

# sysusers.d and tmpfiles.d ran at boot, as on a machine installed before a reboot.
out=$(IN getent passwd loadd 2>&1) && pass "sysusers: $out" || fail "sysusers: no user loadd" "$out"

# --- 4. systemctl enable --now loadd ----------------------------------------------------------------------
out=$(IN timeout "$(lim 40)" systemctl enable --now loadd 2>&1) || fail "systemctl enable --now loadd" "$out"
svc=$(IN systemctl is-active loadd.service 2>&1 || true)
sock=$(IN systemctl is-active loadd.socket 2>&1 || true)
enabled=$(IN systemctl is-enabled loadd.service loadd.socket 2>&1 | xargs || true)
[ "$svc" = active ] && [ "$sock" = active ] && [ "$enabled" = "enabled enabled" ] \
  || fail "systemctl enable --now loadd: service $svc, socket $sock, enabled: $enabled" "$out"
user=$(IN ps -o user= -p "$(IN systemctl show -p MainPID --value loadd)" 2>&1 || true)
[ "$user" = loadd ] || fail "loadd runs as '$user', want loadd"
pass "systemctl enable --now loadd: service and socket active and enabled, running as user loadd"

# --- 5. LimitNOFILE as configured in the unit -------------------------------------------------------------
want=$(sed -n 's/^LimitNOFILE=//p' "$ROOT/etc/systemd/system/loadd.service" | tail -n 1)
got=$(IN systemctl show -p LimitNOFILE --value loadd 2>&1 || true)
[ -n "$want" ] || fail "loadd.service sets no LimitNOFILE="
[ "$got" = "${want##*:}" ] || fail "systemctl show -p LimitNOFILE loadd: '$got', want '${want##*:}' (LimitNOFILE=$want)"
pass "systemctl show -p LimitNOFILE loadd: $got"

# --- 6. loadctl status through /run/loadd/loadd.sock ----------------------------------------------------
[ -S "/proc/$CPID/root/run/loadd/loadd.sock" ] || fail "/run/loadd/loadd.sock is not a socket"
out=$(IN timeout "$(lim 15)" loadctl status 2>&1) || fail "loadctl status (root, /run/loadd/loadd.sock)" "$out"
pass "loadctl status: $(printf '%s\n' "$out" | head -n 1)"

# --- 7. The built-in target on a free loopback port (host side) ---------------------------------------
PORT=""
for _ in $(seq 20); do
  # Below the kernel's ephemeral range (32768…): an outbound connection may hold a port there, which
  # the probe cannot see, and the target's bind would then fail with "already in use".
  candidate=$((20000 + RANDOM % 12000))
  (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null || { PORT=$candidate; break; }
done
[ -n "$PORT" ] || fail "target: no free port"
setpriv --pdeathsig TERM -- "$BIN/loadctl" target --listen "127.0.0.1:$PORT" </dev/null >"$WORK/target.log" 2>&1 &
TARGET=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$TARGET" 2>/dev/null || break
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || fail "target: not listening on 127.0.0.1:$PORT" "$(cat "$WORK/target.log")"
pass "target: loadctl target --listen 127.0.0.1:$PORT"

# --- 8. loadctl start SCENARIO --wait -------------------------------------------------------------------------
cat >"$ROOT/root/e2e.yaml" <<EOF
name: nspawn-e2e
host: http://127.0.0.1:$PORT
users: 4
spawn_rate: 40
duration: 3s
wait: { constant: 10ms }
tasks:
  - { weight: 3, request: GET /Test/V1 }
  - { weight: 1, request: GET /Test/V3 }
thresholds: [ "failures == 0" ]
EOF
rc=0
IN timeout "$(lim 60)" loadctl start /root/e2e.yaml --wait >"$WORK/start.out" 2>"$WORK/start.err" || rc=$?
RUN_ID=$(sed -n 's/^loadctl: run \([^ ]*\) started.*/\1/p' "$WORK/start.err" | head -n 1)
[ "$rc" -eq 0 ] && [ -n "$RUN_ID" ] \
  || fail "loadctl start /root/e2e.yaml --wait: exit $rc, run id '${RUN_ID}'" "$(cat "$WORK/start.err" "$WORK/start.out")"
pass "loadctl start /root/e2e.yaml --wait: run $RUN_ID passed"
printf '%s\n' "$(cat "$WORK/start.out")" | sed 's/^/    /'

# --- 9. journalctl -u loadd -o json has LOADD_RUN_ID of that run ----------------------------------------
IN timeout "$(lim 10)" journalctl --sync >/dev/null 2>&1 || true
IN timeout "$(lim 20)" journalctl --no-pager -u loadd.service -o json >"$WORK/journal.json" 2>"$WORK/journal.err" \
  || fail "journalctl -u loadd -o json" "$(cat "$WORK/journal.err")"
n=$(grep -c "\"LOADD_RUN_ID\":\"$RUN_ID\"" "$WORK/journal.json" || true)
[ "$n" -gt 0 ] || fail "journalctl -u loadd -o json: no entry with LOADD_RUN_ID=$RUN_ID" \
  "$(grep -o '"MESSAGE":"[^"]*"' "$WORK/journal.json" | tail -n 20)"
for field in LOADD_NODE LOADD_ROLE PRIORITY; do
  grep "\"LOADD_RUN_ID\":\"$RUN_ID\"" "$WORK/journal.json" | grep -q "\"$field\":" \
    || fail "journalctl -u loadd -o json: the run's entries lack $field"
done
pass "journalctl -u loadd -o json: $n entries with LOADD_RUN_ID=$RUN_ID (and LOADD_NODE, LOADD_ROLE, PRIORITY)"

# --- 10. systemctl reload loadd: the edited config takes effect without a restart ----------------------
pid_before=$(IN systemctl show -p MainPID --value loadd)
printf '\n# set by nspawn-e2e.sh\nnode: e2e-reloaded\n' >>"$ROOT/etc/loadd/loadd.yaml"
out=$(IN timeout "$(lim 30)" systemctl reload loadd 2>&1) || fail "systemctl reload loadd" "$out"
pid_after=$(IN systemctl show -p MainPID --value loadd)
svc=$(IN systemctl is-active loadd 2>&1 || true)
[ "$svc" = active ] && [ "$pid_before" = "$pid_after" ] \
  || fail "systemctl reload loadd: now $svc, main pid $pid_before -> $pid_after"
# SIGHUP is handled asynchronously: poll for the new node name.
for _ in $(seq 50); do
  out=$(IN timeout "$(lim 15)" loadctl status 2>&1) || fail "loadctl status after reload" "$out"
  case "$out" in "node e2e-reloaded "*) break ;; esac
  sleep 0.1
done
case "$out" in "node e2e-reloaded "*) ;; *) fail "systemctl reload loadd: node name unchanged after editing loadd.yaml" "$out" ;; esac
pass "systemctl reload loadd: same main pid $pid_after, the edited node name (e2e-reloaded) is in effect"

# --- 11. systemctl stop loadd -> inactive --------------------------------------------------------------------
out=$(IN timeout "$(lim 40)" systemctl stop loadd 2>&1) || fail "systemctl stop loadd" "$out"
props=$(IN systemctl show -p ActiveState -p Result -p ExecMainStatus loadd.service | sort | xargs)
[ "$props" = "ActiveState=inactive ExecMainStatus=0 Result=success" ] || fail "systemctl stop loadd: $props"
pass "systemctl stop loadd: $props"

# --- 12. systemctl start loadd: the run store still has the run -------------------------------------------
out=$(IN timeout "$(lim 40)" systemctl start loadd 2>&1) || fail "systemctl start loadd (again)" "$out"
[ "$(IN systemctl is-active loadd 2>&1 || true)" = active ] || fail "systemctl start loadd: not active"
out=$(IN timeout "$(lim 15)" loadctl runs 2>&1) || fail "loadctl runs" "$out"
printf '%s\n' "$out" | grep -q "^$RUN_ID " || fail "loadctl runs after restart does not list $RUN_ID" "$out"
out=$(IN timeout "$(lim 15)" loadctl report "$RUN_ID" --json 2>&1) || fail "loadctl report $RUN_ID --json" "$out"
pass "systemctl start loadd: loadctl runs lists $RUN_ID ($(printf '%s\n' "$(IN loadctl runs)" | awk -v id="$RUN_ID" '$1 == id {print $2}')), its report loads"

# --- 12b. systemctl restart loadd mid-run: the run goes on under its id (resume_within, default 60s) ----
cat >"$ROOT/root/resume.yaml" <<EOF
name: nspawn-resume
host: http://127.0.0.1:$PORT
users: 2
spawn_rate: 20
duration: 10s
wait: { constant: 20ms }
tasks:
  - { request: GET /Test/V1 }
thresholds: [ "failures == 0" ]
EOF
IN timeout "$(lim 30)" loadctl start /root/resume.yaml >"$WORK/resume.out" 2>"$WORK/resume.err" \
  || fail "loadctl start /root/resume.yaml" "$(cat "$WORK/resume.err" "$WORK/resume.out")"
RESUME_ID=$(head -n 1 "$WORK/resume.out")   # without --wait, start prints the run id alone
[ -n "$RESUME_ID" ] || fail "loadctl start /root/resume.yaml: no run id" "$(cat "$WORK/resume.err" "$WORK/resume.out")"
# The daemon saves the run for resuming once a second: wait for its first save.
for _ in $(seq 100); do [ -s "$ROOT/var/lib/loadd/runs/$RESUME_ID/resume.json" ] && break; sleep 0.1; done
[ -s "$ROOT/var/lib/loadd/runs/$RESUME_ID/resume.json" ] || fail "run $RESUME_ID: no resume record after 10 s"
out=$(IN timeout "$(lim 40)" systemctl restart loadd 2>&1) || fail "systemctl restart loadd mid-run" "$out"
for _ in $(seq 100); do
  out=$(IN timeout "$(lim 15)" loadctl status 2>&1 || true)
  case "$out" in *"run $RESUME_ID: running"*"resumed after 1 restart"*) break ;; esac
  sleep 0.1
done
case "$out" in
  *"run $RESUME_ID: running"*"resumed after 1 restart"*) ;;
  *) fail "systemctl restart loadd: run $RESUME_ID not resumed" "$out" ;;
esac
pass "systemctl restart loadd mid-run: run $RESUME_ID resumed ($(printf '%s\n' "$out" | grep -m1 '^resumed after'))"
state=""
for _ in $(seq 300); do
  state=$(IN timeout "$(lim 15)" loadctl runs 2>/dev/null | awk -v id="$RESUME_ID" '$1 == id {print $2}')
  case "$state" in running|stopping|"") sleep 0.1 ;; *) break ;; esac
done
[ "$state" = passed ] || fail "run $RESUME_ID after the restart: '$state', want passed" "$(IN loadctl report "$RESUME_ID" 2>&1 | tail -n 20)"
out=$(IN timeout "$(lim 15)" loadctl report "$RESUME_ID" --json 2>&1) || fail "loadctl report $RESUME_ID --json" "$out"
printf '%s' "$out" | grep -q '"resumes"' || fail "loadctl report $RESUME_ID --json: no resumes entry" "$(printf '%s' "$out" | head -c 400)"
pass "run $RESUME_ID ended passed under its id after the restart, its report lists the resume"

# --- 13. Power off ---------------------------------------------------------------------------------------------
IN systemctl poweroff --no-block >/dev/null 2>&1 || true
for _ in $(seq 300); do kill -0 "$E2E_NSPAWN" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$E2E_NSPAWN" 2>/dev/null; then
  fail "poweroff: the container still runs after 30 s"
fi
rc=0; wait "$E2E_NSPAWN" || rc=$?
E2E_NSPAWN=""
[ "$rc" -eq 0 ] || fail "poweroff: systemd-nspawn exited $rc" "$(tail -n 20 "$WORK/console.log")"
pass "poweroff: container shut down cleanly"
