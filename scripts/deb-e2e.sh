#!/bin/bash
# End-to-end test of the Debian package: loadd_VERSION_amd64.deb installed with `dpkg -i` into a Debian
# bookworm system booted with a real systemd (systemd-nspawn). The container has no Swift: a working
# daemon proves the package carries its runtime.
#
# usage: scripts/deb-e2e.sh PACKAGE.deb
# environment: LOADD_E2E_ROOTFS, LOADD_E2E_TIMEOUT (default 240), LOADD_E2E_MIRROR — as scripts/nspawn-e2e.sh,
#   whose cached pristine rootfs (same package list) this script shares.
#
# Steps (each prints PASS or FAIL): boot; `dpkg -i` (dependencies already in the rootfs, no network); the
# binaries load no Swift library and find every library they need; user loadd, socket and service
# enabled; `systemctl start loadd`; `loadctl version` = the package's version on both sides; man pages
# and completions in place; the built-in target inside the container (`systemd-run loadctl target` on
# 127.0.0.1); `loadctl start --wait` passes; `systemctl restart loadd` keeps the run; the same package
# installed again (the upgrade path) restarts loadd with the edited conffile kept and the run kept;
# `apt-get remove loadd` stops the units and keeps /var/lib/loadd and /etc/loadd; `apt-get purge loadd`
# removes them; poweroff.
#
# As in nspawn-e2e.sh, the cached rootfs is never modified (an overlay on a tmpfs), everything mounted
# lives in a private mount namespace, and on exit or SIGINT/SIGTERM the container is stopped by pid.
# Exit status: 0 all steps passed; 1 a step failed; 2 bad usage. Prints "SKIP: reason" and exits 0 only
# when not root or systemd-nspawn, debootstrap or dpkg-deb is missing.
set -euo pipefail

usage() { echo "usage: $0 PACKAGE.deb" >&2; exit 2; }
[ $# -eq 1 ] || usage
REPO=$(cd "$(dirname "$0")/.." && pwd)
SELF="$REPO/scripts/$(basename "$0")"
DEB=$(realpath "$1")
[ -f "$DEB" ] || { echo "$0: $DEB is not a file" >&2; exit 2; }

# shellcheck source=scripts/lib-nspawn.sh
. "$REPO/scripts/lib-nspawn.sh"
command -v dpkg-deb >/dev/null || e2e_skip "dpkg-deb not installed"
e2e_require
VERSION=$(dpkg-deb -f "$DEB" Version)
[ "$(dpkg-deb -f "$DEB" Package)" = loadd ] || { echo "$0: $DEB is not the loadd package" >&2; exit 2; }
e2e_private_mounts "$@"

START=$SECONDS
LIMIT=${LOADD_E2E_TIMEOUT:-240}
FAILED=0
WORK="" E2E_NSPAWN="" CPID=""

diagnostics() {
  [ -n "$CPID" ] && kill -0 "$CPID" 2>/dev/null || return 0
  echo "--- diagnostics: systemctl status loadd loadd.socket"
  timeout 10 nsenter -t "$CPID" -a -- systemctl --no-pager --full status loadd.service loadd.socket 2>&1 | sed 's/^/    /' || true
  echo "--- diagnostics: journalctl -u loadd (last 40 lines)"
  timeout 10 nsenter -t "$CPID" -a -- journalctl --no-pager -u loadd.service -u loadd.socket -n 40 2>&1 | sed 's/^/    /' || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  exec 1>&7 2>&8
  # The target is a transient unit inside the container: it ends with the container.
  [ -n "$E2E_NSPAWN" ] && stop_pid "$E2E_NSPAWN" 20
  if [ -n "$WORK" ]; then
    if [ "$FAILED" -ne 0 ] && [ -s "$WORK/console.log" ]; then
      echo "--- container console (last 30 lines)"; tail -n 30 "$WORK/console.log" | sed 's/^/    /'
    fi
    e2e_unmount "$WORK"
    rm -rf "$WORK"
  fi
  if [ "$FAILED" -ne 0 ] || [ "$rc" -ne 0 ]; then
    say "deb-e2e: FAIL"; exit 1
  fi
  say "deb-e2e: all steps passed"
  exit 0
}
e2e_traps

IN() { timeout --kill-after=5 "$(lim 60)" nsenter -t "$CPID" -a -- "$@"; }
# apt and dpkg in the container: no prompts, and the container's own PATH.
PKG() { IN env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# --- 1. The cached rootfs (shared with nspawn-e2e.sh): debootstrap once, then reuse. -------------------
e2e_rootfs

# --- 2. The test system: an overlay over the cached rootfs, the package copied in. ---------------------
WORK=$(mktemp -d /tmp/loadd-deb-e2e.XXXXXX)
e2e_overlay "$WORK"
ROOT=$WORK/root
cp "$DEB" "$ROOT/root/loadd.deb"
echo loadd-deb-e2e >"$ROOT/etc/hostname"

# --- 3. Boot (as nspawn-e2e.sh: host network namespace, no machined). -----------------------------------
e2e_boot "$WORK"
CPID=$E2E_SYSTEMD
[ -n "$CPID" ] || fail "boot: no systemd in the container" "$(tail -n 20 "$WORK/console.log")"
state=$(e2e_wait_booted "$CPID")
case "$state" in
  running|degraded) pass "boot: systemd is PID 1 of the container (host pid $CPID), system $state" ;;
  *) fail "boot: is-system-running says '$state'" ;;
esac

# --- 4. dpkg -i ------------------------------------------------------------------------------------------
out=$(PKG dpkg -i /root/loadd.deb 2>&1) || fail "dpkg -i loadd.deb" "$out"
got=$(IN dpkg-query -W -f '${Status} ${Version}' loadd 2>&1 || true)
[ "$got" = "install ok installed $VERSION" ] || fail "dpkg -i: dpkg-query says '$got'" "$out"
pass "dpkg -i loadd.deb: $got"

for b in loadd loadctl; do
  libs=$(IN ldd "/usr/bin/$b" 2>&1) || fail "ldd /usr/bin/$b" "$libs"
  ! printf '%s\n' "$libs" | grep -qE 'not found|swift|/opt/' || fail "ldd /usr/bin/$b: a missing or Swift library" "$libs"
done
pass "ldd: both binaries find all their libraries, none of them Swift's ($(IN ldd /usr/bin/loadd | awk '{print $1}' | xargs))"

out=$(IN getent passwd loadd 2>&1) || fail "postinst: no user loadd" "$out"
[ "$(IN stat -c '%U:%G %a' /var/lib/loadd/runs)" = "loadd:loadd 750" ] || fail "postinst: /var/lib/loadd/runs is $(IN stat -c '%U:%G %a' /var/lib/loadd/runs)"
enabled=$(IN systemctl is-enabled loadd.socket loadd.service 2>&1 | xargs || true)
[ "$enabled" = "enabled enabled" ] || fail "postinst: loadd.socket and loadd.service enabled: '$enabled'"
sock=$(IN systemctl is-active loadd.socket 2>&1 || true)
[ "$sock" = active ] || fail "postinst: loadd.socket is $sock"
pass "postinst: user $out; /var/lib/loadd/runs loadd:loadd 750; socket and service enabled, socket active"

for f in usr/share/man/man8/loadd.8.gz usr/share/man/man1/loadctl.1.gz usr/share/man/man5/loadd.yaml.5.gz \
         usr/share/bash-completion/completions/loadctl usr/share/zsh/vendor-completions/_loadctl \
         usr/share/fish/vendor_completions.d/loadctl.fish usr/share/doc/loadd/copyright \
         usr/share/doc/loadd/changelog.gz lib/systemd/system/loadd.service lib/systemd/system/loadd.socket \
         usr/lib/sysusers.d/loadd.conf usr/lib/tmpfiles.d/loadd.conf etc/loadd/loadd.yaml; do
  [ -s "$ROOT/$f" ] || fail "package: /$f missing or empty"
done
pass "package: man pages, completions, doc, units, sysusers, tmpfiles and /etc/loadd/loadd.yaml in place"

# --- 5. systemctl start loadd --------------------------------------------------------------------------
out=$(IN timeout "$(lim 40)" systemctl start loadd 2>&1) || fail "systemctl start loadd" "$out"
[ "$(IN systemctl is-active loadd.service 2>&1 || true)" = active ] || fail "systemctl start loadd: not active"
user=$(IN ps -o user= -p "$(IN systemctl show -p MainPID --value loadd)" 2>&1 || true)
[ "$user" = loadd ] || fail "loadd runs as '$user', want loadd"
pass "systemctl start loadd: active, running as user loadd"

# --- 6. loadctl version: both sides are the package's version -----------------------------------------
out=$(IN timeout "$(lim 15)" loadctl version 2>&1) || fail "loadctl version" "$out"
[ "$(printf '%s\n' "$out" | head -n 1)" = "loadctl $VERSION" ] \
  && printf '%s\n' "$out" | sed -n 2p | grep -q "^loadd $VERSION (node " || fail "loadctl version: want $VERSION twice" "$out"
pass "loadctl version: $(printf '%s\n' "$out" | xargs)"

# --- 7. The built-in target inside the container, on a free loopback port ------------------------------
PORT=""
for _ in $(seq 20); do
  # Below the kernel's ephemeral range (32768…): an outbound connection may hold a port there, which
  # the probe cannot see, and the target's bind would then fail with "already in use".
  candidate=$((20000 + RANDOM % 12000))
  (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null || { PORT=$candidate; break; }
done
[ -n "$PORT" ] || fail "target: no free port"
out=$(IN systemd-run --unit=e2e-target --quiet /usr/bin/loadctl target --listen "127.0.0.1:$PORT" 2>&1) \
  || fail "target: systemd-run loadctl target" "$out"
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || fail "target: not listening on 127.0.0.1:$PORT" \
  "$(IN journalctl --no-pager -u e2e-target -n 20 2>&1)"
pass "target: loadctl target --listen 127.0.0.1:$PORT in the container"

# --- 8. A short run ------------------------------------------------------------------------------------------
cat >"$ROOT/root/e2e.yaml" <<YAML
name: deb-e2e
host: http://127.0.0.1:$PORT
users: 4
spawn_rate: 40
duration: 3s
wait: { constant: 10ms }
tasks:
  - { weight: 3, request: GET /Test/V1 }
  - { weight: 1, request: GET /Test/V3 }
thresholds: [ "failures == 0" ]
YAML
rc=0
IN timeout "$(lim 60)" loadctl start /root/e2e.yaml --wait >"$WORK/start.out" 2>"$WORK/start.err" || rc=$?
RUN_ID=$(sed -n 's/^loadctl: run \([^ ]*\) started.*/\1/p' "$WORK/start.err" | head -n 1)
[ "$rc" -eq 0 ] && [ -n "$RUN_ID" ] \
  || fail "loadctl start /root/e2e.yaml --wait: exit $rc, run id '${RUN_ID}'" "$(cat "$WORK/start.err" "$WORK/start.out")"
pass "loadctl start /root/e2e.yaml --wait: run $RUN_ID passed"

# listed RUN: loadctl runs lists the run (after a restart: read back from /var/lib/loadd).
listed() {
  local out
  out=$(IN timeout "$(lim 15)" loadctl runs 2>&1) || fail "loadctl runs ($1)" "$out"
  printf '%s\n' "$out" | grep -q "^$RUN_ID " || fail "loadctl runs ($1) does not list $RUN_ID" "$out"
}

# --- 9. systemctl restart loadd keeps the run ----------------------------------------------------------------
pid_before=$(IN systemctl show -p MainPID --value loadd)
out=$(IN timeout "$(lim 40)" systemctl restart loadd 2>&1) || fail "systemctl restart loadd" "$out"
pid_after=$(IN systemctl show -p MainPID --value loadd)
[ "$pid_before" != "$pid_after" ] && [ "$(IN systemctl is-active loadd 2>&1 || true)" = active ] \
  || fail "systemctl restart loadd: main pid $pid_before -> $pid_after"
listed "after systemctl restart"
pass "systemctl restart loadd: new main pid $pid_after, run $RUN_ID still listed"

# --- 10. The upgrade path: the package installed over itself -------------------------------------------------
# An edited conffile must survive (dpkg keeps it silently: the package's version did not change), and
# postinst must restart loadd so the new binary (and here the edited config) is in effect.
printf '\n# set by deb-e2e.sh\nnode: deb-e2e-upgraded\n' >>"$ROOT/etc/loadd/loadd.yaml"
pid_before=$(IN systemctl show -p MainPID --value loadd)
out=$(PKG dpkg -i /root/loadd.deb 2>&1) || fail "dpkg -i loadd.deb (again)" "$out"
pid_after=$(IN systemctl show -p MainPID --value loadd)
[ "$pid_after" != 0 ] && [ "$pid_before" != "$pid_after" ] || fail "upgrade: loadd not restarted (main pid $pid_before -> $pid_after)" "$out"
grep -q '^node: deb-e2e-upgraded$' "$ROOT/etc/loadd/loadd.yaml" || fail "upgrade: the edited /etc/loadd/loadd.yaml was replaced"
for _ in $(seq 50); do
  out=$(IN timeout "$(lim 15)" loadctl status 2>&1) || true
  case "$out" in "node deb-e2e-upgraded "*) break ;; esac
  sleep 0.1
done
case "$out" in "node deb-e2e-upgraded "*) ;; *) fail "upgrade: the restarted loadd does not use the edited config" "$out" ;; esac
listed "after the upgrade"
pass "upgrade (dpkg -i over itself): restarted (pid $pid_before -> $pid_after), edited conffile in effect, run kept"

# --- 11. apt-get remove: stopped, data and config kept -------------------------------------------------------
out=$(PKG apt-get remove -y -q loadd 2>&1) || fail "apt-get remove loadd" "$out"
for unit in loadd.service loadd.socket; do
  st=$(IN systemctl is-active "$unit" 2>&1 || true)
  [ "$st" = inactive ] || fail "apt-get remove: $unit is $st"
done
[ ! -e "$ROOT/usr/bin/loadd" ] && [ ! -e "$ROOT/usr/bin/loadctl" ] || fail "apt-get remove: binaries left in /usr/bin"
[ -d "$ROOT/var/lib/loadd/runs/$RUN_ID" ] || fail "apt-get remove: /var/lib/loadd/runs/$RUN_ID is gone" "$(ls -la "$ROOT/var/lib/loadd/runs" 2>&1)"
[ -f "$ROOT/etc/loadd/loadd.yaml" ] || fail "apt-get remove: /etc/loadd/loadd.yaml is gone"
got=$(IN dpkg-query -W -f '${Status}' loadd 2>&1 || true)
[ "$got" = "deinstall ok config-files" ] || fail "apt-get remove: dpkg-query says '$got'"
pass "apt-get remove loadd: units inactive, binaries gone, /var/lib/loadd/runs/$RUN_ID and /etc/loadd kept ($got)"

# --- 12. apt-get purge: everything of loadd gone (the system user stays, see postrm) ---------------------------
out=$(PKG apt-get purge -y -q loadd 2>&1) || fail "apt-get purge loadd" "$out"
for d in var/lib/loadd etc/loadd run/loadd; do
  [ ! -e "$ROOT/$d" ] || fail "apt-get purge: /$d is still there" "$(ls -la "$ROOT/$d" 2>&1)"
done
left=$(IN find /etc/systemd/system -name 'loadd*' 2>&1 || true)
[ -z "$left" ] || fail "apt-get purge: enablement or mask links left" "$left"
got=$(IN dpkg-query -W -f '${Status}' loadd 2>&1 || true)
case "$got" in ""|"unknown ok not-installed"|*"no packages found"*) ;; *) fail "apt-get purge: dpkg-query says '$got'" ;; esac
pass "apt-get purge loadd: /var/lib/loadd, /etc/loadd, /run/loadd and the unit links removed"

# --- 13. Power off ---------------------------------------------------------------------------------------------
IN systemctl poweroff --no-block >/dev/null 2>&1 || true
for _ in $(seq 300); do kill -0 "$E2E_NSPAWN" 2>/dev/null || break; sleep 0.1; done
kill -0 "$E2E_NSPAWN" 2>/dev/null && fail "poweroff: the container still runs after 30 s"
rc=0; wait "$E2E_NSPAWN" || rc=$?
E2E_NSPAWN=""
[ "$rc" -eq 0 ] || fail "poweroff: systemd-nspawn exited $rc" "$(tail -n 20 "$WORK/console.log")"
pass "poweroff: container shut down cleanly"
