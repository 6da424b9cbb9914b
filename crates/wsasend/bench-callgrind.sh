#!/usr/bin/env bash
# Instructions per datagram (user space, callgrind) for raw sendmsg vs ws2
# WSASendMsg, with and without an IP_PKTINFO control message.
#
# Each mode runs twice (10000 and 20000 datagrams); the difference divided by
# 10000 cancels startup and setup cost. Kernel work is not counted by
# callgrind: this is the library's own per-call overhead.
#
# Usage: crates/wsasend/bench-callgrind.sh [SIZE]   (default 64)
set -euo pipefail

size="${1:-64}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

cargo build --release -p wsasend >&2
target_dir="$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)"
bin="$target_dir/release/wsasend"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Total instructions (Ir) of one callgrind run.
instructions() {
    local mode="$1" count="$2" file="$out/callgrind.$1.$2"
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        "$bin" bench-one --mode "$mode" --size "$size" --count "$count" >/dev/null 2>"$file.log" \
        || { cat "$file.log" >&2; exit 1; }
    local total
    total="$(grep -E '^(summary|totals):' "$file" | head -1 | awk '{print $2}')"
    [ -n "$total" ] || { echo "no totals in $file" >&2; exit 1; }
    echo "$total"
}

declare -A per
printf '%-12s %14s %14s %12s\n' mode "Ir@10000" "Ir@20000" "Ir/datagram"
for mode in raw-pktinfo ws2-pktinfo raw-plain ws2-plain; do
    a="$(instructions "$mode" 10000)"
    b="$(instructions "$mode" 20000)"
    per[$mode]="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 10000 }')"
    printf '%-12s %14s %14s %12s\n' "$mode" "$a" "$b" "${per[$mode]}"
done
awk -v w="${per[ws2-pktinfo]}" -v r="${per[raw-pktinfo]}" \
    'BEGIN { printf "ratio ws2/raw, IP_PKTINFO: %.2f (%+.1f instructions per datagram)\n", w / r, w - r }'
awk -v w="${per[ws2-plain]}" -v r="${per[raw-plain]}" \
    'BEGIN { printf "ratio ws2/raw, no control: %.2f (%+.1f instructions per datagram)\n", w / r, w - r }'
echo "size $size bytes; user-space instructions only (callgrind does not count the kernel)"
