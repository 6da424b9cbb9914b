#!/usr/bin/env bash
# Instructions per send (user space, callgrind) as the number of sockets
# grows: ws2 send_msg and raw sendmsg round-robin over N sockets
# (`wsasend bench scale`'s sockets part), N = 1, 10, 100, 1000, 10000.
#
# Each N runs twice (10000 and 20000 sends); the difference divided by
# 10000 cancels startup and the N sockets' setup. Kernel work is not counted.
#
# Usage: crates/wsasend/bench-scale-callgrind.sh [SIZE]   (default 64)
set -euo pipefail

size="${1:-64}"
. "$(dirname "$0")/callgrind-common.sh"

# Total instructions (Ir) of one callgrind run.
instructions() {
    local mode="$1" sockets="$2" count="$3"
    callgrind_total "$mode.$sockets.$count" -- \
        bench-one --mode "$mode" --size "$size" --sockets "$sockets" --count "$count"
}

printf '%8s %14s %14s\n' sockets "raw Ir/send" "ws2 Ir/send"
for n in 1 10 100 1000 10000; do
    row=()
    for mode in scale-raw scale-ws2; do
        a="$(instructions "$mode" "$n" 10000)"
        b="$(instructions "$mode" "$n" 20000)"
        row+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 10000 }')")
    done
    printf '%8s %14s %14s\n' "$n" "${row[0]}" "${row[1]}"
done
echo "size $size bytes; user-space instructions only (callgrind does not count the kernel)"
