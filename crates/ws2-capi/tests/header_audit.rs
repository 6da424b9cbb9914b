//! The header audit (SPEC P1-P7, issue 13 item 4): `include-audit/spec-names.txt`
//! lists every Windows name SPEC P1-P7 names and every name our examples
//! use, and a probe per name proves what a program that uses it gets:
//! - "provided" names are declared by our headers: all their probes compile
//!   together with `-Wall -Wextra -Werror`, link against this run's
//!   libws2_32, load with every symbol bound, and take nothing of glibc that
//!   has a Windows name (`include-audit/glibc-names.txt`);
//! - "not-yet:X" names are another issue's: each probe alone must fail to
//!   compile, naming the name, so no program can get glibc's by accident.
//!   When issue X lands, its names flip to "provided" in the list;
//! - every function and macro of our headers that an example uses is
//!   listed.
//!
//! Nothing here skips: no `cc` or `nm` makes the test fail.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{MANIFEST_DIR, compile, out_dir, run_with_timeout, show};

#[derive(Debug)]
struct Entry {
    name: String,
    kind: String,
    /// `None` for provided, `Some(issue)` for not yet.
    not_yet: Option<String>,
    probe: Option<String>,
}

fn entries() -> Vec<Entry> {
    let path = Path::new(MANIFEST_DIR).join("include-audit/spec-names.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut words = line.split_whitespace();
        let (Some(name), Some(kind), Some(status)) = (words.next(), words.next(), words.next())
        else {
            panic!("bad line in spec-names.txt: {line:?}");
        };
        assert!(
            ["function", "variable", "macro", "type", "header"].contains(&kind),
            "{name}: unknown kind {kind}"
        );
        let not_yet = match status {
            "provided" => None,
            s => Some(
                s.strip_prefix("not-yet:")
                    .unwrap_or_else(|| panic!("{name}: bad status {s}"))
                    .to_string(),
            ),
        };
        let probe = words.collect::<Vec<_>>().join(" ");
        out.push(Entry {
            name: name.to_string(),
            kind: kind.to_string(),
            not_yet,
            probe: (!probe.is_empty()).then_some(probe),
        });
    }
    let mut seen = BTreeSet::new();
    for e in &out {
        assert!(seen.insert(&e.name), "{} is listed twice", e.name);
    }
    out
}

/// The headers every probe program starts with.
const HEADERS: &str = "#include <windows.h>\n#include <winsock2.h>\n#include <ws2tcpip.h>\n\
#include <mswsock.h>\n#include <mstcpip.h>\n#include <iphlpapi.h>\n#include <mmsystem.h>\n\
#include <strsafe.h>\n#include <tchar.h>\n#include <io.h>\n#include <wspiapi.h>\n#include <stdint.h>\n";

/// The probe of an entry: what goes before `main` and what goes in it.
fn probe(e: &Entry) -> (String, String) {
    let n = &e.name;
    if let Some(p) = &e.probe {
        return (String::new(), format!("    {p}\n"));
    }
    match e.kind.as_str() {
        "header" if n.starts_with("pshpack") => (
            format!("#include <{n}>\n#include <poppack.h>\n"),
            String::new(),
        ),
        "header" if n == "poppack.h" => (
            format!("#include <pshpack1.h>\n#include <{n}>\n"),
            String::new(),
        ),
        "header" => (format!("#include <{n}>\n"), String::new()),
        "function" | "variable" => (String::new(), format!("    sink += (uintptr_t)&{n};\n")),
        "macro" => (
            String::new(),
            format!("#ifndef {n}\n#error {n} is not defined\n#endif\n"),
        ),
        _ => (String::new(), format!("    sink += sizeof({n});\n")),
    }
}

fn program(probes: &[&Entry]) -> String {
    let (mut top, mut body) = (String::new(), String::new());
    for e in probes {
        let (t, b) = probe(e);
        top.push_str(&t);
        body.push_str(&b);
    }
    format!(
        "{HEADERS}{top}\nint main(void)\n{{\n    volatile uintptr_t sink = 0;\n{body}    return sink == 1;\n}}\n"
    )
}

/// Names glibc exports that Windows also has (the no-silent-glibc list).
fn glibc_names() -> BTreeSet<String> {
    let path = Path::new(MANIFEST_DIR).join("include-audit/glibc-names.txt");
    std::fs::read_to_string(path)
        .expect("glibc-names.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

// P1 P2 P3 P4 P5 P6 P7
#[test]
fn provided_names_are_declared_and_link_to_libws2_32() {
    let list = entries();
    let provided: Vec<&Entry> = list.iter().filter(|e| e.not_yet.is_none()).collect();
    assert!(
        provided.len() > 300,
        "only {} provided names",
        provided.len()
    );
    let src = out_dir().join("audit_provided.c");
    std::fs::write(&src, program(&provided)).expect("write probe");
    let exe = compile(&src, "audit_provided");
    let nm = Command::new("nm")
        .arg("-u")
        .arg(&exe)
        .output()
        .expect("nm is required");
    assert!(nm.status.success(), "nm failed\n{}", show(&nm));
    let glibc = glibc_names();
    for symbol in String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
    {
        let symbol = symbol.split('@').next().unwrap();
        assert!(
            !glibc.contains(symbol),
            "the probe program links glibc's {symbol}"
        );
    }
    let mut cmd = Command::new(&exe);
    cmd.env("LD_BIND_NOW", "1"); // every function bound at load, or no start
    let out = run_with_timeout(cmd, "audit_provided");
    assert!(
        out.status.success(),
        "the probe program did not run\n{}",
        show(&out)
    );
}

// P1 P4 P6 P8 (P7: never glibc's by accident)
#[test]
fn not_yet_names_fail_to_compile() {
    let list = entries();
    let pending: Vec<&Entry> = list.iter().filter(|e| e.not_yet.is_some()).collect();
    assert!(pending.iter().any(|e| e.name == "accept"));
    for e in pending {
        let tag = format!(
            "audit_{}",
            e.name.replace(|c: char| !c.is_alphanumeric(), "_")
        );
        let src = out_dir().join(format!("{tag}.c"));
        std::fs::write(&src, program(&[e])).expect("write probe");
        let out = Command::new("cc")
            .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-c", "-I"])
            .arg(Path::new(MANIFEST_DIR).join("include"))
            .arg(&src)
            .arg("-o")
            .arg(out_dir().join(format!("{tag}.o")))
            .output()
            .expect("the C compiler `cc` is required");
        assert!(
            !out.status.success(),
            "{} ({}) compiles now: if {} provides it, flip it to \"provided\" in \
             include-audit/spec-names.txt; otherwise a definition from glibc leaks through",
            e.name,
            e.kind,
            e.not_yet.as_deref().unwrap()
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&e.name),
            "{}: the compile error does not name it\n{}",
            e.name,
            show(&out)
        );
    }
}

/// The functions and macros our headers declare (by name).
fn declared_by_headers() -> BTreeSet<String> {
    let inc = Path::new(MANIFEST_DIR).join("include");
    let inc_text = inc.to_str().unwrap().to_string();
    let src = out_dir().join("audit_declared.c");
    std::fs::write(&src, HEADERS).expect("write");
    let pre = Command::new("cc")
        .args(["-E", "-dD", "-I"])
        .arg(&inc)
        .arg(&src)
        .output()
        .expect("cc is required");
    assert!(pre.status.success(), "{}", show(&pre));
    let mut names = BTreeSet::new();
    let mut file = String::new();
    for line in String::from_utf8_lossy(&pre.stdout).lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            if let Some(f) = rest.split('"').nth(1) {
                file = f.to_string();
            }
        } else if let Some(def) = line.strip_prefix("#define ")
            && file.starts_with(&inc_text)
        {
            names.insert(
                def.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    let aux = out_dir().join("audit_declared.aux");
    let out = Command::new("cc")
        .args(["-fsyntax-only", "-aux-info"])
        .arg(&aux)
        .arg("-I")
        .arg(&inc)
        .arg(&src)
        .output()
        .expect("cc is required");
    assert!(out.status.success(), "{}", show(&out));
    for line in std::fs::read_to_string(&aux).unwrap().lines() {
        if line.contains(&inc_text) {
            let decl = line.rsplit("*/").next().unwrap_or("");
            let name = decl
                .split(" (")
                .next()
                .unwrap_or("")
                .rsplit([' ', '*'])
                .next()
                .unwrap_or("");
            names.insert(name.to_string());
        }
    }
    names
}

/// The identifiers of a C file, without its comments and string literals.
fn identifiers(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut code = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    if !escaped && d == '"' {
                        break;
                    }
                    escaped = !escaped && d == '\\';
                }
                code.push(' ');
            }
            _ => code.push(c),
        }
    }
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

fn example_sources() -> Vec<PathBuf> {
    let root = Path::new(MANIFEST_DIR).join("../../examples");
    let mut files = Vec::new();
    for dir in ["c", "make", "cmake"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("examples/") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "c") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 8, "{files:?}");
    files
}

// P7: the list covers what our examples use of our headers.
#[test]
fn every_name_the_examples_use_is_listed() {
    let listed: BTreeSet<String> = entries().into_iter().map(|e| e.name).collect();
    let declared = declared_by_headers();
    let mut missing = BTreeSet::new();
    for file in example_sources() {
        for id in identifiers(&file) {
            if declared.contains(&id) && !listed.contains(&id) {
                missing.insert(format!(
                    "{id} ({})",
                    file.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "names our examples use that include-audit/spec-names.txt does not list: {missing:?}"
    );
}
