//! The engine's modules form layers (the crate docs state them): a module
//! uses only modules of lower layers, so the `use crate::` graph has no
//! cycle. This test reads `src/**/*.rs`, collects every `crate::<module>`
//! path (in `use` declarations and inline), and fails on an import from the
//! same or a higher layer, on a module missing from the list below, and on
//! a cycle between the files of one module (`super::<sibling>` and
//! `crate::<module>::<sibling>` paths; a `mod.rs` only declares and
//! re-exports its files, which may use its items).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. Keep in step with the crate docs (`src/lib.rs`).
const LAYERS: &[&[&str]] = &[
    &["error", "sync", "consts", "sys"],
    &["fork"],
    &["translate"],
    &["completion", "interfaces", "resolve"],
    &["ops"],
    &["socket"],
    &["readiness"],
    &["addr_changes"],
    &["io"],
    &["handles"],
    &["raw"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// One source file: its module path below the crate root (`io::send`).
struct File {
    module: Vec<String>,
    /// Whether it is a `mod.rs` (a module with files of its own).
    is_mod: bool,
    code: String,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments (line comments, doc comments, block comments).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let (mut in_str, mut block) = (false, 0);
    while let Some(c) = chars.next() {
        if block > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                block -= 1;
            }
            continue;
        }
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                block += 1;
            }
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            // A char literal: skip it whole ('"' must not open a string).
            ('\'', _) => {
                out.push(c);
                let rest: String = chars.clone().take(3).collect();
                let lit = rest.starts_with('\\') && rest.chars().nth(2) == Some('\'')
                    || rest.chars().nth(1) == Some('\'');
                if lit {
                    let n = if rest.starts_with('\\') { 3 } else { 2 };
                    for _ in 0..n {
                        out.push(chars.next().unwrap());
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The paths that follow each `prefix` (`crate::`, `super::`), as lists of
/// segments; a brace group (`crate::{a, b::c}`) gives one path per entry.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = &rest[..i];
        rest = &rest[i + prefix.len()..];
        // `x::crate::` or `my_crate::` is not this crate.
        if before.ends_with("::") || before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        collect(rest, Vec::new(), &mut out);
    }
    out
}

/// Reads one path (with brace groups) from the start of `s`.
fn collect(s: &str, base: Vec<String>, out: &mut Vec<Vec<String>>) {
    let s = s.trim_start();
    if let Some(group) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    collect(&group[start..i], base.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    collect(&group[start..i], base.clone(), out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let name = ident_at(s);
    if name.is_empty() {
        if !base.is_empty() {
            out.push(base);
        }
        return;
    }
    let mut path = base;
    path.push(name.to_string());
    match s[name.len()..].strip_prefix("::") {
        Some(more) => collect(more, path, out),
        None => out.push(path),
    }
}

fn load() -> Vec<File> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    paths
        .into_iter()
        .filter(|p| p.file_name().unwrap() != "lib.rs")
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut module: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_str().unwrap().to_string())
                .collect();
            let is_mod = module.last().unwrap() == "mod";
            if is_mod {
                module.pop();
            }
            let code = code_of(&std::fs::read_to_string(&p).unwrap());
            File {
                module,
                is_mod,
                code,
            }
        })
        .collect()
}

#[test]
fn every_module_is_in_a_layer() {
    let tops: BTreeSet<String> = load().into_iter().map(|f| f.module[0].clone()).collect();
    for top in &tops {
        assert!(
            layer_of(top).is_some(),
            "module `{top}` is in no layer: add it to LAYERS here and in the crate docs"
        );
    }
    for layer in LAYERS {
        for m in *layer {
            assert!(tops.contains(*m), "LAYERS names `{m}`, which has no file");
        }
    }
}

#[test]
fn modules_import_only_lower_layers() {
    let mut wrong = Vec::new();
    for f in load() {
        let top = &f.module[0];
        let Some(mine) = layer_of(top) else { continue };
        for path in paths_after(&f.code, "crate::") {
            let dep = &path[0];
            if dep == top {
                continue;
            }
            match layer_of(dep) {
                Some(l) if l < mine => {}
                _ => wrong.push(format!(
                    "{} (layer {}) uses crate::{}",
                    f.module.join("::"),
                    mine + 1,
                    path.join("::")
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports from the same or a higher layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_files_of_a_module_form_no_cycle() {
    let all = load();
    // Edges between the files (not mod.rs) of each module, by module path.
    let names: BTreeSet<Vec<String>> = all.iter().map(|f| f.module.clone()).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in all.iter().filter(|f| !f.is_mod && f.module.len() > 1) {
        let parent = &f.module[..f.module.len() - 1];
        let mut targets = Vec::new();
        for path in paths_after(&f.code, "super::") {
            let mut t = parent.to_vec();
            t.push(path[0].clone());
            targets.push(t);
        }
        for path in paths_after(&f.code, "crate::") {
            if path.len() > 1 && path[..path.len() - 1].starts_with(parent) {
                targets.push(path[..parent.len() + 1].to_vec());
            }
        }
        for t in targets {
            let sibling = all.iter().any(|g| g.module == t && !g.is_mod);
            if t != f.module && names.contains(&t) && sibling {
                edges.entry(f.module.clone()).or_default().insert(t);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<String>,
    ) -> Option<String> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => return Some(format!("{} -> {}", stack.join(" -> "), n.join("::"))),
            _ => {}
        }
        state.insert(n.clone(), 1);
        stack.push(n.join("::"));
        for m in edges.get(n).into_iter().flatten() {
            if let Some(cycle) = visit(m, edges, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if let Some(cycle) = visit(n, &edges, &mut state, &mut Vec::new()) {
            panic!("files of one module import each other in a circle: {cycle}");
        }
    }
}

#[test]
fn the_reader_sees_grouped_and_inline_paths() {
    let code = code_of(
        "use crate::{a, b::{c, d}};\n// crate::comment\nfn f() { crate::e::g(); x::crate::h; }\n",
    );
    let paths: Vec<String> = paths_after(&code, "crate::")
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(paths, ["a", "b::c", "b::d", "e::g"]);
}
