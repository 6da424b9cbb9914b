#!/usr/bin/env bash
# Installs libws2_32 for C programs, laid out as cargo-c lays out a C library
# (Debian's cargo-c cannot read this workspace, so this script does it):
#
#   INCLUDEDIR/ws2/*.h                 winsock2.h, ws2tcpip.h, mswsock.h, windows.h ...
#   LIBDIR/libws2_32.so.0.1.0          the shared library; its SONAME is libws2_32.so.0
#   LIBDIR/libws2_32.so.0 -> libws2_32.so.0.1.0   (what programs load)
#   LIBDIR/libws2_32.so   -> libws2_32.so.0       (what -lws2_32 finds)
#   LIBDIR/libws2_32.a                 the static library
#   LIBDIR/lib{mswsock,iphlpapi,winmm}.{so,a}   GNU ld scripts: the other link
#                                      names Windows projects use, all libws2_32
#   LIBDIR/pkgconfig/ws2_32.pc         pkg-config, absolute paths
#   LIBDIR/cmake/ws2/ws2Config.cmake, ws2ConfigVersion.cmake   find_package(ws2 CONFIG)
#
# usage: scripts/install-c.sh [--prefix DIR] [--libdir DIR] [--includedir DIR] [--from DIR]
#   --prefix DIR      where it goes (default /usr/local); a relative DIR is taken
#                     from the current directory and written out absolute
#   --libdir DIR      default lib; relative to the prefix unless absolute
#                     (Debian multiarch: --libdir lib/x86_64-linux-gnu)
#   --includedir DIR  default include; relative to the prefix unless absolute
#   --from DIR        install the libraries already built in DIR (libws2_32.so
#                     and libws2_32.a) instead of `cargo build --release -p ws2-linux-capi`
#   DESTDIR=DIR       (environment) stage the files under DIR, as `make install`
#                     does for packagers: files go to DIR/PREFIX/..., while the
#                     paths written into them are PREFIX/... .
set -euo pipefail

usage() { sed -n '/^# usage:/,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "install-c.sh: $*" >&2; exit 1; }

prefix=/usr/local libdir=lib includedir=include from=
while [ $# -gt 0 ]; do
    opt="$1" val=
    case "$opt" in
        --prefix=* | --libdir=* | --includedir=* | --from=*) val="${opt#*=}" opt="${opt%%=*}" ;;
        --prefix | --libdir | --includedir | --from)
            [ $# -ge 2 ] || die "$opt needs a value"
            val="$2"
            shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install-c.sh: unknown argument '$opt'" >&2; usage >&2; exit 2 ;;
    esac
    [ -n "$val" ] || die "$opt needs a value"
    case "$opt" in
        --prefix) prefix="$val" ;;
        --libdir) libdir="$val" ;;
        --includedir) includedir="$val" ;;
        --from) from="$val" ;;
    esac
    shift
done

for tool in realpath readelf; do
    command -v "$tool" >/dev/null || die "$tool is required (coreutils, binutils)"
done
# Absolute, normalised, without resolving symlinks (the directories need not exist yet).
absolute() { realpath -m -s -- "$1"; }
prefix="$(absolute "$prefix")"
case "$libdir" in /*) ;; *) libdir="$prefix/$libdir" ;; esac
case "$includedir" in /*) ;; *) includedir="$prefix/$includedir" ;; esac
libdir="$(absolute "$libdir")"
includedir="$(absolute "$includedir")"
destdir=
[ -z "${DESTDIR:-}" ] || destdir="$(absolute "$DESTDIR")"

here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$from" ]; then
    (cd "$here" && cargo build --release -p ws2-linux-capi >&2)
    from="${CARGO_TARGET_DIR:-$here/target}/release"
fi
for lib in libws2_32.so libws2_32.a; do
    [ -f "$from/$lib" ] || die "$lib not found in $from"
done

version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)"
[ -n "$version" ] || die "no version in $here/Cargo.toml"
major="${version%%.*}"
soname="$(LC_ALL=C readelf -d "$from/libws2_32.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')"
[ "$soname" = "libws2_32.so.$major" ] ||
    die "$from/libws2_32.so has SONAME '${soname:-none}', not libws2_32.so.$major: rebuild it (cargo build --release -p ws2-linux-capi)"
realname="libws2_32.so.$version"

# Compiler flags every consumer needs besides -I, written into both the
# pkg-config file (Cflags) and the CMake targets (INTERFACE_COMPILE_OPTIONS).
# None: UNICODE builds are refused by windows.h (WCHAR is 16-bit, gcc's
# wchar_t 32; README "Porting"), so no -fshort-wchar is needed. A flag every
# consumer must get belongs here, so both files stay in step.
extra_cflags=()

stage_lib="$destdir$libdir"
stage_inc="$destdir$includedir/ws2"
mkdir -p "$stage_inc" "$stage_lib/pkgconfig" "$stage_lib/cmake/ws2"

# Copies through a temporary name and renames, so a program running from an
# older copy keeps its mapping instead of seeing the file rewritten under it.
put() { # SRC DEST MODE
    cp -- "$1" "$2.tmp.$$"
    chmod "$3" "$2.tmp.$$"
    mv -f -- "$2.tmp.$$" "$2"
}
write() { # DEST (text on stdin)
    cat >"$1.tmp.$$"
    chmod 644 "$1.tmp.$$"
    mv -f -- "$1.tmp.$$" "$1"
}

for h in "$here"/crates/ws2-capi/include/*.h; do
    put "$h" "$stage_inc/${h##*/}" 644
done
put "$from/libws2_32.so" "$stage_lib/$realname" 755
ln -sfn "$realname" "$stage_lib/$soname"
ln -sfn "$soname" "$stage_lib/libws2_32.so"
put "$from/libws2_32.a" "$stage_lib/libws2_32.a" 644

# The link names Windows projects add beside ws2_32. Windows keeps these
# functions in other DLLs; ws2 has them all in libws2_32, so each name is a
# linker script (GNU ld, gold and lld read them, as they read glibc's
# libc.so) that links libws2_32 instead. The names inside are file names, not
# paths: the linker looks for them beside the script (GNU ld) and in the -L
# directories, so they hold under DESTDIR and in any prefix. AS_NEEDED: a
# program that links -lwinmm but uses none of its functions records no
# dependency for it.
for alias in mswsock iphlpapi winmm; do
    write "$stage_lib/lib$alias.so" <<LDS
/* GNU ld script installed by ws2: -l$alias links ws2's libws2_32 */
INPUT(AS_NEEDED($soname))
LDS
    write "$stage_lib/lib$alias.a" <<LDS
/* GNU ld script installed by ws2: -l$alias (static) links ws2's libws2_32.a */
INPUT(libws2_32.a)
LDS
done

# What a program linking libws2_32.a also needs (rustc --print native-static-libs).
static_deps="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

# pkg-config: the prefix written out absolute; libdir and includedir relative
# to it when they are inside it (so pkg-config --define-prefix still works).
under_prefix() { # DIR -> ${prefix}/... or DIR
    if [ "$prefix" != / ] && [ "${1#"$prefix"/}" != "$1" ]; then
        echo "\${prefix}/${1#"$prefix"/}"
    else
        echo "$1"
    fi
}
write "$stage_lib/pkgconfig/ws2_32.pc" <<PC
prefix=$prefix
libdir=$(under_prefix "$libdir")
includedir=$(under_prefix "$includedir")

Name: ws2_32
Description: Winsock for Linux: WSASendMsg, overlapped I/O and the Winsock calls Windows programs use
Version: $version
Cflags: -I\${includedir}/ws2${extra_cflags[*]:+ ${extra_cflags[*]}}
Libs: -L\${libdir} -lws2_32
Libs.private: $static_deps
PC

# CMake: paths relative to the config file's own directory, as CMake's own
# exported packages are, so the package also works where it is staged
# (DESTDIR) or copied to.
cmakedir="$libdir/cmake/ws2"
inc_from_cmake="$(realpath -m -s --relative-to="$cmakedir" "$includedir/ws2")"
lib_from_cmake="$(realpath -m -s --relative-to="$cmakedir" "$libdir")"
write "$stage_lib/cmake/ws2/ws2Config.cmake" <<CMAKE
# find_package(ws2 CONFIG) for ws2 $version, libws2_32 for Linux (installed by
# ws2's scripts/install-c.sh). Imported targets, named as Windows projects
# link them, so that target_link_libraries(app ws2_32 iphlpapi) works as on
# Windows:
#   ws2_32, mswsock, iphlpapi, winmm        libws2_32.so.$major and the ws2 headers
#   ws2::ws2_32, ws2::mswsock, ws2::iphlpapi, ws2::winmm   the same, namespaced
#   ws2::ws2_32_static                      libws2_32.a and what it needs
# Windows keeps mswsock, iphlpapi and winmm in DLLs of their own; ws2 has all
# of it in libws2_32, so those names link the same library.

get_filename_component(_ws2_libdir "\${CMAKE_CURRENT_LIST_DIR}/$lib_from_cmake" ABSOLUTE)
get_filename_component(_ws2_includedir "\${CMAKE_CURRENT_LIST_DIR}/$inc_from_cmake" ABSOLUTE)

foreach(_ws2_file "\${_ws2_libdir}/$realname" "\${_ws2_libdir}/libws2_32.a" "\${_ws2_includedir}/winsock2.h")
  if(NOT EXISTS "\${_ws2_file}")
    set(ws2_FOUND FALSE)
    set(ws2_NOT_FOUND_MESSAGE "\${_ws2_file} is missing: reinstall ws2 (scripts/install-c.sh)")
    unset(_ws2_file)
    return()
  endif()
endforeach()
unset(_ws2_file)

if(NOT TARGET ws2::ws2_32)
  add_library(ws2::ws2_32 SHARED IMPORTED)
  set_target_properties(ws2::ws2_32 PROPERTIES
    IMPORTED_LOCATION "\${_ws2_libdir}/$realname"
    IMPORTED_SONAME "$soname"
    INTERFACE_INCLUDE_DIRECTORIES "\${_ws2_includedir}"
    INTERFACE_COMPILE_OPTIONS "${extra_cflags[*]}")
endif()
if(NOT TARGET ws2::ws2_32_static)
  add_library(ws2::ws2_32_static STATIC IMPORTED)
  set_target_properties(ws2::ws2_32_static PROPERTIES
    IMPORTED_LOCATION "\${_ws2_libdir}/libws2_32.a"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "\${_ws2_includedir}"
    INTERFACE_COMPILE_OPTIONS "${extra_cflags[*]}"
    INTERFACE_LINK_LIBRARIES "${static_deps// /;}")
endif()
foreach(_ws2_name ws2_32 mswsock iphlpapi winmm ws2::mswsock ws2::iphlpapi ws2::winmm)
  if(NOT TARGET \${_ws2_name})
    add_library(\${_ws2_name} INTERFACE IMPORTED)
    set_target_properties(\${_ws2_name} PROPERTIES INTERFACE_LINK_LIBRARIES ws2::ws2_32)
  endif()
endforeach()
unset(_ws2_name)
unset(_ws2_libdir)
unset(_ws2_includedir)
CMAKE

write "$stage_lib/cmake/ws2/ws2ConfigVersion.cmake" <<CMAKE
# Which find_package(ws2 VERSION) requests ws2 $version satisfies: the same
# major version and not older than asked, as the SONAME libws2_32.so.$major
# serves every $major.x (a range: ws2 $version lies in it and its lower end has
# major version $major). 64-bit only: the layouts are 64-bit Windows'.
set(PACKAGE_VERSION "$version")
set(PACKAGE_VERSION_COMPATIBLE FALSE)
if(PACKAGE_FIND_VERSION_RANGE)
  if(PACKAGE_FIND_VERSION_MIN_MAJOR STREQUAL "$major"
     AND NOT PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MIN
     AND ((PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "INCLUDE" AND PACKAGE_VERSION VERSION_LESS_EQUAL PACKAGE_FIND_VERSION_MAX)
          OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "EXCLUDE" AND PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MAX)))
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
elseif(PACKAGE_FIND_VERSION_MAJOR STREQUAL "$major" AND NOT PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
if(NOT "\${CMAKE_SIZEOF_VOID_P}" STREQUAL "" AND NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} (64-bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
CMAKE

echo "installed ws2_32 $version in $prefix${destdir:+ (staged under $destdir)}"
if [ -z "$destdir" ]; then
    cat >&2 <<NOTE
next steps (README.md, "Using it from C"):
  run time:   programs load $soname from $libdir once the loader knows it:
              ldconfig as root (Debian lists /usr/local/lib), an /etc/ld.so.conf.d/
              entry, LD_LIBRARY_PATH, or -Wl,-rpath,$libdir
  pkg-config: PKG_CONFIG_PATH=$libdir/pkgconfig unless that is on its default path
  CMake:      -DCMAKE_PREFIX_PATH=$prefix unless that is on its default path
NOTE
fi
