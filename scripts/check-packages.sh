#!/usr/bin/env bash
# Keeps the crates publishable (README, "Using it from Rust"): every
# workspace crate without `publish = false` must package, and its package
# must build on its own. scripts/test.sh runs it after `cargo test`, so every
# dependency is already downloaded and it needs no network (--offline).
#
# For each published crate it checks that
#   - `cargo package` succeeds with verification: the crates are packaged
#     together, so each one's dependencies on the others resolve to the
#     packages just made (cargo's local overlay), not to crates.io, and each
#     .crate is unpacked and built alone;
#   - cargo prints no warning but "ignoring test/example X as X.rs is not
#     included" (tests stay out of the packages on purpose; a missing
#     description, license or repository is a warning);
#   - the package holds README.md, LICENSE-MIT and LICENSE-APACHE and no
#     tests, and stays under 1 MiB compressed;
#   - the manifest inherits the workspace's rust-version, so clippy's
#     incompatible_msrv lint (denied in the workspace) checks it;
#   - the crate root stops a non-Linux build with compile_error!.
#
# usage: scripts/check-packages.sh
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-packages.sh: $*" >&2; exit 1; }

members=$(sed -n '/^members = \[/,/\]/p' Cargo.toml | grep -o '"[^"]*"' | tr -d '"')
[ -n "$members" ] || fail "no workspace members in Cargo.toml"
packages=() dirs=()
for dir in $members; do
    manifest="$dir/Cargo.toml"
    grep -q '^publish = false' "$manifest" && continue
    name="$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -1)"
    [ -n "$name" ] || fail "$manifest has no package name"
    grep -q '^rust-version.workspace = true' "$manifest" ||
        fail "$manifest does not inherit the workspace's rust-version (rust-version.workspace = true)"
    root="$dir/src/lib.rs"
    [ -f "$root" ] || root="$dir/src/main.rs"
    grep -A1 -F '#[cfg(not(target_os = "linux"))]' "$root" | grep -q 'compile_error!' ||
        fail "$root has no compile_error! for non-Linux targets"
    packages+=("$name") dirs+=("$dir")
done
[ ${#packages[@]} -gt 0 ] || fail "no published crates found"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
pkg_args=()
for p in "${packages[@]}"; do pkg_args+=(-p "$p"); done
# --allow-dirty: what is checked is the manifests and files, not whether
# the working tree is committed.
if ! cargo package --offline --allow-dirty "${pkg_args[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    fail "cargo package failed"
fi
unexpected="$(grep '^warning:' "$log" |
    grep -Ev '^warning: ignoring (test|example|benchmark) `[^`]+` as `[^`]+` is not included in the published package$' || true)"
[ -z "$unexpected" ] || { cat "$log" >&2; fail "cargo package warned: $unexpected"; }

target="${CARGO_TARGET_DIR:-target}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
for i in "${!packages[@]}"; do
    p="${packages[$i]}"
    files="$(cargo package --offline --allow-dirty --list -p "$p" 2>/dev/null)"
    for f in README.md LICENSE-MIT LICENSE-APACHE; do
        grep -qx "$f" <<<"$files" || fail "$p: $f is not in the package (${dirs[$i]}/$f)"
    done
    if grep -q '^tests/' <<<"$files"; then
        fail "$p: the package holds tests/ (they need the unpublished test hosts)"
    fi
    crate="$target/package/$p-$version.crate"
    [ -f "$crate" ] || fail "$crate was not written"
    size=$(stat -c %s "$crate")
    [ "$size" -le $((1024 * 1024)) ] || fail "$crate is $size bytes: more than 1 MiB"
    echo "check-packages.sh: $p $version: $(wc -l <<<"$files") files, $((size / 1024)) KiB compressed"
done
echo "check-packages.sh: ${#packages[@]} crates package and build alone: ${packages[*]}"
