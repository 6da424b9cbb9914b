# shellcheck shell=bash
# What every crates/wsasend/bench-*-callgrind.sh does first (sourced, not
# run): from the repository's root, check for valgrind, build wsasend for
# release, and give `$bin`, a scratch directory `$out` removed at exit, and
# `callgrind_total`.

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

cargo build --release -p wsasend >&2
target_dir="$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)"
bin="$target_dir/release/wsasend"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# callgrind_total NAME [VALGRIND_OPTION...] -- WSASEND_ARG...
# The instructions (Ir) callgrind counted in one run of wsasend: all of them,
# or those of the functions a --toggle-collect option names.
callgrind_total() {
    local file="$out/callgrind.$1"
    shift
    local options=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
        options+=("$1")
        shift
    done
    shift
    valgrind --tool=callgrind "${options[@]}" --callgrind-out-file="$file" \
        "$bin" "$@" >/dev/null 2>"$file.log" \
        || { cat "$file.log" >&2; exit 1; }
    local total
    total="$(grep -E '^(summary|totals):' "$file" | head -1 | awk '{print $2}')"
    [ -n "$total" ] || { echo "no totals in $file" >&2; exit 1; }
    echo "$total"
}
