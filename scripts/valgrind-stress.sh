#!/usr/bin/env bash
# Runs the overlapped stress program (crates/ws2-capi/tests/c/ov_stress.c)
# under valgrind memcheck against the debug libws2_32 (target/debug), with a
# bounded workload, over a rate-limited veth link between two network
# namespaces so that sends really pend and get cancelled. Any memcheck error
# or definite leak fails the run.
#
# Needs root (namespaces, tc), cc and valgrind. Builds the library first
# (cargo build -p ws2-linux-capi). Usage: scripts/valgrind-stress.sh [ROUNDS [OPS]]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
OPS="${2:-150}"
if [ "$(id -u)" != 0 ]; then
    echo "valgrind-stress.sh: needs root (network namespaces)" >&2
    exit 1
fi
for tool in cc readelf valgrind ip tc; do
    command -v "$tool" >/dev/null || { echo "valgrind-stress.sh: $tool is required" >&2; exit 1; }
done

cargo build -p ws2-linux-capi
LIB="${CARGO_TARGET_DIR:-$PWD/target}/debug"
[ -f "$LIB/libws2_32.so" ] || { echo "valgrind-stress.sh: $LIB/libws2_32.so missing" >&2; exit 1; }

WORK="$(mktemp -d)"
NSA="ws2t-$$-vga"
NSB="ws2t-$$-vgb"
cleanup() {
    ip netns del "$NSA" 2>/dev/null || true
    ip netns del "$NSB" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Programs load the library by its SONAME (libws2_32.so.0), which cargo does
# not create: a symlink to it in the scratch directory, found through the rpath.
SONAME="$(LC_ALL=C readelf -d "$LIB/libws2_32.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')"
[ -n "$SONAME" ] || { echo "valgrind-stress.sh: $LIB/libws2_32.so has no SONAME" >&2; exit 1; }
mkdir "$WORK/lib"
ln -s "$LIB/libws2_32.so" "$WORK/lib/$SONAME"
cc -std=c11 -Wall -Wextra -Werror -g \
    -I crates/ws2-capi/include -I crates/ws2-capi/tests/c \
    -o "$WORK/ov_stress" crates/ws2-capi/tests/c/ov_stress.c \
    -L"$LIB" -Wl,-rpath,"$WORK/lib" -lws2_32 -pthread

ip netns add "$NSA"
ip netns add "$NSB"
ip -n "$NSA" link set lo up
ip -n "$NSB" link set lo up
ip link add name vga0 netns "$NSA" type veth peer name vgb0 netns "$NSB"
ip -n "$NSA" addr add 10.0.0.1/24 dev vga0
ip -n "$NSB" addr add 10.0.0.2/24 dev vgb0
ip -n "$NSA" link set vga0 up
ip -n "$NSB" link set vgb0 up
tc -n "$NSA" qdisc add dev vga0 root tbf rate 1mbit burst 1600 limit 200000
# A receiver in B (the same program in sink mode, not under valgrind), so the
# datagrams that get through are not answered with ICMP port unreachable.
ip netns exec "$NSB" "$WORK/ov_stress" sink 40000 600 >"$WORK/sink.log" 2>&1 &
SINK=$!
for _ in $(seq 100); do grep -q ready "$WORK/sink.log" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$WORK/sink.log" || { echo "valgrind-stress.sh: sink did not start" >&2; cat "$WORK/sink.log" >&2; exit 1; }

status=0
ip netns exec "$NSA" timeout 600 valgrind --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    "$WORK/ov_stress" 10.0.0.2 40000 "$ROUNDS" "$OPS" || status=$?
kill "$SINK" 2>/dev/null || true
wait "$SINK" 2>/dev/null || true
exit "$status"
