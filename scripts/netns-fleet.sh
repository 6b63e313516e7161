#!/bin/bash
# Four test hosts for the fleet tests, each in its own network namespace on one bridge:
#   loadd-m  10.200.0.1  master       loadd-w1 10.200.0.2  worker
#   loadd-w2 10.200.0.3  worker       loadd-t  10.200.0.10 target
# The bridge lives in a fifth namespace (loadd-sw), so the host namespace gets no 10.200 address.
# The host routes every private range to a gateway that accepts any TCP connect: before anything
# else, `up` makes 10.200.0.0/16 unreachable in the host namespace, so a process mistakenly
# dialling a test address from there fails at once instead of leaving the machine. Run every
# client and server with `ip netns exec NS …`.
#
# usage: netns-fleet.sh up|down|status
#   up      creates everything (after cleaning up leftovers of an earlier run)
#   down    kills every process left in the namespaces, deletes them, removes the route (if `up` added it)
set -euo pipefail

SWITCH=loadd-sw
HOSTS=("loadd-m 10.200.0.1" "loadd-w1 10.200.0.2" "loadd-w2 10.200.0.3" "loadd-t 10.200.0.10")
GUARD=10.200.0.0/16
# Remembers that `up` added the guard route, so `down` never removes one another test relies on.
MARKER=/run/loadd-netns-fleet.route

up() {
    down
    if ! ip route show type unreachable | grep -q "^unreachable $GUARD"; then
        ip route add unreachable "$GUARD"
        touch "$MARKER"
    fi
    ip netns add "$SWITCH"
    ip -n "$SWITCH" link set lo up
    ip -n "$SWITCH" link add br0 type bridge
    ip -n "$SWITCH" link set br0 up
    local index=0
    for entry in "${HOSTS[@]}"; do
        read -r ns address <<<"$entry"
        ip netns add "$ns"
        # Both ends are made inside namespaces: the host never holds an interface of the test net.
        ip -n "$SWITCH" link add "port$index" type veth peer name eth0 netns "$ns"
        ip -n "$SWITCH" link set "port$index" master br0 up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$address/24" dev eth0
        ip -n "$ns" link set eth0 up
        index=$((index + 1))
    done
}

down() {
    for entry in "${HOSTS[@]}" "$SWITCH"; do
        read -r ns _ <<<"$entry"
        ip netns list | grep -qw "^$ns" || continue
        # Whatever a failed test left running in the namespace goes first, by pid.
        local pids
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        if [ -n "$pids" ]; then kill -9 $pids 2>/dev/null || true; fi
        ip netns del "$ns" 2>/dev/null || true
    done
    if [ -e "$MARKER" ]; then
        ip route del unreachable "$GUARD" 2>/dev/null || true
        rm -f "$MARKER"
    fi
}

status() {
    ip route show type unreachable | grep "$GUARD" || echo "no guard route"
    for entry in "${HOSTS[@]}"; do
        read -r ns _ <<<"$entry"
        ip -n "$ns" -br addr show dev eth0 2>/dev/null || echo "$ns: absent"
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
