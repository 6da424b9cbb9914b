#!/usr/bin/env bash
# Instructions per datagram (user space, callgrind) for raw sendmsg vs ws2
# WSASendMsg, with and without an IP_PKTINFO control message, and for each
# overlapped mode of `wsasend bench` (send and completion collected).
#
# Each mode runs twice (10000 and 20000 datagrams); the difference divided by
# 10000 cancels startup and setup cost. Kernel work is not counted by
# callgrind: this is the library's own per-call overhead.
#
# Usage: crates/wsasend/bench-callgrind.sh [SIZE]   (default 64)
set -euo pipefail

size="${1:-64}"
. "$(dirname "$0")/callgrind-common.sh"

# Total instructions (Ir) of one callgrind run.
instructions() {
    local mode="$1" count="$2"
    callgrind_total "$mode.$count" -- bench-one --mode "$mode" --size "$size" --count "$count"
}

declare -A per
printf '%-15s %14s %14s %12s\n' mode "Ir@10000" "Ir@20000" "Ir/datagram"
modes="raw-pktinfo ws2-pktinfo raw-plain ws2-plain ws2-port-each ws2-port-batch ws2-event ws2-routine capi-port capi-port-skip"
for mode in $modes; do
    a="$(instructions "$mode" 10000)"
    b="$(instructions "$mode" 20000)"
    per[$mode]="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 10000 }')"
    printf '%-15s %14s %14s %12s\n' "$mode" "$a" "$b" "${per[$mode]}"
done
awk -v w="${per[ws2-pktinfo]}" -v r="${per[raw-pktinfo]}" \
    'BEGIN { printf "ratio ws2/raw, IP_PKTINFO: %.2f (%+.1f instructions per datagram)\n", w / r, w - r }'
awk -v w="${per[ws2-plain]}" -v r="${per[raw-plain]}" \
    'BEGIN { printf "ratio ws2/raw, no control: %.2f (%+.1f instructions per datagram)\n", w / r, w - r }'
awk -v r="${per[ws2-routine]}" -v e="${per[ws2-event]}" -v p="${per[ws2-port-batch]}" -v c="${per[capi-port-skip]}" \
    'BEGIN { printf "Rust overlapped / C skip-on-success: port batch %.2f, event %.2f, routine %.2f\n", p / c, e / c, r / c }'
echo "size $size bytes; user-space instructions only (callgrind does not count the kernel)"
