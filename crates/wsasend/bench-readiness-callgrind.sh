#!/usr/bin/env bash
# Instructions per socket (user space, callgrind) of select and WSAPoll
# (libws2_32's C ABI) over 1,000 ws2 sockets, one readable, against poll(2)
# on the same fds: `wsasend bench-one --mode ...-1000`.
#
# Each mode runs twice (200 and 400 calls); the difference divided by
# 200 calls x 1,000 sockets cancels setup (making the sockets). Kernel
# work is not counted by callgrind: this is ws2's own cost per socket on
# top of the poll(2) it makes.
#
# Usage: crates/wsasend/bench-readiness-callgrind.sh
set -euo pipefail

. "$(dirname "$0")/callgrind-common.sh"

# Total instructions (Ir) of one callgrind run.
instructions() {
    local mode="$1" count="$2"
    callgrind_total "$mode.$count" -- bench-one --mode "$mode" --count "$count"
}

declare -A per
printf '%-16s %14s %14s %14s\n' mode "Ir@200" "Ir@400" "Ir/socket"
for mode in raw-poll1000 ws2-select1000 ws2-wsapoll1000; do
    a="$(instructions "$mode" 200)"
    b="$(instructions "$mode" 400)"
    per[$mode]="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 200 / 1000 }')"
    printf '%-16s %14s %14s %14s\n' "$mode" "$a" "$b" "${per[$mode]}"
done
echo "per socket per call, 1 of 1000 readable; user-space instructions only (callgrind does not count the kernel's poll)"
