#!/usr/bin/env bash
# Every check of the project, in the order CI runs them: formatting, lints,
# then all Rust and C tests (cargo builds libws2_32 and the C tests compile
# and run against it; the network tests build their own namespaces and need
# root), then packaging.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "scripts/test.sh: the network-namespace and raw-socket tests need root" >&2
    exit 1
fi
cargo fmt --all -- --check
# Also the MSRV check: clippy reads every crate's rust-version (the
# workspace's) and the workspace denies clippy::incompatible_msrv, a
# standard-library item newer than it (README, Set-up).
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
# The published crates package and build alone (offline: cargo test
# fetched everything).
scripts/check-packages.sh
# The overlapped stress program under valgrind memcheck (S37, S38).
scripts/valgrind-stress.sh
# The fuzz targets in fuzz/, each for a bounded time from its committed corpus
# (nightly toolchain, cargo-fuzz, libFuzzer, ASan; at most 4 minutes in all).
scripts/fuzz.sh
