#!/bin/sh
# Compile-check the hand-written Winsock headers in crates/ws2-capi/include.
# Every tests/c/headers_*.c is compiled (-c) as C11, GNU11 and C++17 with
# -Wall -Wextra -Werror (-pedantic for C11); headers_layout.c is also linked
# and run (it needs no library).  Exits non-zero on the first failure.
# Usage: sh crates/ws2-capi/tests/c/check-headers.sh   (from any directory)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
inc=$(cd "$here/../../include" && pwd)
out=${TMPDIR:-/tmp}/ws2-check-headers.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT INT TERM

CC=${CC:-gcc}
CXX=${CXX:-g++}
WARN="-Wall -Wextra -Werror"

run() {
    echo "+ $*"
    "$@"
}

for src in "$here"/headers_*.c; do
    name=$(basename "$src" .c)
    run $CC   -std=c11   -pedantic $WARN -I "$inc" -c "$src" -o "$out/$name.c11.o"
    run $CC   -std=gnu11           $WARN -I "$inc" -c "$src" -o "$out/$name.gnu11.o"
    run $CXX  -x c++ -std=c++17    $WARN -I "$inc" -c "$src" -o "$out/$name.cxx17.o"
    run $CXX  -x c++ -std=gnu++17  $WARN -I "$inc" -c "$src" -o "$out/$name.gnuxx17.o"
done

# The layout test needs no library: link it and run it in every mode.
src="$here/headers_layout.c"
run $CC  -std=c11 -pedantic $WARN -I "$inc" "$src" -o "$out/layout_c11"
run $CC  -std=gnu11         $WARN -I "$inc" "$src" -o "$out/layout_gnu11"
run $CXX -x c++ -std=c++17  $WARN -I "$inc" "$src" -o "$out/layout_cxx17"
for exe in layout_c11 layout_gnu11 layout_cxx17; do
    run "$out/$exe"
done

echo "check-headers: all passed"
