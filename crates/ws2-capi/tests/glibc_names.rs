//! No silent glibc (SPEC P7, issue "No silent glibc"): every Windows name in
//! the scope of our headers that glibc's libc.so.6 also exports is listed in
//! `include-audit/glibc-names.txt` (derived by `include-audit/derive.sh
//! names`), and each one is either bound to libws2_32 by the headers
//! ("ours") or declared unavailable ("error"). Checked both ways:
//! - the list is exactly the set of libc exports the headers rename, and no
//!   function the headers declare carries a libc name unrenamed;
//! - with glibc's headers included before or after ours, a program using
//!   every "ours" name links none of glibc's (its undefined symbols hold no
//!   listed name) and runs; a program using an "error" name fails to
//!   compile with "<name> is not provided by ws2".
//!
//! Nothing here skips: no `gcc`/`g++`/`nm` makes the test fail.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{MANIFEST_DIR, link_args, out_dir, show};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Ours,
    Error,
}

fn listed() -> Vec<(String, Status)> {
    let path = Path::new(MANIFEST_DIR).join("include-audit/glibc-names.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut words = line.split_whitespace();
        let (Some(name), Some(status)) = (words.next(), words.next()) else {
            panic!("bad line in glibc-names.txt: {line:?}");
        };
        let status = match status {
            "ours" => Status::Ours,
            "error" => Status::Error,
            other => panic!("bad status {other:?} for {name}"),
        };
        out.push((name.to_string(), status));
    }
    assert!(out.len() > 30, "the list is suspiciously short: {out:?}");
    out
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn include_dir() -> PathBuf {
    Path::new(MANIFEST_DIR).join("include")
}

/// Names libc.so.6 (the one gcc links) exports.
fn libc_exports() -> BTreeSet<String> {
    let libc = run(Command::new("gcc").arg("-print-file-name=libc.so.6"));
    let libc = String::from_utf8(libc.stdout).unwrap().trim().to_string();
    let out = run(Command::new("nm").args(["-D", "--defined-only", &libc]));
    assert!(out.status.success(), "nm failed\n{}", show(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(|n| n.split('@').next().unwrap().to_string())
        .collect()
}

const OUR_HEADERS: &str = "#include <winsock2.h>\n#include <ws2tcpip.h>\n#include <mstcpip.h>\n#include <mswsock.h>\n#include <iphlpapi.h>\n";
const GLIBC_HEADERS: &str = "#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n#include <netdb.h>\n#include <sys/select.h>\n#include <net/if.h>\n#include <unistd.h>\n";

fn write(name: &str, text: &str) -> PathBuf {
    let path = out_dir().join(name);
    std::fs::write(&path, text).expect("write test source");
    path
}

// P7
#[test]
fn list_is_every_libc_name_the_headers_rename_and_still_libc() {
    let libc = libc_exports();
    let list: BTreeSet<String> = listed().into_iter().map(|(n, _)| n).collect();
    for name in &list {
        assert!(
            libc.contains(name),
            "{name} is listed but libc.so.6 no longer exports it"
        );
    }
    // Every macro our headers define whose name libc exports: the renames
    // (socket -> ws2_socket) and Windows' aliases (gai_strerror).
    let src = write("names_macros.c", OUR_HEADERS);
    let inc = include_dir();
    let out = run(Command::new("gcc")
        .args(["-E", "-dD", "-D_GNU_SOURCE", "-I"])
        .arg(&inc)
        .arg(&src));
    assert!(out.status.success(), "preprocessing failed\n{}", show(&out));
    let mut file = String::new();
    let mut renamed = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            if let Some(f) = rest.split('"').nth(1) {
                file = f.to_string();
            }
        } else if let Some(def) = line.strip_prefix("#define ") {
            let name: String = def
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if file.starts_with(inc.to_str().unwrap()) && libc.contains(&name) {
                renamed.insert(name);
            }
        }
    }
    assert_eq!(
        renamed, list,
        "glibc-names.txt differs from what the headers rename; run include-audit/derive.sh names"
    );
    // No function our headers declare keeps a libc name.
    let aux = out_dir().join("names.aux");
    let out = run(Command::new("gcc")
        .args(["-fsyntax-only", "-D_GNU_SOURCE", "-aux-info"])
        .arg(&aux)
        .arg("-I")
        .arg(&inc)
        .arg(&src));
    assert!(out.status.success(), "gcc -aux-info failed\n{}", show(&out));
    let aux = std::fs::read_to_string(&aux).expect("aux-info output");
    let mut declared = 0;
    for line in aux.lines().filter(|l| l.contains(inc.to_str().unwrap())) {
        let decl = line.rsplit("*/").next().unwrap_or("");
        let before_paren = decl.split(" (").next().unwrap_or("");
        let name = before_paren.rsplit([' ', '*']).next().unwrap_or("");
        declared += 1;
        assert!(
            !libc.contains(name),
            "our headers declare {name}, a libc name, without renaming it: {line}"
        );
    }
    assert!(
        declared > 100,
        "aux-info saw only {declared} declarations of ours"
    );
}

fn compile(src: &Path, exe: &Path, cxx: bool, link: bool) -> Output {
    let mut cmd = Command::new(if cxx { "g++" } else { "gcc" });
    if cxx {
        cmd.args(["-x", "c++", "-std=gnu++17"]);
    } else {
        cmd.arg("-std=gnu11");
    }
    cmd.args(["-Wall", "-Wextra", "-Werror", "-I"])
        .arg(include_dir())
        .arg(src);
    if link {
        if cxx {
            cmd.args(["-x", "none"]);
        }
        cmd.arg("-o").arg(exe).args(link_args());
    } else {
        cmd.args(["-c", "-o"]).arg(exe);
    }
    run(&mut cmd)
}

/// The program a name is used in, with glibc's headers before or after ours.
fn program(glibc_first: bool, body: &str) -> String {
    let (a, b) = if glibc_first {
        (GLIBC_HEADERS, OUR_HEADERS)
    } else {
        (OUR_HEADERS, GLIBC_HEADERS)
    };
    format!(
        "{a}{b}#include <stdint.h>\n\nint main(void)\n{{\n    volatile uintptr_t sink = 0;\n{body}    return sink == 0;\n}}\n"
    )
}

// P2 P3 P7
#[test]
fn ours_names_bind_libws2_32_in_both_include_orders() {
    let names: Vec<String> = listed()
        .into_iter()
        .filter(|(_, s)| *s == Status::Ours)
        .map(|(n, _)| n)
        .collect();
    let body: String = names
        .iter()
        .map(|n| format!("    sink += (uintptr_t)&{n};\n"))
        .collect();
    let listed_names: BTreeSet<String> = listed().into_iter().map(|(n, _)| n).collect();
    for glibc_first in [true, false] {
        for cxx in [false, true] {
            let tag = format!(
                "ours_{}_{}",
                if glibc_first {
                    "glibc_first"
                } else {
                    "ours_first"
                },
                if cxx { "cxx" } else { "c" }
            );
            let src = write(&format!("{tag}.c"), &program(glibc_first, &body));
            let exe = out_dir().join(&tag);
            let out = compile(&src, &exe, cxx, true);
            assert!(
                out.status.success(),
                "{tag}: using the ours names failed to build\n{}",
                show(&out)
            );
            let nm = run(Command::new("nm").args(["-u"]).arg(&exe));
            let undefined: Vec<String> = String::from_utf8_lossy(&nm.stdout)
                .lines()
                .filter_map(|l| l.split_whitespace().last())
                .map(|s| s.split('@').next().unwrap().to_string())
                .collect();
            for u in &undefined {
                assert!(
                    !listed_names.contains(u),
                    "{tag}: the program links glibc's {u}: {undefined:?}"
                );
            }
            assert!(
                undefined.iter().any(|u| u == "ws2_getaddrinfo"),
                "{tag}: {undefined:?}"
            );
            let ran = run(&mut Command::new(&exe));
            assert!(ran.status.success(), "{tag} did not run\n{}", show(&ran));
        }
    }
}

// P7
#[test]
fn error_names_fail_to_compile_in_both_include_orders() {
    let names: Vec<String> = listed()
        .into_iter()
        .filter(|(_, s)| *s == Status::Error)
        .map(|(n, _)| n)
        .collect();
    assert!(names.iter().any(|n| n == "accept"));
    for name in &names {
        for glibc_first in [true, false] {
            let tag = format!(
                "error_{name}_{}",
                if glibc_first {
                    "glibc_first"
                } else {
                    "ours_first"
                }
            );
            let src = write(
                &format!("{tag}.c"),
                &program(glibc_first, &format!("    sink += (uintptr_t)&{name};\n")),
            );
            let out = compile(&src, &out_dir().join(format!("{tag}.o")), false, false);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success(),
                "{tag}: using {name} compiled\n{}",
                show(&out)
            );
            assert!(
                stderr.contains(&format!("{name} is not provided by ws2")),
                "{tag}: the error does not say why\n{}",
                show(&out)
            );
        }
    }
}
