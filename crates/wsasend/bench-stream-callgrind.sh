#!/usr/bin/env bash
# Instructions per 64 KiB chunk (user space, callgrind) of stream
# throughput on loopback: raw send(2)/recv(2), ws2's blocking send/recv and
# ws2's overlapped WSASend/WSARecv on completion ports (libws2_32's C ABI):
# `wsasend bench-one --mode raw-stream|ws2-stream|ws2-stream-iocp`.
#
# Each mode runs twice (200 and 400 chunks); the difference divided by 200
# cancels setup. Both threads (sender and receiver) and ws2's reactor are
# counted; the kernel's copy is not (callgrind counts user space only).
#
# Usage: crates/wsasend/bench-stream-callgrind.sh
set -euo pipefail

. "$(dirname "$0")/callgrind-common.sh"

# Total instructions (Ir) of one callgrind run, every thread.
instructions() {
    local mode="$1" count="$2"
    callgrind_total "$mode.$count" -- bench-one --mode "$mode" --size 0 --count "$count"
}

printf '%-16s %14s %14s %14s\n' mode "Ir@200" "Ir@400" "Ir/chunk"
for mode in raw-stream ws2-stream ws2-stream-iocp; do
    a="$(instructions "$mode" 200)"
    b="$(instructions "$mode" 400)"
    per="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", (b - a) / 200 }')"
    printf '%-16s %14s %14s %14s\n' "$mode" "$a" "$b" "$per"
done
echo "per 64 KiB chunk sent and received; user-space instructions only"
