# Sourced, never run, by nspawn-e2e.sh, deb-e2e.sh and deb-fleet-e2e.sh: what each of them needs to boot
# throw-away Debian bookworm systems under systemd-nspawn, written once.
#
# The sourcing script sets START (=$SECONDS), LIMIT (its overall limit in seconds), FAILED=0 and SELF (its own
# path, for the re-exec), defines `diagnostics` (what to print when a step fails) and `cleanup` (its EXIT trap),
# and then uses:
#   e2e_skip REASON…            print "SKIP: …" and exit 0 (a missing tool or not root: the test is skipped)
#   e2e_require TOOL…           skip unless root with systemd-nspawn and debootstrap; FAIL if a basic tool or
#                               one of TOOL… is missing
#   e2e_private_mounts "$@"     re-execute in a private mount namespace (everything mounted dies with it)
#   say / pass / fail / lim     a timed line / a passed step / a failed step (stops the test) / a step's timeout
#                               capped by what is left of LIMIT
#   e2e_traps                   the EXIT trap (`cleanup`) and INT/TERM
#   e2e_rootfs                  the cached pristine rootfs in $ROOTFS, debootstrapped once (E2E_PACKAGES)
#   e2e_overlay DIR             DIR/root: an overlay over the rootfs, its upper layer on a tmpfs at DIR/rw
#   e2e_unmount DIR             undoes e2e_overlay (lazily: a process may still hold it)
#   e2e_boot DIR [ARG…]         boots DIR/root with nspawn (extra nspawn ARGs), console to DIR/console.log;
#                               sets E2E_NSPAWN (the nspawn pid) and E2E_SYSTEMD (the container's PID 1, as
#                               the host sees it; empty if none came up)
#   e2e_wait_booted PID         waits for the boot of the container whose PID 1 is PID to end; prints its
#                               `systemctl is-system-running` state
#   stop_pid PID GRACE          SIGTERM, up to GRACE seconds, then SIGKILL, then reap

# The rootfs's packages: its marker records them, so a different list rebuilds the shared cache.
E2E_PACKAGES=systemd,systemd-sysv,dbus,libcurl4,libsystemd0,libstdc++6,procps,curl
ROOTFS=${LOADD_E2E_ROOTFS:-/var/cache/loadd-test/rootfs}

e2e_skip() { echo "SKIP: $0: $*"; exit 0; }

e2e_require() {
  local tool
  [ "$(id -u)" -eq 0 ] || e2e_skip "needs root (debootstrap, mount namespace, systemd-nspawn)"
  command -v systemd-nspawn >/dev/null || e2e_skip "systemd-nspawn not installed (apt-get install systemd-container)"
  command -v debootstrap >/dev/null || e2e_skip "debootstrap not installed (apt-get install debootstrap)"
  for tool in unshare nsenter mount timeout flock setpriv "$@"; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
  done
}

# Inside means: this process's mount namespace is not its parent's, and the parent's is the one recorded
# before the re-exec. Anything else (no record, a stale or inherited one) re-executes: a second private
# namespace is harmless, mounting in the caller's would not be.
e2e_private_mounts() {
  local self_ns parent_ns
  self_ns=$(readlink /proc/self/ns/mnt)
  parent_ns=$(readlink "/proc/$PPID/ns/mnt" 2>/dev/null || true)
  if [ -z "${LOADD_E2E_OUTER_MNTNS:-}" ] || [ "$LOADD_E2E_OUTER_MNTNS" != "$parent_ns" ] \
      || [ "$self_ns" = "$LOADD_E2E_OUTER_MNTNS" ]; then
    export LOADD_E2E_OUTER_MNTNS=$self_ns
    exec unshare --mount --propagation private -- "$SELF" "$@"
  fi
}

say() { printf '[%3ds] %s\n' $((SECONDS - START)) "$*"; }
# The overall limit: each step checks it, and `lim N` caps a step's own timeout at what is left of it.
pass() {
  say "PASS: $*"
  [ $((SECONDS - START)) -lt "$LIMIT" ] || fail "overall limit of ${LIMIT}s reached"
}
lim() { local left=$((LIMIT - (SECONDS - START))); echo $(($1 < left ? $1 : (left > 1 ? left : 1))); }
# fail STEP [DETAILS]: prints FAIL and the details, then stops the test (cleanup runs from the trap).
fail() {
  say "FAIL: $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
  FAILED=1
  diagnostics
  exit 1
}

stop_pid() {
  local pid=$1 grace=$2 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# fd 7 and 8 keep the script's own stdout and stderr: a signal may arrive inside a redirected call.
e2e_traps() {
  exec 7>&1 8>&2
  trap cleanup EXIT
  trap 'exec 1>&7 2>&8; say "FAIL: interrupted"; FAILED=1; exit 1' INT TERM
}

# The tree is built beside the cache and renamed into place only when complete, and a lock serialises
# concurrent first runs.
e2e_rootfs() {
  local marker="$ROOTFS/.loadd-e2e-rootfs" mirror out
  mkdir -p "$(dirname "$ROOTFS")"
  exec 9>"$ROOTFS.lock"
  timeout "$(lim 250)" flock 9 || fail "lock $ROOTFS.lock (another run is bootstrapping?)"
  if [ "$(cat "$marker" 2>/dev/null)" = "$E2E_PACKAGES" ] && [ -x "$ROOTFS/lib/systemd/systemd" ]; then
    pass "rootfs: reusing $ROOTFS"
  else
    mirror=${LOADD_E2E_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
    mirror=${mirror:-http://deb.debian.org/debian}
    say "rootfs: debootstrap bookworm from $mirror into $ROOTFS (once; about 30-90 s)"
    rm -rf "$ROOTFS.new"
    if ! timeout "$(lim 240)" debootstrap --variant=minbase --include="$E2E_PACKAGES" bookworm "$ROOTFS.new" "$mirror" \
        >"$ROOTFS.debootstrap.log" 2>&1; then
      out=$(tail -n 20 "$ROOTFS.debootstrap.log")
      rm -rf "$ROOTFS.new"
      fail "rootfs: debootstrap (log: $ROOTFS.debootstrap.log)" "$out"
    fi
    rm -f "$ROOTFS.new/etc/machine-id" "$ROOTFS.new/var/lib/dbus/machine-id"
    : >"$ROOTFS.new/etc/machine-id"   # empty: systemd gives each boot a fresh id
    echo "$E2E_PACKAGES" >"$ROOTFS.new/.loadd-e2e-rootfs"
    rm -rf "$ROOTFS"; mv "$ROOTFS.new" "$ROOTFS"
    pass "rootfs: debootstrapped $ROOTFS"
  fi
  exec 9>&-
  [ ! -e "$ROOTFS/usr/bin/swift" ] && [ ! -d "$ROOTFS/opt/swift" ] || fail "rootfs: has a Swift installation"
}

# The cached rootfs is never modified: each system is an overlay whose upper layer is on a tmpfs.
e2e_overlay() {
  local dir=$1
  mkdir -p "$dir/rw" "$dir/root"
  mount -t tmpfs -o mode=0755 tmpfs "$dir/rw"
  mkdir -p "$dir/rw/upper" "$dir/rw/work"
  mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$dir/rw/upper,workdir=$dir/rw/work" "$dir/root" \
    || fail "overlay mount over $ROOTFS at $dir/root"
}

e2e_unmount() {
  umount -l "$1/root" 2>/dev/null || true
  umount -l "$1/rw" 2>/dev/null || true
}

# tmpfs on /run/systemd (once): nspawn keeps propagation folders there and refuses to remove them when /run
# is not a tmpfs (here it is on disk). --register=no --keep-unit: no host systemd, machined or D-Bus.
# --pdeathsig: if the script is killed outright, nspawn still gets SIGTERM and shuts the container down.
e2e_boot() {
  local dir=$1
  shift
  if [ -z "${E2E_RUN_SYSTEMD:-}" ]; then
    mkdir -p /run/systemd
    mount -t tmpfs -o mode=0755 tmpfs /run/systemd
    E2E_RUN_SYSTEMD=mounted
  fi
  setpriv --pdeathsig TERM -- systemd-nspawn -q -D "$dir/root" --register=no --keep-unit --console=pipe "$@" -b \
    </dev/null >"$dir/console.log" 2>&1 &
  E2E_NSPAWN=$!
  E2E_SYSTEMD=""
  for _ in $(seq 150); do
    E2E_SYSTEMD=$(pgrep -P "$E2E_NSPAWN" -x systemd || true)
    [ -n "$E2E_SYSTEMD" ] && break
    kill -0 "$E2E_NSPAWN" 2>/dev/null || break
    sleep 0.1
  done
}

# systemctl needs PID 1's private socket: wait for it before asking it to wait for the boot to end.
e2e_wait_booted() {
  local pid=$1
  for _ in $(seq 300); do
    timeout 10 nsenter -t "$pid" -a -- test -S /run/systemd/private 2>/dev/null && break
    sleep 0.1
  done
  timeout --kill-after=5 "$(lim 60)" nsenter -t "$pid" -a -- systemctl is-system-running --wait 2>&1 || true
}
