#!/usr/bin/env bash
# Instructions per datagram (user space, callgrind) of the receive paths of
# `wsasend bench recv`: raw recvmsg against ws2's WSARecvMsg (blocking and
# overlapped), Socket::recv_msg and recvmmsg into 32 buffers with
# IN_PKTINFO + ECN, and URO (blocking, on a skip-on-success port, 32 posted
# on a port) against WSARecvMsg without it, quinn-udp's recv given one
# buffer and 32, and recvmsg with UDP_GRO on GSO traffic of 1,200-byte
# datagrams: `wsasend bench-one-recv --mode ...`.
#
# Only the measured drain is counted (--toggle-collect on measured_drain):
# filling the queue is not. Each mode runs twice (N and 2N datagrams); the
# difference divided by N cancels what a run does once. Kernel work is not
# counted by callgrind: this is each receiver's own cost per datagram,
# including the reading of the destination and ECN out of the control data
# that every loop does.
#
# Usage: crates/wsasend/bench-recv-callgrind.sh [SIZE]   (default 64)
set -euo pipefail

size="${1:-64}"
. "$(dirname "$0")/callgrind-common.sh"

# Instructions (Ir) of the measured drains of one callgrind run.
instructions() {
    local mode="$1" count="$2"
    callgrind_total "$mode.$count" --toggle-collect='*measured_drain*' -- \
        bench-one-recv --mode "$mode" --size "$size" --count "$count"
}

declare -A per
row() {
    local mode="$1" n="$2" a b
    a="$(instructions "$mode" "$n")"
    b="$(instructions "$mode" "$((2 * n))")"
    per[$mode]="$(awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')"
    printf '%-16s %10s %14s %14s %12s\n' "$mode" "$n" "$a" "$b" "${per[$mode]}"
}

echo "size $size bytes, IN_PKTINFO + ECN:"
printf '%-16s %10s %14s %14s %12s\n' mode N "Ir@N" "Ir@2N" "Ir/datagram"
for mode in raw-recvmsg capi-recvmsg rust-recvmsg capi-port-skip capi-port capi-event capi-posted raw-recvmmsg; do
    row "$mode" 10000
done
for mode in capi-recvmsg rust-recvmsg capi-port-skip capi-port capi-event capi-posted; do
    awk -v m="$mode" -v w="${per[$mode]}" -v r="${per[raw-recvmsg]}" \
        'BEGIN { printf "  %-16s %+7.1f instructions per datagram over recvmsg\n", m, w - r }'
done
awk -v w="${per[capi-posted]}" -v r="${per[raw-recvmmsg]}" \
    'BEGIN { printf "  %-16s %+7.1f instructions per datagram over recvmmsg (32 buffers)\n", "capi-posted", w - r }'

echo
echo "GSO traffic, 54 x 1200-byte datagrams per send (per datagram):"
printf '%-16s %10s %14s %14s %12s\n' mode N "Ir@N" "Ir@2N" "Ir/datagram"
for mode in uro uro-port-skip uro-posted plain-gso quinn-one quinn raw-gro; do
    row "$mode" 32400
done
awk -v u="${per[uro]}" -v q="${per[quinn]}" -v q1="${per[quinn-one]}" -v p="${per[plain-gso]}" \
    'BEGIN { printf "URO / quinn-udp (32 buffers): %.2f; URO / quinn-udp (1 buffer): %.2f; URO / plain WSARecvMsg: %.3f\n", u / q, u / q1, u / p }'
echo "user-space instructions only (callgrind does not count the kernel)"
