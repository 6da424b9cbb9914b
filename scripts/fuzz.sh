#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time (libFuzzer + ASan, on
# the nightly toolchain), starting from the committed corpus. CI runs it from
# scripts/test.sh; run as root (wsamsg_capi makes its own network namespace).
#
#   scripts/fuzz.sh                      all targets, FUZZ_SECONDS each
#   FUZZ_SECONDS=600 scripts/fuzz.sh sockaddr    one target, longer
#
# Installs cargo-fuzz from crates.io when missing. Fails, never skips, when
# the nightly toolchain is missing. New corpus entries go to a temporary
# directory (keep the useful ones with `cargo fuzz cmin`, README "Fuzzing");
# a crashing input is left in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Budget: the whole step, cargo-fuzz installation included, takes at most
# 4 minutes on 2 cores from a clean state (measured: README "Fuzzing").
seconds=${FUZZ_SECONDS:-20}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(cmsg_walk sockaddr recv_control wsamsg_capi)
cargo_fuzz_version=0.13.2

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "scripts/fuzz.sh: the nightly Rust toolchain is missing (rustup toolchain list);" \
        "the fuzz targets need it (-Zsanitizer=address): not skipping, failing" >&2
    exit 1
fi
start=$SECONDS
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "scripts/fuzz.sh: installing cargo-fuzz $cargo_fuzz_version"
    cargo +nightly install cargo-fuzz --locked --version "$cargo_fuzz_version"
    echo "scripts/fuzz.sh: cargo-fuzz installed in $((SECONDS - start)) s"
fi
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
build=$SECONDS
cargo +nightly fuzz build
echo "scripts/fuzz.sh: targets built in $((SECONDS - build)) s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t" "fuzz/artifacts/$t"
    echo "scripts/fuzz.sh: $t for $seconds s"
    if ! cargo +nightly fuzz run "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/" 2>"$scratch/$t.log"; then
        # What failed (panic message or sanitizer report), then how libFuzzer ended.
        grep -E -A4 'panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer' "$scratch/$t.log" | head -n 40 >&2
        tail -n 8 "$scratch/$t.log" >&2
        echo "scripts/fuzz.sh: $t FAILED; the input is in fuzz/artifacts/$t/" >&2
        failed+=("$t")
    else
        grep -E '^stat::number_of_executed_units|^Done' "$scratch/$t.log" || true
    fi
done
echo "scripts/fuzz.sh: whole fuzz step $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "scripts/fuzz.sh: failing targets: ${failed[*]}" >&2
    exit 1
fi
