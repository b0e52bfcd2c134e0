//! The layers of doc/architecture.md, kept: every path from one module of
//! `src/` to another (`use crate::…`, `crate::` in code, `super::` that
//! climbs out of a module, `$crate::` in macros, `rjib::` in main.rs)
//! points to the same layer or one below, and no modules use each other in
//! a ring: not two top-level modules (app and check, host and lock), not
//! two files of one module outside their tests (jailconf's parser and
//! include).
//!
//! The layer of each module comes from the table in doc/architecture.md,
//! so the document and the tree cannot part. The checker is tested on
//! made-up sources below: a back-import must fail it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A top-level module's layer: its number and name (`2 semantics`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Layer {
    rank: u32,
    name: String,
}

/// The layer table of doc/architecture.md: rows whose first cell is
/// `N name`, whose second lists the modules (`net/`, `util.rs`).
fn layer_table(doc: &str) -> Result<BTreeMap<String, Layer>, String> {
    let mut table = BTreeMap::new();
    for line in doc.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[0].is_empty() {
            continue;
        }
        let Some((rank, name)) = cells[1].split_once(' ') else {
            continue;
        };
        let Ok(rank) = rank.parse::<u32>() else {
            continue;
        };
        for module in cells[2].split('`').skip(1).step_by(2) {
            let module = module.trim_end_matches('/').trim_end_matches(".rs");
            let layer = Layer {
                rank,
                name: name.to_string(),
            };
            if table.insert(module.to_string(), layer).is_some() {
                return Err(format!("{module} is in the table twice"));
            }
        }
    }
    match table.is_empty() {
        true => Err("no layer table".to_string()),
        false => Ok(table),
    }
}

// ---------------------------------------------------------------------------
// Reading Rust: tokens without comments, strings and characters.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

/// The tokens of `src` that can name a module, each with its line.
/// Comments, string and character literals and lifetimes are skipped.
fn tokens(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Skip to the end of a string whose opening quote is at `c[i]`.
    let skip_string = |mut i: usize, line: &mut usize, hashes: usize| {
        i += 1;
        while i < c.len() {
            match c[i] {
                '\n' => *line += 1,
                '\\' if hashes == usize::MAX => i += 1,
                '"' if hashes == usize::MAX => return i + 1,
                '"' if (0..hashes).all(|k| c.get(i + 1 + k) == Some(&'#')) => {
                    return i + 1 + hashes;
                }
                _ => {}
            }
            i += 1;
        }
        i
    };
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(i, &mut line, usize::MAX);
        } else if ch == '\'' {
            // A character literal ('x', '\n', '\u{1b}') or a lifetime ('a).
            if next == Some('\\') {
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            // Raw and byte strings: r"…", r#"…"#, b"…", br"…".
            let raw = matches!(word.as_str(), "r" | "br");
            if (raw || word == "b") && matches!(c.get(i), Some('"') | Some('#')) {
                let mut hashes = 0;
                while c.get(i) == Some(&'#') {
                    hashes += 1;
                    i += 1;
                }
                if c.get(i) == Some(&'"') {
                    i = skip_string(i, &mut line, if raw { hashes } else { usize::MAX });
                    continue;
                }
            }
            out.push((Tok::Ident(word), line));
        } else if ch == ':' && next == Some(':') {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            if !ch.is_whitespace() {
                out.push((Tok::Punct(ch), line));
            }
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The module paths a file names.

/// One path from a module to a module (both from the crate root).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ref {
    file: String,
    line: usize,
    from: Vec<String>,
    to: Vec<String>,
    /// Inside a `#[cfg(test)]` module.
    test: bool,
}

fn ident(t: Option<&(Tok, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Ident(s), _)) => Some(s),
        _ => None,
    }
}

/// The paths of a `use` tree at `toks[i..]`, each after `prefix`; the index
/// after the tree.
fn use_tree(toks: &[(Tok, usize)], mut i: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    loop {
        match toks.get(i) {
            Some((Tok::Ident(s), _)) => {
                if s != "self" {
                    path.push(s.clone());
                }
                i += 1;
                if toks.get(i).map(|t| &t.0) != Some(&Tok::Path) {
                    return (vec![path], i);
                }
                i += 1;
            }
            Some((Tok::Punct('{'), _)) => {
                let mut all = Vec::new();
                i += 1;
                loop {
                    match toks.get(i) {
                        None => return (all, i),
                        Some((Tok::Punct('}'), _)) => return (all, i + 1),
                        Some((Tok::Punct(','), _)) => i += 1,
                        _ => {
                            let (more, j) = use_tree(toks, i, path.clone());
                            all.extend(more);
                            // Skip `as NAME` and anything else up to , or }.
                            i = j;
                            while let Some((t, _)) = toks.get(i) {
                                if matches!(t, Tok::Punct(',') | Tok::Punct('}')) {
                                    break;
                                }
                                i += 1;
                            }
                        }
                    }
                }
            }
            _ => return (vec![path], i),
        }
    }
}

/// Every module path the file `file` (module path `module`) names.
/// `bin`: the binary's main.rs, which reaches the library as `rjib::`.
fn refs(file: &str, module: &[String], bin: bool, src: &str) -> Result<Vec<Ref>, String> {
    let toks = tokens(src);
    let mut out = Vec::new();
    // Inline modules: (name, brace depth inside it, test).
    let mut inline: Vec<(String, usize, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut cfg_test = false;
    let mut i = 0;
    while i < toks.len() {
        let (t, line) = &toks[i];
        match t {
            Tok::Punct('#') => {
                // An attribute, skipped; #[cfg(test)] marks the item after it.
                let open = match toks.get(i + 1).map(|t| &t.0) {
                    Some(Tok::Punct('[')) => Some(i + 1),
                    Some(Tok::Punct('!')) => Some(i + 2),
                    _ => None,
                };
                if let Some(open) =
                    open.filter(|&o| toks.get(o).map(|t| &t.0) == Some(&Tok::Punct('[')))
                {
                    let mut j = open;
                    let mut brackets = 0;
                    while let Some((t, _)) = toks.get(j) {
                        match t {
                            Tok::Punct('[') => brackets += 1,
                            Tok::Punct(']') => brackets -= 1,
                            _ => {}
                        }
                        j += 1;
                        if brackets == 0 {
                            break;
                        }
                    }
                    let inside: Vec<&Tok> = toks[open + 1..j - 1].iter().map(|t| &t.0).collect();
                    let cfg_test_attr = [
                        Tok::Ident("cfg".into()),
                        Tok::Punct('('),
                        Tok::Ident("test".into()),
                        Tok::Punct(')'),
                    ];
                    if inside.iter().copied().eq(cfg_test_attr.iter()) {
                        cfg_test = true;
                    }
                    i = j;
                    continue;
                }
            }
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|m| m.1 == depth + 1) {
                    inline.pop();
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some(name), Some((Tok::Punct('{'), _))) =
                    (ident(toks.get(i + 1)), toks.get(i + 2))
                {
                    let test = cfg_test || inline.last().is_some_and(|m| m.2);
                    inline.push((name.to_string(), depth + 1, test));
                    depth += 1;
                    cfg_test = false;
                    i += 3;
                    continue;
                }
            }
            _ => {}
        }
        if !matches!(t, Tok::Ident(w) if w == "pub" || w == "mod") {
            cfg_test = false;
        }
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|m| m.0.clone()))
            .collect();
        let test = inline.last().is_some_and(|m| m.2);
        let after_path = toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Path);
        let prev_is_path = i > 0 && toks[i - 1].0 == Tok::Path;
        let start = match t {
            Tok::Ident(w) if after_path && !prev_is_path => match w.as_str() {
                "crate" => Some((Vec::new(), i + 2)),
                "rjib" if bin => Some((Vec::new(), i + 2)),
                "self" => Some((here.clone(), i + 2)),
                "super" => {
                    let mut up = 0;
                    let mut j = i;
                    while ident(toks.get(j)) == Some("super")
                        && toks.get(j + 1).map(|t| &t.0) == Some(&Tok::Path)
                    {
                        up += 1;
                        j += 2;
                    }
                    if up > here.len() {
                        return Err(format!("{file}:{line}: super:: climbs above the crate"));
                    }
                    Some((here[..here.len() - up].to_vec(), j))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((prefix, j)) = start {
            let (paths, end) = use_tree(&toks, j, prefix);
            for to in paths {
                out.push(Ref {
                    file: file.to_string(),
                    line: *line,
                    from: here.clone(),
                    to,
                    test,
                });
            }
            i = end;
            continue;
        }
        i += 1;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The checker.

/// The module path of a file under src/: `check/collide.rs` is
/// `[check, collide]`, `check/mod.rs` is `[check]`, `main.rs` is `[main]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// A ring in `edges`, if there is one, as the modules around it.
fn ring(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).expect("on the stack");
                    let mut r = stack[at..].to_vec();
                    r.push(m.clone());
                    return Some(r);
                }
                0 => {
                    if let Some(r) = visit(m, edges, state, stack) {
                        return Some(r);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(r) = visit(n, edges, &mut state, &mut stack) {
                return Some(r);
            }
        }
    }
    None
}

/// Everything wrong with `sources` (path under src/, text) against `table`:
/// modules in no layer, paths that point up, rings.
fn violations(sources: &[(String, String)], table: &BTreeMap<String, Layer>) -> Vec<String> {
    let mut bad = Vec::new();
    let mut all = Vec::new();
    let mut tops = BTreeSet::new();
    for (file, text) in sources {
        let module = module_of(file);
        if let Some(top) = module.first() {
            tops.insert(top.clone());
        }
        match refs(file, &module, file == "main.rs", text) {
            Ok(r) => all.extend(r),
            Err(e) => bad.push(e),
        }
    }
    for top in &tops {
        if !table.contains_key(top) {
            bad.push(format!("src/{top}: in no layer of doc/architecture.md"));
        }
    }
    for name in table.keys() {
        if !tops.contains(name) {
            bad.push(format!(
                "doc/architecture.md: {name} is not a module of src/"
            ));
        }
    }
    let mut top_edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut sub_edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &all {
        let (Some(from), Some(to)) = (r.from.first(), r.to.first()) else {
            continue;
        };
        if from != to {
            top_edges
                .entry(from.clone())
                .or_default()
                .insert(to.clone());
            let (Some(a), Some(b)) = (table.get(from), table.get(to)) else {
                bad.push(format!(
                    "src/{}:{}: {} names {to}, in no layer",
                    r.file, r.line, from
                ));
                continue;
            };
            if b.rank > a.rank {
                bad.push(format!(
                    "src/{}:{}: {from} (layer {} {}) uses {} (layer {} {}): imports point down",
                    r.file,
                    r.line,
                    a.rank,
                    a.name,
                    r.to.join("::"),
                    b.rank,
                    b.name
                ));
            }
        } else if let (Some(a), Some(b)) = (r.from.get(1), r.to.get(1))
            && a != b
            && !r.test
        {
            sub_edges
                .entry(format!("{from}::{a}"))
                .or_default()
                .insert(format!("{from}::{b}"));
        }
    }
    for (what, edges) in [("modules", &top_edges), ("files of one module", &sub_edges)] {
        if let Some(r) = ring(edges) {
            bad.push(format!("{what} use each other: {}", r.join(" -> ")));
        }
    }
    bad
}

/// Every .rs file under src/, by its path there.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let src = Path::new(ROOT).join("src");
    let mut out = Vec::new();
    walk(&src, &src, &mut out);
    out.sort();
    out
}

fn the_table() -> BTreeMap<String, Layer> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("doc/architecture.md")).unwrap();
    layer_table(&doc).unwrap()
}

#[test]
fn imports_point_down_and_close_no_ring() {
    let sources = sources();
    let table = the_table();
    assert_eq!(
        violations(&sources, &table),
        Vec::<String>::new(),
        "see doc/architecture.md"
    );
    // The checker saw the tree: the paths it read include the ones that
    // cross layers downwards.
    let seen: BTreeSet<(String, String)> = sources
        .iter()
        .flat_map(|(f, t)| refs(f, &module_of(f), f == "main.rs", t).unwrap())
        .filter_map(|r| Some((r.from.first()?.clone(), r.to.first()?.clone())))
        .collect();
    for (a, b) in [
        ("jib", "net"),
        ("host", "net"),
        ("exec", "host"),
        ("app", "exec"),
    ] {
        assert!(seen.contains(&(a.into(), b.into())), "{a} -> {b} not read");
    }
    assert!(table.len() >= 18, "{table:?}");
}

// ---------------------------------------------------------------------------
// The checker on made-up sources: it must fail where the tree would be
// wrong.

fn table() -> BTreeMap<String, Layer> {
    layer_table(
        "| layer | modules | what |\n\
         | ----- | ------- | ---- |\n\
         | 1 values | `net/` | names |\n\
         | 2 semantics | `jib/`, `jailconf/` | pure |\n\
         | 3 host interface | `host/`, `lock.rs` | the trait |\n\
         | 6 front end | `app.rs`, `check/`, `main.rs` | runs |\n",
    )
    .unwrap()
}

fn tree(files: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        "net/mod.rs",
        "jib/mod.rs",
        "jailconf/mod.rs",
        "host/mod.rs",
        "lock.rs",
        "app.rs",
        "check/mod.rs",
        "main.rs",
    ]
    .iter()
    .map(|f| (f.to_string(), String::new()))
    .collect();
    for (f, text) in files {
        v.retain(|(g, _)| g != f);
        v.push((f.to_string(), text.to_string()));
    }
    v
}

fn check(files: &[(&str, &str)]) -> Vec<String> {
    violations(&tree(files), &table())
}

#[test]
fn the_table_is_read_from_the_document() {
    let t = table();
    assert_eq!(t["net"].rank, 1);
    assert_eq!(t["jailconf"].name, "semantics");
    assert_eq!(t["lock"].rank, 3);
    assert_eq!(t["main"].rank, 6);
    assert!(layer_table("no table here").is_err());
    assert!(layer_table("| 1 values | `net/` | x |\n| 2 pure | `net/` | x |\n").is_err());
}

#[test]
fn a_back_import_fails() {
    assert_eq!(check(&[]), Vec::<String>::new());
    assert_eq!(
        check(&[("jib/plan.rs", "use crate::net::IfName;\n")]),
        Vec::<String>::new()
    );
    let v = check(&[(
        "jib/plan.rs",
        "use std::fmt;\n\nuse crate::host::Interface;\n",
    )]);
    assert_eq!(
        v,
        [
            "src/jib/plan.rs:3: jib (layer 2 semantics) uses host::Interface (layer 3 host interface): imports point down"
        ]
    );
}

#[test]
fn every_spelling_of_a_path_is_read() {
    for (file, text, to) in [
        // In code, not only in use lines.
        (
            "jib/show.rs",
            "fn f() { let x = crate::app::run(); }",
            "app::run",
        ),
        // A group.
        (
            "jib/show.rs",
            "use crate::{net::Mac, host::{Host as H}};",
            "host::Host",
        ),
        // super:: out of an inline module and out of the file's module.
        (
            "jib/show.rs",
            "mod tests { use super::super::super::check::X; }",
            "check::X",
        ),
        (
            "net/mac.rs",
            "fn f() { super::super::lock::acquire(); }",
            "lock::acquire",
        ),
        // A macro's $crate.
        (
            "net/mod.rs",
            "macro_rules! m { () => { $crate::host::Host } }",
            "host::Host",
        ),
        // self:: from a module root is the module itself.
        (
            "host/mod.rs",
            "fn f() { self::x(); crate::app::y(); }",
            "app::y",
        ),
        // After a character literal, a lifetime and a raw string.
        (
            "net/mod.rs",
            "fn f<'a>(c: &'a str) { let q = '\"'; let r = r#\"\"#; crate::jib::x(); }",
            "jib::x",
        ),
        // Tests are checked too.
        (
            "jib/sum.rs",
            "#[cfg(test)]\nmod tests { use crate::host::LinkType; }",
            "host::LinkType",
        ),
    ] {
        let v = check(&[(file, text)]);
        assert_eq!(v.len(), 1, "{file}: {text}: {v:?}");
        assert!(v[0].contains(&format!(" uses {to} ")), "{text}: {v:?}");
    }
    // main.rs reaches the library as rjib::.
    let v = violations(
        &tree(&[("main.rs", "use rjib::app::run;")]),
        &layer_table("| 1 values | `net/`, `jib/`, `jailconf/`, `host/`, `lock.rs`, `check/`, `main.rs` | x |\n| 2 front | `app.rs` | y |\n")
            .unwrap(),
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].starts_with("src/main.rs:1: main (layer 1 values) uses app::run"),
        "{v:?}"
    );
}

#[test]
fn comments_and_strings_are_not_paths() {
    let text = "//! See crate::app.\n/* crate::check /* nested */ crate::app */\n\
                fn f() { let s = \"crate::app\"; let b = b\"crate::app\"; let r = r\"crate::app\"; }\n\
                /// `crate::app::run`\nfn g() { let c = '\\''; pub(super) fn h() {} }\n";
    assert_eq!(check(&[("jib/show.rs", text)]), Vec::<String>::new());
}

#[test]
fn rings_fail_between_modules_and_between_files() {
    // app and check using each other: a ring, though both are layer 6.
    let v = check(&[
        ("app.rs", "use crate::check::run;"),
        ("check/mod.rs", "use crate::app::Io;"),
    ]);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].starts_with("modules use each other: "), "{v:?}");
    assert!(
        v[0].contains("app -> check") || v[0].contains("check -> app"),
        "{v:?}"
    );
    // jailconf's parser and include using each other.
    let v = check(&[
        ("jailconf/parser.rs", "use super::include::Session;"),
        ("jailconf/include.rs", "use super::{eval, parser};"),
        ("jailconf/eval.rs", "use super::parser::Raw;"),
    ]);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].starts_with("files of one module use each other: ")
            && v[0].contains("jailconf::parser -> jailconf::include"),
        "{v:?}"
    );
    // One direction is fine, and so is a test that reaches back.
    let v = check(&[
        (
            "jailconf/parser.rs",
            "use super::Loc;\n#[cfg(test)]\nmod tests { use super::super::include::x; }",
        ),
        ("jailconf/include.rs", "use super::parser;"),
    ]);
    assert_eq!(v, Vec::<String>::new());
}

#[test]
fn a_module_in_no_layer_fails() {
    let v = check(&[("extra.rs", "")]);
    assert_eq!(v, ["src/extra: in no layer of doc/architecture.md"]);
    let v = violations(
        &tree(&[]),
        &layer_table("| 1 values | `net/`, `gone.rs` | x |\n").unwrap(),
    );
    assert!(
        v.contains(&"doc/architecture.md: gone is not a module of src/".to_string()),
        "{v:?}"
    );
}
