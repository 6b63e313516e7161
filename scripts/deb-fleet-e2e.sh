#!/bin/bash
# A two-VM fleet from the Debian package: two Debian bookworm containers (systemd-nspawn, no Swift), each
# in its own network namespace on 10.200.1.0/24, each configured the way examples/cloud-init/ configures a
# VM — the write_files of master.yaml or worker.yaml written as given (token and master address filled
# in), then their runcmd run (the .deb copied in where runcmd would have downloaded it). Then, from this
# host as the client: `loadctl workers` on the master lists the worker, and `loadctl start` of a scenario
# whose data: CSV exists only here (not in either container) runs on the worker, whose built-in target
# counts exactly the CSV's rows' paths.
#
# usage: scripts/deb-fleet-e2e.sh PACKAGE.deb
# environment: LOADD_E2E_ROOTFS, LOADD_E2E_TIMEOUT (default 180), LOADD_E2E_MIRROR — as scripts/deb-e2e.sh,
#   whose cached pristine rootfs this script shares (made by the first of them to run).
#
# Network rule: the host routes private ranges to a gateway that accepts any connect, so before making
# the namespaces this adds `unreachable 10.200.0.0/16` in the host namespace (removed after, if it added
# it). The containers have their own namespaces; the host reaches the master only through its control
# socket (/proc/PID/root/run/loadd/loadd.sock), never over the network.
# Exit status: 0 all steps passed; 1 a step failed; 2 bad usage. Prints "SKIP: reason" and exits 0 only
# when not root or systemd-nspawn, debootstrap, dpkg-deb, python3 (with yaml) or ip is missing.
set -euo pipefail

usage() { echo "usage: $0 PACKAGE.deb" >&2; exit 2; }
[ $# -eq 1 ] || usage
REPO=$(cd "$(dirname "$0")/.." && pwd)
SELF="$REPO/scripts/$(basename "$0")"
DEB=$(realpath "$1")
[ -f "$DEB" ] || { echo "$0: $DEB is not a file" >&2; exit 2; }

# shellcheck source=scripts/lib-nspawn.sh
. "$REPO/scripts/lib-nspawn.sh"
[ "$(id -u)" -eq 0 ] || e2e_skip "needs root (network namespaces, mount namespace, systemd-nspawn)"
command -v dpkg-deb >/dev/null || e2e_skip "dpkg-deb not installed"
command -v ip >/dev/null || e2e_skip "ip not installed (apt-get install iproute2)"
python3 -c 'import yaml' 2>/dev/null || e2e_skip "python3 with yaml not installed (apt-get install python3-yaml)"
e2e_require
[ "$(dpkg-deb -f "$DEB" Package)" = loadd ] || { echo "$0: $DEB is not the loadd package" >&2; exit 2; }
e2e_private_mounts "$@"

START=$SECONDS
LIMIT=${LOADD_E2E_TIMEOUT:-180}
GUARD=10.200.0.0/16
MASTER_NS=loadd-debm WORKER_NS=loadd-debw
MASTER_IP=10.200.1.1 WORKER_IP=10.200.1.2
FAILED=0 ADDED_ROUTE=0
WORK="" M_NSPAWN="" W_NSPAWN="" MPID="" WPID=""

diagnostics() {
  local name pid
  for name in master worker; do
    pid=$([ "$name" = master ] && echo "$MPID" || echo "$WPID")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
    echo "--- diagnostics ($name): journalctl -u loadd (last 30 lines)"
    timeout 10 nsenter -t "$pid" -a -- journalctl --no-pager -u loadd.service -n 30 2>&1 | sed 's/^/    /' || true
  done
}

cleanup() {
  local rc=$? ns
  trap - EXIT INT TERM
  exec 1>&7 2>&8
  [ -n "$M_NSPAWN" ] && stop_pid "$M_NSPAWN" 15
  [ -n "$W_NSPAWN" ] && stop_pid "$W_NSPAWN" 15
  for ns in "$MASTER_NS" "$WORKER_NS"; do
    ip netns list | grep -qw "^$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  [ "$ADDED_ROUTE" -eq 1 ] && ip route del unreachable "$GUARD" 2>/dev/null || true
  if [ -n "$WORK" ]; then
    for node in master worker; do e2e_unmount "$WORK/$node"; done
    rm -rf "$WORK"
  fi
  if [ "$FAILED" -ne 0 ] || [ "$rc" -ne 0 ]; then
    say "deb-fleet-e2e: FAIL"; exit 1
  fi
  say "deb-fleet-e2e: all steps passed"
  exit 0
}
e2e_traps

IN() { local pid=$1; shift; timeout --kill-after=5 "$(lim 60)" nsenter -t "$pid" -a -- \
  env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# --- 1. The cached rootfs (shared with deb-e2e.sh and nspawn-e2e.sh): debootstrap once, then reuse. -----
e2e_rootfs

# --- 2. Two hosts: a network namespace each, joined by a veth pair; the host namespace guarded. ----------
if ! ip route show type unreachable | grep -q "^unreachable $GUARD"; then
  ip route add unreachable "$GUARD"
  ADDED_ROUTE=1
fi
for ns in "$MASTER_NS" "$WORKER_NS"; do
  ip netns list | grep -qw "^$ns" && ip netns del "$ns"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
# Both ends made inside the namespaces: the host never holds an interface of the test network.
ip -n "$MASTER_NS" link add eth0 type veth peer name eth0 netns "$WORKER_NS"
ip -n "$MASTER_NS" addr add "$MASTER_IP/24" dev eth0
ip -n "$WORKER_NS" addr add "$WORKER_IP/24" dev eth0
ip -n "$MASTER_NS" link set eth0 up
ip -n "$WORKER_NS" link set eth0 up
pass "network: $MASTER_NS $MASTER_IP <-> $WORKER_NS $WORKER_IP; host guarded by unreachable $GUARD"

# --- 3. Two systems: overlays over the rootfs, each given its cloud-init user-data's files. -----------------
WORK=$(mktemp -d /tmp/loadd-deb-fleet.XXXXXX)
TOKEN=$(head -c 32 /dev/urandom | base64 -w0)
for node in master worker; do
  e2e_overlay "$WORK/$node"
  root=$WORK/$node/root
  echo "loadd-$node" >"$root/etc/hostname"
  # Where runcmd's first step would have downloaded it.
  cp "$DEB" "$root/root/loadd.deb"
  # write_files as cloud-init writes them (path, content, permissions, owner), placeholders filled in; runcmd
  # to a file, one shell-quoted command a line, without the download and checksum steps.
  out=$(python3 - "$REPO/examples/cloud-init/$node.yaml" "$root" "$TOKEN" "$MASTER_IP" "$WORK/$node/runcmd" <<'PY'
import os, shlex, sys, yaml
source, root, token, master, runcmd = sys.argv[1:]
data = yaml.safe_load(open(source))
for entry in data["write_files"]:
    path = root + entry["path"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    content = entry["content"].replace("CHANGE-ME", token).replace("MASTER_ADDRESS", master)
    with open(path, "w") as f:
        f.write(content)
    os.chmod(path, int(entry.get("permissions", "0644"), 8))
    owner, group = entry.get("owner", "root:root").split(":")
    if owner != "root" or group != "root":
        sys.exit(f"{entry['path']}: owner {owner}:{group} needs a user the rootfs has not got yet")
    print(entry["path"], oct(os.stat(path).st_mode & 0o777))
with open(runcmd, "w") as f:
    for command in data["runcmd"]:
        line = " ".join(shlex.quote(part) for part in command)
        if "LOADD_DEB_URL" in line or "LOADD_DEB_SHA256" in line:
            continue
        f.write(line + "\n")
PY
  ) || fail "write_files of examples/cloud-init/$node.yaml" "$out"
  grep -q "CHANGE-ME\|MASTER_ADDRESS" "$root/etc/loadd/loadd.yaml" "$root/etc/loadd/token" \
    && fail "$node: a placeholder is left in /etc/loadd"
  say "$node: wrote $(echo "$out" | xargs) from examples/cloud-init/$node.yaml"
done
grep -q "^master: $MASTER_IP:7557$" "$WORK/worker/root/etc/loadd/loadd.yaml" \
  || fail "worker: loadd.yaml has no 'master: $MASTER_IP:7557'" "$(cat "$WORK/worker/root/etc/loadd/loadd.yaml")"
! grep -q "^ *tls_\|^ *insecure_plaintext" "$WORK/master/root/etc/loadd/loadd.yaml" "$WORK/worker/root/etc/loadd/loadd.yaml" \
  || fail "the cloud-init configs set TLS keys; the fleet must be encrypted with none"
pass "write_files: loadd.yaml and the token from examples/cloud-init/{master,worker}.yaml, no TLS setup in either"

# --- 4. Boot both, each in its network namespace. ------------------------------------------------------------
e2e_boot "$WORK/master" -M loadd-master --network-namespace-path="/run/netns/$MASTER_NS"
M_NSPAWN=$E2E_NSPAWN MPID=$E2E_SYSTEMD
e2e_boot "$WORK/worker" -M loadd-worker --network-namespace-path="/run/netns/$WORKER_NS"
W_NSPAWN=$E2E_NSPAWN WPID=$E2E_SYSTEMD
[ -n "$MPID" ] && [ -n "$WPID" ] || fail "boot: no systemd in a container" "$(tail -n 20 "$WORK"/*/console.log)"
for pid in "$MPID" "$WPID"; do
  state=$(e2e_wait_booted "$pid")
  case "$state" in running|degraded) ;; *) fail "boot: is-system-running in pid $pid says '$state'" ;; esac
done
pass "boot: master (pid $MPID) and worker (pid $WPID) are up"

# --- 5. runcmd: install the package (keeping the written loadd.yaml), hand the token to loadd, start. ---------
for node in master worker; do
  pid=$([ "$node" = master ] && echo "$MPID" || echo "$WPID")
  while IFS= read -r command; do
    out=$(IN "$pid" sh -ec "$command" 2>&1) || fail "$node runcmd: $command" "$out"
  done <"$WORK/$node/runcmd"
  [ "$(IN "$pid" systemctl is-active loadd.service 2>&1 || true)" = active ] || fail "$node: loadd is not active"
done
pass "runcmd: package installed, token chgrp loadd, loadd enabled and restarted on both"

MSOCK=/proc/$MPID/root/run/loadd/loadd.sock
# The client is this host: loadctl from the package itself, talking to the master's socket.
dpkg-deb -x "$DEB" "$WORK/client-pkg"
LOADCTL() { LOADD_SOCKET=$MSOCK timeout "$(lim 60)" "$WORK/client-pkg/usr/bin/loadctl" "$@"; }

# --- 6. The worker joins, over TLS that nobody set up. ---------------------------------------------------------
for _ in $(seq 150); do
  out=$(LOADCTL workers 2>&1 || true)
  printf '%s\n' "$out" | grep -q "loadd-worker" && break
  sleep 0.2
done
printf '%s\n' "$out" | grep -q "loadd-worker" || fail "loadctl workers on the master does not list loadd-worker" "$out"
printf '%s\n' "$out" | grep -q "$WORKER_IP" || fail "loadctl workers: the worker's address is not $WORKER_IP" "$out"
journal=$(IN "$MPID" journalctl --no-pager -u loadd.service 2>&1 || true)
printf '%s\n' "$journal" | grep -q "made this master's TLS key and self-signed certificate" \
  || fail "master: no 'made this master's TLS key' in the journal (is the fleet encrypted?)" "$(printf '%s\n' "$journal" | tail -n 20)"
pass "loadctl workers (on the master, from the host): $(printf '%s\n' "$out" | grep loadd-worker | xargs)"

# --- 7. A target inside the worker's system, on its own loopback. ----------------------------------------------
out=$(IN "$WPID" systemd-run --unit=fleet-target --quiet /usr/bin/loadctl target --listen 127.0.0.1:8080 2>&1) \
  || fail "target: systemd-run loadctl target in the worker" "$out"
for _ in $(seq 100); do IN "$WPID" curl -fsS -o /dev/null http://127.0.0.1:8080/stats 2>/dev/null && break; sleep 0.1; done
IN "$WPID" curl -fsS -o /dev/null http://127.0.0.1:8080/stats || fail "target: not answering in the worker"
pass "target: loadctl target on 127.0.0.1:8080 inside the worker"

# --- 8. A run whose CSV exists only on this host: its rows are what the worker requests. -------------------------
CLIENT=$WORK/client
mkdir -p "$CLIENT"
printf 'version\nV2\nV3\nV4\n' >"$CLIENT/rows.csv"
cat >"$CLIENT/fleet.yaml" <<YAML
name: deb-fleet-e2e
host: http://127.0.0.1:8080
users: 3
spawn_rate: 30
duration: 3s
wait: { constant: 20ms }
data: { csv: rows.csv }
tasks:
  - { request: "GET /Test/{{data.version}}" }
thresholds: [ "failures == 0" ]
YAML
for root in "$WORK/master/root" "$WORK/worker/root"; do
  [ -z "$(find "$root/" -xdev -name rows.csv 2>/dev/null | head -n 1)" ] || fail "rows.csv exists inside a container"
done
rc=0
LOADCTL start "$CLIENT/fleet.yaml" --wait >"$WORK/start.out" 2>"$WORK/start.err" || rc=$?
[ "$rc" -eq 0 ] || fail "loadctl start fleet.yaml --wait (on the master): exit $rc" "$(cat "$WORK/start.err" "$WORK/start.out")"
stats=$(IN "$WPID" curl -fsS http://127.0.0.1:8080/stats 2>&1) || fail "target: GET /stats" "$stats"
check=$(python3 -c '
import json, sys
stats = json.loads(sys.argv[1])
paths = stats["by_path"]
problems = [f"{p} got no request" for p in ("/Test/V2", "/Test/V3", "/Test/V4") if paths.get(p, 0) == 0]
problems += [f"{p} got {paths[p]} requests, but no CSV row names it" for p in paths
             if p not in ("/Test/V2", "/Test/V3", "/Test/V4") and paths[p] != 0]
unmatched = stats["unmatched"]
if unmatched: problems.append(f"{unmatched} requests to paths the target does not serve")
print("; ".join(problems))' "$stats") || fail "target stats are not JSON" "$stats"
[ -z "$check" ] || fail "the worker did not request exactly the CSV's rows: $check" "$stats"
pass "loadctl start (client on the host, CSV only there): passed; the worker's target saw exactly /Test/V2, V3, V4: $stats"

# --- 9. Power off. ----------------------------------------------------------------------------------------------
for pid in "$MPID" "$WPID"; do IN "$pid" systemctl poweroff --no-block >/dev/null 2>&1 || true; done
for _ in $(seq 300); do
  kill -0 "$M_NSPAWN" 2>/dev/null || kill -0 "$W_NSPAWN" 2>/dev/null || break
  sleep 0.1
done
pass "poweroff: both containers stopping"
