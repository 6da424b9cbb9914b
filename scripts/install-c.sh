#!/usr/bin/env bash
# Installs libws2_32 for C programs: headers in PREFIX/include/ws2, the
# shared and static libraries in PREFIX/lib, and PREFIX/lib/pkgconfig/ws2_32.pc.
#
#   scripts/install-c.sh /usr/local            # builds with cargo --release first
#   scripts/install-c.sh PREFIX LIBDIR         # installs libraries already built in LIBDIR
set -euo pipefail
prefix="${1:?usage: install-c.sh PREFIX [LIBDIR]}"
here="$(cd "$(dirname "$0")/.." && pwd)"
libdir="${2:-}"
if [ -z "$libdir" ]; then
    (cd "$here" && cargo build --release -p ws2-capi >&2)
    libdir="$here/target/release"
fi
mkdir -p "$prefix/include/ws2" "$prefix/lib/pkgconfig"
cp "$here"/crates/ws2-capi/include/*.h "$prefix/include/ws2/"
for lib in libws2_32.so libws2_32.a; do
    [ -f "$libdir/$lib" ] && cp "$libdir/$lib" "$prefix/lib/"
done
[ -f "$prefix/lib/libws2_32.so" ] || { echo "libws2_32.so not found in $libdir" >&2; exit 1; }
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)"
cat > "$prefix/lib/pkgconfig/ws2_32.pc" <<PC
prefix=$prefix
includedir=\${prefix}/include/ws2
libdir=\${prefix}/lib

Name: ws2_32
Description: Winsock (WSASendMsg and overlapped I/O) for Linux
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lws2_32
Libs.private: -lpthread -ldl
PC
echo "installed ws2_32 $version in $prefix"
