//! `scripts/install-c.sh` installs libws2_32 the way a C library is
//! installed, and C projects written for Windows build against it unchanged.
//! Each test installs this run's library (`--from`, so no nested cargo
//! build) into a tree of its own, staged with `DESTDIR` or under a relative
//! `--prefix`, then builds as users do (pkg-config, the Makefile project in
//! `examples/make/`, the CMake project in `examples/cmake/`) and runs the
//! result on loopback.
//!
//! Nothing here skips: no `cc`, `make`, `cmake`, `pkg-config` or `readelf`
//! makes the test fail with the reason (`scripts/install-deps.sh` installs
//! them all).

mod common;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{SONAME, assert_success, out_dir, run_with_timeout, show, start};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const WINDOWS_LINK_NAMES: [&str; 4] = ["ws2_32", "mswsock", "iphlpapi", "winmm"];

fn repo() -> PathBuf {
    Path::new(common::MANIFEST_DIR).join("../..")
}

/// Runs `cmd` to completion; fails the test with its output unless it exits 0.
fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?}: {e} (scripts/install-deps.sh installs it)")
    });
    assert!(out.status.success(), "{cmd:?} failed\n{}", show(&out));
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One installed copy, in a scratch tree removed when the test ends.
struct Installed {
    /// The test's scratch tree.
    root: PathBuf,
    /// `DESTDIR`, when the copy is staged.
    destdir: Option<PathBuf>,
    /// The prefix and library directory as written into the installed files.
    prefix: PathBuf,
    libdir: PathBuf,
}

impl Installed {
    /// Installs with `DESTDIR=<root>/stage --prefix <final prefix> --libdir
    /// lib/<triplet>` (Debian's multiarch directory, `cc -dumpmachine`): a
    /// prefix that does not exist, as when a package is built.
    fn staged(name: &str) -> Self {
        let root = fresh_root(name);
        let triplet = stdout(&run(Command::new("cc").arg("-dumpmachine")));
        let libdir = format!("lib/{}", triplet.trim());
        let destdir = root.join("stage");
        let prefix = PathBuf::from(format!(
            "/opt/ws2-install-test-{}-{name}",
            std::process::id()
        ));
        run(install_command(&root)
            .env("DESTDIR", &destdir)
            .arg("--prefix")
            .arg(&prefix)
            .args(["--libdir", &libdir]));
        assert!(
            !prefix.exists(),
            "the install wrote outside DESTDIR, into {}",
            prefix.display()
        );
        Installed {
            root,
            libdir: prefix.join(libdir),
            destdir: Some(destdir),
            prefix,
        }
    }

    /// Installs with `--prefix inst` from inside the scratch tree: a relative
    /// prefix, which must come out absolute.
    fn relative(name: &str) -> Self {
        let root = fresh_root(name);
        run(install_command(&root).args(["--prefix", "inst"]));
        let prefix = root.join("inst");
        Installed {
            root,
            libdir: prefix.join("lib"),
            destdir: None,
            prefix,
        }
    }

    /// Where a final path of the install is on disk now.
    fn on_disk(&self, path: &Path) -> PathBuf {
        match &self.destdir {
            Some(d) => d.join(path.strip_prefix("/").expect("absolute path")),
            None => path.to_path_buf(),
        }
    }

    fn lib(&self) -> PathBuf {
        self.on_disk(&self.libdir)
    }

    /// `pkg-config ARGS` as users run it: `PKG_CONFIG_PATH` names the
    /// installed `pkgconfig` directory; for a staged copy,
    /// `PKG_CONFIG_SYSROOT_DIR` is `DESTDIR`, as in a packaging build.
    fn pkg_config(&self, args: &[&str]) -> Vec<String> {
        let mut cmd = Command::new("pkg-config");
        cmd.env("PKG_CONFIG_PATH", self.lib().join("pkgconfig"))
            .env_remove("PKG_CONFIG_SYSROOT_DIR")
            .args(args)
            .arg("ws2_32");
        if let Some(d) = &self.destdir {
            cmd.env("PKG_CONFIG_SYSROOT_DIR", d);
        }
        stdout(&run(&mut cmd))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    /// A command for a program linked against this copy: the loader finds
    /// the library through `LD_LIBRARY_PATH`, as for any prefix it is not
    /// configured for.
    fn program(&self, exe: &Path) -> Command {
        let mut cmd = Command::new(exe);
        let mut path = self.lib().into_os_string();
        if let Some(old) = std::env::var_os("LD_LIBRARY_PATH") {
            path.push(":");
            path.push(old);
        }
        cmd.env("LD_LIBRARY_PATH", path);
        cmd
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn fresh_root(name: &str) -> PathBuf {
    let root = out_dir().join(format!("install-{name}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("create the scratch tree");
    root
}

/// `scripts/install-c.sh --from <this run's library>`, run in `cwd`.
fn install_command(cwd: &Path) -> Command {
    let mut cmd = Command::new(repo().join("scripts/install-c.sh"));
    cmd.current_dir(cwd)
        .env_remove("DESTDIR")
        .arg("--from")
        .arg(common::lib_dir());
    cmd
}

/// A receiver on 127.0.0.1 for what the installed programs send.
fn receiver() -> (UdpSocket, String) {
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind the receiver");
    rx.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("receive timeout");
    let port = rx.local_addr().expect("local_addr").port().to_string();
    (rx, port)
}

/// Receives `count` datagrams and returns their payloads as text.
fn receive(rx: &UdpSocket, count: usize) -> Vec<String> {
    let mut buf = [0u8; 2048];
    (0..count)
        .map(|i| {
            let (n, from) = rx
                .recv_from(&mut buf)
                .unwrap_or_else(|e| panic!("datagram {} of {count} never came: {e}", i + 1));
            assert!(from.ip().is_loopback(), "a datagram from {from}");
            String::from_utf8_lossy(&buf[..n]).into_owned()
        })
        .collect()
}

/// The dynamic section of an ELF file, as `readelf -d` prints it.
fn dynamic_section(file: &Path) -> String {
    stdout(&run(Command::new("readelf").arg("-d").arg(file)))
}

/// The libraries an executable records as needed (DT_NEEDED).
fn needed(exe: &Path) -> Vec<String> {
    dynamic_section(exe)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split_once('[')?.1.trim_end_matches(']').to_string()))
        .collect()
}

/// Every regular file of a tree.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.is_dir() {
            out.extend(files(&path));
        } else if meta.is_file() {
            out.push(path);
        }
    }
    out
}

#[test]
fn staged_install_lays_out_a_versioned_library_with_its_soname_and_windows_link_names() {
    let inst = Installed::staged("layout");
    let lib = inst.lib();
    let realname = format!("libws2_32.so.{VERSION}");

    // The SONAME, and the usual chain: -lws2_32 -> SONAME -> the file.
    let dynamic = dynamic_section(&lib.join(&realname));
    assert!(
        dynamic.contains(&format!("Library soname: [{SONAME}]")),
        "readelf -d {realname} shows no SONAME {SONAME}:\n{dynamic}"
    );
    let link = |name: &str| {
        std::fs::read_link(lib.join(name)).unwrap_or_else(|e| panic!("{name} is no symlink: {e}"))
    };
    assert_eq!(link("libws2_32.so"), Path::new(SONAME));
    assert_eq!(link(SONAME), Path::new(&realname));

    let archive = std::fs::read(lib.join("libws2_32.a")).expect("libws2_32.a installed");
    assert!(
        archive.starts_with(b"!<arch>\n"),
        "libws2_32.a is no archive"
    );

    // Each other Windows link name is a linker script for the same library.
    for alias in &WINDOWS_LINK_NAMES[1..] {
        let shared = std::fs::read_to_string(lib.join(format!("lib{alias}.so"))).expect("alias");
        assert!(
            shared.contains(&format!("INPUT(AS_NEEDED({SONAME}))")),
            "lib{alias}.so: {shared}"
        );
        let stat = std::fs::read_to_string(lib.join(format!("lib{alias}.a"))).expect("alias");
        assert!(stat.contains("INPUT(libws2_32.a)"), "lib{alias}.a: {stat}");
    }

    let include = inst.on_disk(&inst.prefix.join("include/ws2"));
    for header in [
        "winsock2.h",
        "ws2tcpip.h",
        "mswsock.h",
        "windows.h",
        "WinSock2.h",
    ] {
        assert!(include.join(header).is_file(), "{header} not installed");
    }

    // The paths written into the installed files are the final ones.
    let pc = std::fs::read_to_string(lib.join("pkgconfig/ws2_32.pc")).expect("ws2_32.pc");
    assert!(
        pc.lines()
            .any(|l| l == format!("prefix={}", inst.prefix.display())),
        "ws2_32.pc:\n{pc}"
    );
    assert!(
        pc.contains(&format!("Version: {VERSION}")),
        "ws2_32.pc:\n{pc}"
    );
    let destdir = inst.destdir.as_ref().expect("staged").display().to_string();
    for file in files(inst.destdir.as_ref().expect("staged")) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue; // the libraries
        };
        assert!(
            !text.contains(&destdir),
            "{} names the staging directory {destdir}",
            file.display()
        );
    }
}

#[test]
fn relative_prefix_is_written_out_absolute_and_pkg_config_builds_the_tutorial_example() {
    let inst = Installed::relative("relative");
    let pc = std::fs::read_to_string(inst.lib().join("pkgconfig/ws2_32.pc")).expect("ws2_32.pc");
    assert!(
        pc.lines()
            .any(|l| l == format!("prefix={}", inst.prefix.display())),
        "a relative --prefix must be written out absolute:\n{pc}"
    );

    let exe = inst.root.join("udp_sender");
    let mut cc = Command::new("cc");
    cc.args(["-std=c11", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(repo().join("examples/c/udp_sender.c"))
        .args(inst.pkg_config(&["--cflags", "--libs"]));
    run(&mut cc);
    assert_eq!(
        needed(&exe),
        [SONAME, "libc.so.6"],
        "the program should load ws2 by its SONAME"
    );

    let (rx, port) = receiver();
    let mut cmd = inst.program(&exe);
    cmd.args(["127.0.0.1", &port]);
    assert_success(&run_with_timeout(cmd, "installed-udp_sender"), "udp_sender");
    for text in receive(&rx, 3) {
        assert!(text.ends_with("hello from udp_sender"), "got {text:?}");
    }
}

#[test]
fn static_library_links_through_the_windows_link_names_with_pkg_config_libs_private() {
    let inst = Installed::staged("static");
    // What Libs.private adds for a static link: --static --libs less --libs.
    let shared = inst.pkg_config(&["--libs"]);
    let private: Vec<String> = inst
        .pkg_config(&["--static", "--libs"])
        .into_iter()
        .filter(|flag| !shared.contains(flag))
        .collect();
    assert!(!private.is_empty(), "ws2_32.pc has no Libs.private");

    let exe = inst.root.join("udp_sender_static");
    let mut cc = Command::new("cc");
    cc.args(["-std=c11", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(repo().join("examples/c/udp_sender.c"))
        .args(inst.pkg_config(&["--cflags", "--libs-only-L"]))
        .args(["-Wl,-Bstatic", "-lmswsock", "-Wl,-Bdynamic"])
        .args(&private);
    run(&mut cc);
    let needs = needed(&exe);
    assert!(
        !needs.iter().any(|n| n.starts_with("libws2_32")),
        "linked statically, yet it needs {needs:?}"
    );

    let (rx, port) = receiver();
    let mut cmd = Command::new(&exe);
    cmd.args(["127.0.0.1", &port]);
    assert_success(
        &run_with_timeout(cmd, "static-udp_sender"),
        "static udp_sender",
    );
    assert_eq!(receive(&rx, 3).len(), 3);
}

#[test]
fn makefile_project_written_for_windows_builds_unchanged_and_runs() {
    let inst = Installed::staged("make");
    // A copy of the project, byte for byte, so the build writes nothing into
    // the source tree.
    let project = inst.root.join("make");
    std::fs::create_dir(&project).expect("project directory");
    for file in ["Makefile", "pktinfo_receiver.c"] {
        std::fs::copy(repo().join("examples/make").join(file), project.join(file))
            .unwrap_or_else(|e| panic!("copy {file}: {e}"));
    }
    let makefile = std::fs::read_to_string(project.join("Makefile")).expect("Makefile");
    assert!(
        makefile.contains("LDLIBS = -lws2_32 -lmswsock"),
        "{makefile}"
    );

    // The Makefile's README line: the flags come from pkg-config on the
    // command line, the Makefile is not edited.
    run(Command::new("make")
        .current_dir(&project)
        .arg(format!(
            "CPPFLAGS={}",
            inst.pkg_config(&["--cflags"]).join(" ")
        ))
        .arg(format!(
            "LDFLAGS={}",
            inst.pkg_config(&["--libs-only-L"]).join(" ")
        )));
    let exe = project.join("pktinfo_receiver");
    assert_eq!(needed(&exe), [SONAME, "libc.so.6"]);

    let mut cmd = inst.program(&exe);
    cmd.args(["0", "2"]);
    let program = start(cmd, "make-pktinfo_receiver");
    let deadline = Instant::now() + Duration::from_secs(10);
    let port: u16 = loop {
        let so_far = program.stdout_so_far();
        if let Some(port) = so_far
            .lines()
            .find_map(|l| l.strip_prefix("listening on 0.0.0.0:"))
        {
            break port.trim().parse().expect("a port number");
        }
        assert!(
            Instant::now() < deadline,
            "pktinfo_receiver did not start: {so_far:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let tx = UdpSocket::bind("127.0.0.1:0").expect("bind the sender");
    let from = tx.local_addr().expect("local_addr").port();
    tx.send_to(b"to the first address", ("127.0.0.1", port))
        .expect("send");
    tx.send_to(b"to the second address", ("127.0.0.2", port))
        .expect("send");
    let out = program.wait(Duration::from_secs(20));
    assert_success(&out, "pktinfo_receiver");
    let text = stdout(&out);
    for (to, payload) in [
        ("127.0.0.1", "to the first address"),
        ("127.0.0.2", "to the second address"),
    ] {
        let line = format!(
            "{} bytes from 127.0.0.1:{from} to {to} (interface 1): {payload}",
            payload.len()
        );
        assert!(text.contains(&line), "no line {line:?} in\n{text}");
    }
}

/// Configures and builds the CMake project in `source` against `inst`
/// (`CMAKE_PREFIX_PATH`, as users point CMake at a prefix); returns the
/// build directory.
fn cmake_build(inst: &Installed, source: &Path, build: &str) -> PathBuf {
    let dir = inst.root.join(build);
    run(Command::new("cmake")
        .arg("-S")
        .arg(source)
        .arg("-B")
        .arg(&dir)
        .arg(format!(
            "-DCMAKE_PREFIX_PATH={}",
            inst.on_disk(&inst.prefix).display()
        )));
    run(Command::new("cmake").arg("--build").arg(&dir));
    dir
}

/// Runs an `event_sender` build and checks all its datagrams arrive. CMake
/// puts the library's directory in the program's RUNPATH, so it runs as
/// built.
fn check_event_sender(exe: &Path, label: &str) {
    let (rx, port) = receiver();
    let mut cmd = Command::new(exe);
    cmd.args(["127.0.0.1", &port, "4"]);
    assert_success(&run_with_timeout(cmd, label), label);
    let mut got = receive(&rx, 4);
    got.sort();
    let want: Vec<String> = (1..=4)
        .map(|i| format!("event_sender datagram {i}/4"))
        .collect();
    assert_eq!(got, want, "{label}");
}

#[test]
fn cmake_project_written_for_windows_builds_unchanged_against_staged_and_relative_installs() {
    let source = repo().join("examples/cmake");
    let lists = std::fs::read_to_string(source.join("CMakeLists.txt")).expect("CMakeLists.txt");
    assert!(
        lists.contains("target_link_libraries(event_sender ws2_32)"),
        "{lists}"
    );
    for inst in [Installed::staged("cmake"), Installed::relative("cmake-rel")] {
        let build = cmake_build(&inst, &source, "build");
        let exe = build.join("event_sender");
        assert_eq!(needed(&exe), [SONAME, "libc.so.6"]);
        check_event_sender(&exe, "cmake-event_sender");
    }
}

#[test]
fn cmake_package_has_every_windows_link_name_and_checks_the_version() {
    let inst = Installed::staged("cmake-names");
    let project = inst.root.join("names");
    std::fs::create_dir(&project).expect("project directory");
    let source = repo().join("examples/cmake/event_sender.c");
    // find_package(ws2 VERSION) answers by ws2ConfigVersion.cmake: the same
    // major version, not older than asked. The probes run before the real
    // find_package, whose targets must then still be made exactly once.
    let (major, _) = VERSION.split_once('.').expect("a version");
    let next_major = major.parse::<u32>().expect("a major version") + 1;
    let probes = [
        (VERSION.to_string(), true),
        (format!("{major}.0"), true),
        (format!("{next_major}.0"), false),
        (format!("{VERSION}.1"), false),
        (format!("{major}.0...<{next_major}.0"), true),
        (format!("{next_major}.0...{}.0", next_major + 1), false),
    ];
    let mut lists = String::from(
        "cmake_minimum_required(VERSION 3.19)\n\
         project(names C)\n\
         function(probe spec expect)\n\
         \x20 find_package(ws2 ${spec} CONFIG QUIET)\n\
         \x20 set(found 0)\n\
         \x20 if(ws2_FOUND)\n\
         \x20   set(found 1)\n\
         \x20 endif()\n\
         \x20 if(NOT found EQUAL expect)\n\
         \x20   message(FATAL_ERROR \"find_package(ws2 ${spec}): found ${found}, expected ${expect}\")\n\
         \x20 endif()\n\
         endfunction()\n",
    );
    for (spec, found) in &probes {
        lists += &format!("probe(\"{spec}\" {})\n", if *found { 1 } else { 0 });
    }
    lists += &format!(
        "find_package(ws2 {VERSION} CONFIG REQUIRED)\n\
         find_package(ws2 CONFIG REQUIRED)\n\
         foreach(t {names} ws2::ws2_32_static)\n\
         \x20 if(NOT TARGET ${{t}})\n\
         \x20   message(FATAL_ERROR \"no imported target ${{t}}\")\n\
         \x20 endif()\n\
         endforeach()\n\
         add_executable(windows_names \"{src}\")\n\
         target_link_libraries(windows_names mswsock iphlpapi winmm)\n\
         add_executable(namespaced \"{src}\")\n\
         target_link_libraries(namespaced ws2::ws2_32 ws2::mswsock ws2::iphlpapi ws2::winmm)\n\
         add_executable(static_ws2 \"{src}\")\n\
         target_link_libraries(static_ws2 ws2::ws2_32_static)\n\
         foreach(t windows_names namespaced static_ws2)\n\
         \x20 target_compile_options(${{t}} PRIVATE -Wall -Werror)\n\
         endforeach()\n",
        names = WINDOWS_LINK_NAMES
            .iter()
            .flat_map(|n| [n.to_string(), format!("ws2::{n}")])
            .collect::<Vec<_>>()
            .join(" "),
        src = source.display(),
    );
    std::fs::write(project.join("CMakeLists.txt"), lists).expect("write CMakeLists.txt");

    let build = cmake_build(&inst, &project, "names-build");
    // The Windows names without ws2_32 itself carry the headers and library.
    for exe in ["windows_names", "namespaced"] {
        let exe = build.join(exe);
        assert_eq!(needed(&exe), [SONAME, "libc.so.6"], "{}", exe.display());
        check_event_sender(&exe, "cmake-names");
    }
    let exe = build.join("static_ws2");
    let needs = needed(&exe);
    assert!(
        !needs.iter().any(|n| n.starts_with("libws2_32")),
        "ws2::ws2_32_static links dynamically: {needs:?}"
    );
    check_event_sender(&exe, "cmake-static");
}

#[test]
fn install_refuses_bad_arguments_with_a_clear_message() {
    let root = fresh_root("bad-arguments");
    let script = repo().join("scripts/install-c.sh");
    let empty = root.join("empty");
    std::fs::create_dir(&empty).expect("empty directory");
    let cases: [(&[&str], &str); 3] = [
        (&["--prefix"], "--prefix needs a value"),
        (&["--destdir", "x"], "unknown argument '--destdir'"),
        (
            &["--prefix", "inst", "--from", "empty"],
            "libws2_32.so not found in empty",
        ),
    ];
    for (args, message) in cases {
        let out = Command::new(&script)
            .current_dir(&root)
            .args(args)
            .output()
            .expect("run install-c.sh");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(message),
            "install-c.sh {args:?}: expected a failure saying {message:?}\n{}",
            show(&out)
        );
    }
    assert!(!root.join("inst").exists(), "a failed install left files");
    let _ = std::fs::remove_dir_all(&root);
}
