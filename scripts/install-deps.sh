#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian machine: a C
# compiler (C tests), iproute2 (network-namespace test hosts, tc), valgrind
# (stress run under memcheck, callgrind benchmarks), and what installing the
# C library and building against it takes (binutils' readelf, pkg-config,
# make, cmake: crates/ws2-capi/tests/install.rs). Run as root.
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
command -v ip >/dev/null || need+=(iproute2)
command -v tc >/dev/null || need+=(iproute2)
command -v valgrind >/dev/null || need+=(valgrind)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v readelf >/dev/null || need+=(binutils)
command -v make >/dev/null || need+=(make)
command -v cmake >/dev/null || need+=(cmake)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}"
fi
command -v cargo >/dev/null || { echo "cargo (Rust toolchain) is required" >&2; exit 1; }
