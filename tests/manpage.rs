//! Keeps man/rjib.8 honest: it is lint-clean, its SYNOPSIS names every
//! option and action the binary mentions, and its worked examples (the MAC
//! tables, the sums, the dry runs, the JSON) are what rjib really computes
//! and prints.
//!
//! The man page marks the blocks this file reads with `.\"` comments
//! (`mac-table: sum`, `dry-run example`, …); a renamed marker fails loudly.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{BIN, host_file, iface_mut, read_host, seed, stdout, write_host};
use rjib::jib::mac::derive;
use rjib::jib::sum::bsd_sum;
use rjib::net::Mac;
use serde_json::{Value, json};

const MANPAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/man/rjib.8");

fn manpage() -> String {
    std::fs::read_to_string(MANPAGE).expect("man/rjib.8 is readable")
}

fn on_path(prog: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(prog))
        .find(|p| p.is_file())
}

#[test]
fn mandoc_lint_is_clean() {
    let Some(mandoc) = on_path("mandoc") else {
        eprintln!("skip: mandoc is not on PATH (apt-get install mandoc / pkg install mandoc)");
        return;
    };
    let out = Command::new(mandoc)
        .args(["-Tlint", "-W", "warning", MANPAGE])
        .output()
        .expect("mandoc runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.is_empty(),
        "mandoc -Tlint -W warning:\n{text}"
    );
}

/// The longest line of a rendering, in characters (overstrikes removed).
fn widest(rendered: &[u8]) -> (usize, String) {
    let text = String::from_utf8_lossy(rendered);
    text.lines()
        .map(|l| {
            let mut out: Vec<char> = Vec::new();
            for c in l.chars() {
                if c == '\u{8}' {
                    out.pop();
                } else {
                    out.push(c);
                }
            }
            (out.len(), out.into_iter().collect::<String>())
        })
        .max_by_key(|(n, _)| *n)
        .unwrap_or_default()
}

/// Issue 9: the page fits 80 columns, and `man ./man/rjib.8` (groff,
/// through man-db) formats it without a warning ("can't break line" for
/// the MAC tables, unknown .Fx versions).
#[test]
fn fits_80_columns_without_warnings() {
    if let Some(mandoc) = on_path("mandoc") {
        let out = Command::new(mandoc)
            .args(["-Tutf8", MANPAGE])
            .output()
            .expect("mandoc runs");
        let (n, line) = widest(&out.stdout);
        assert!(n <= 80, "mandoc renders a {n}-column line: {line:?}");
    }
    let Some(man) = on_path("man") else {
        eprintln!("skip: man is not on PATH");
        return;
    };
    let out = Command::new(man)
        .args(["-l", MANPAGE])
        .env("MANWIDTH", "80")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("MANPAGER")
        .env_remove("PAGER")
        .output()
        .expect("man runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.is_empty(), "man -l man/rjib.8 warns:\n{err}");
    let (n, line) = widest(&out.stdout);
    assert!(n <= 80, "man renders a {n}-column line: {line:?}");
}

// ---------------------------------------------------------------------------
// Reading the mdoc source.

/// The source lines of section `name` (`.Sh name` up to the next `.Sh`).
fn section<'a>(src: &'a str, name: &str) -> Vec<&'a str> {
    let head = format!(".Sh {name}");
    let mut lines = src.lines().skip_while(|l| *l != head);
    assert!(lines.next().is_some(), "man page has no {head}");
    lines.take_while(|l| !l.starts_with(".Sh ")).collect()
}

/// The source lines after the comment line starting with `.\" marker` up
/// to the next `.\" end …` comment.
fn marked<'a>(src: &'a str, marker: &str) -> Vec<&'a str> {
    let head = format!(".\\\" {marker}");
    let mut lines = src.lines().skip_while(|l| !l.starts_with(&head));
    assert!(lines.next().is_some(), "man page has no `{head}` marker");
    lines.take_while(|l| !l.starts_with(".\\\" end ")).collect()
}

/// The body of the first literal display (`.Bd` … `.Ed`) in `lines`.
fn display(lines: &[&str]) -> Vec<String> {
    let body: Vec<String> = lines
        .iter()
        .skip_while(|l| !l.starts_with(".Bd"))
        .skip(1)
        .take_while(|l| !l.starts_with(".Ed"))
        .map(|l| {
            l.replace("\\e", "\\")
                .replace("\\&", "")
                .replace("\\(aq", "'")
        })
        .collect();
    assert!(!body.is_empty(), "no literal display in {lines:?}");
    body
}

fn unescape(word: &str) -> String {
    word.replace("\\-", "-")
        .replace("\\&", "")
        .replace("\\(dq", "\"")
}

/// mdoc macros that may appear on a SYNOPSIS line and print no text.
const MACROS: &[&str] = &[
    "Nm", "Op", "Oo", "Oc", "Fl", "Ar", "Cm", "Ns", "Ic", "Li", "Pq", "Xo", "Xc", "Bk", "Ek", "Sm",
    "Ql", "Dq",
];

/// The words a run of mdoc lines prints, roughly as mandoc would: `Fl x`
/// prints `-x` (so `Fl -libxo` prints `--libxo`), a bare `Nm` prints `rjib`,
/// delimiters stand alone.
fn rendered_words(lines: &[&str]) -> Vec<String> {
    let mut words = Vec::new();
    for line in lines {
        if line.starts_with(".\\\"") {
            continue;
        }
        let Some(macro_line) = line.strip_prefix('.') else {
            words.extend(line.split_whitespace().map(unescape));
            continue;
        };
        let toks: Vec<&str> = macro_line.split_whitespace().collect();
        let mut in_fl = false;
        for (k, t) in toks.iter().enumerate() {
            if MACROS.contains(t) {
                in_fl = *t == "Fl";
                let bare = toks.get(k + 1).is_none_or(|n| MACROS.contains(n));
                if *t == "Nm" && bare {
                    words.push("rjib".into());
                }
                if *t == "Fl" && bare {
                    words.push("-".into());
                }
                continue;
            }
            let w = unescape(t);
            let delimiter = matches!(
                w.as_str(),
                "|" | "," | "." | ";" | ":" | "(" | ")" | "[" | "]"
            );
            words.push(if in_fl && !delimiter {
                format!("-{w}")
            } else {
                w
            });
        }
    }
    words
}

// ---------------------------------------------------------------------------
// SYNOPSIS against the binary.

fn run(args: &[&str], netsim: Option<&Path>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("LC_ALL", "C")
        .env_remove("RJIB_NETSIM_VIA");
    match netsim {
        Some(p) => c.env("RJIB_NETSIM", p),
        None => c.env_remove("RJIB_NETSIM"),
    };
    c.output().expect("rjib runs")
}

fn all_output(args: &[&str]) -> String {
    let o = run(args, None);
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `-x` and `--long` words in `text` (`--libxo=json` counts as `--libxo`).
fn options_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| c.is_whitespace() || "[]<>(),|=\"'`".contains(c))
        .filter(|w| {
            let rest = w.strip_prefix("--").or_else(|| w.strip_prefix('-'));
            rest.is_some_and(|r| {
                r.starts_with(|c: char| c.is_ascii_alphabetic())
                    && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Action names: clap's `Commands:` list and the first word of each action
/// line (one tab) of jib's usage block.
fn actions_in(help: &str, usage: &str) -> Vec<String> {
    let mut out: Vec<String> = help
        .lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    out.extend(
        usage
            .lines()
            .filter(|l| l.starts_with('\t') && !l.starts_with("\t\t"))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string),
    );
    out.sort();
    out.dedup();
    out
}

#[test]
fn synopsis_names_every_option_and_action_the_binary_mentions() {
    let src = manpage();
    let synopsis = rendered_words(&section(&src, "SYNOPSIS"));

    let help = all_output(&["--help"]);
    let mut texts = vec![help.clone()];
    for action in ["addm", "show", "destroy"] {
        texts.push(all_output(&[action, "--help"])); // clap's help for the action
        texts.push(all_output(&[action])); // jib's usage text for it (or show's output)
    }
    texts.push(all_output(&["check", "--help"]));
    let usage_block = all_output(&[]);
    texts.push(usage_block.clone());

    let options = options_in(&texts.concat());
    for sure in ["-b", "-h", "--help", "-V", "--version"] {
        assert!(
            options.iter().any(|o| o == sure),
            "found no {sure} in the help texts: {options:?}"
        );
    }
    let actions = actions_in(&help, &usage_block);
    for sure in ["addm", "show", "destroy"] {
        assert!(
            actions.iter().any(|a| a == sure),
            "found no action {sure}: {actions:?}"
        );
    }

    let missing: Vec<&String> = options
        .iter()
        .chain(&actions)
        .filter(|w| !synopsis.contains(w))
        .collect();
    assert!(
        missing.is_empty(),
        "rjib mentions {missing:?}, which man/rjib.8's SYNOPSIS lacks (it renders as {synopsis:?})"
    );
}

#[test]
fn synopsis_reader_renders_flags() {
    let words = rendered_words(&[
        ".Nm",
        ".Fl h | -help",
        ".Op Fl b Ar x",
        ".Op Fl -libxo Ar json Ns Op , Ns Ar pretty",
    ]);
    assert_eq!(
        words,
        [
            "rjib", "-h", "|", "--help", "-b", "x", "--libxo", "json", ",", "pretty"
        ]
    );
    assert_eq!(
        options_in("Usage: x [-n | --dry-run] --libxo=json, -b <B> e0b_NAME --"),
        ["--dry-run", "--libxo", "-b", "-n"]
    );
}

// ---------------------------------------------------------------------------
// The MAC tables.

struct Row {
    parent: Mac,
    name: String,
    n: u32,
    a: Mac,
    b: Mac,
}

/// The rows of a marked table (a literal display whose first line is the
/// header): parent, name, N, a end, b end.
fn mac_table(src: &str, scheme: &str) -> Vec<Row> {
    let body = display(&marked(src, &format!("mac-table: {scheme}")));
    assert_eq!(
        body[0].split_whitespace().collect::<Vec<_>>(),
        ["parent", "name", "N", "host", "end", "jail", "end"],
        "the {scheme} table's header"
    );
    let rows: Vec<Row> = body[1..]
        .iter()
        .map(|l| {
            let f: Vec<String> = l.split_whitespace().map(str::to_string).collect();
            assert_eq!(f.len(), 5, "a {scheme} row has 5 cells: {l}");
            let mac = |s: &str| {
                s.parse::<Mac>()
                    .unwrap_or_else(|e| panic!("{scheme} row {l}: {e}"))
            };
            Row {
                parent: mac(&f[0]),
                name: f[1].clone(),
                n: f[2].parse().unwrap_or_else(|_| panic!("N of {l}")),
                a: mac(&f[3]),
                b: mac(&f[4]),
            }
        })
        .collect();
    assert!(
        rows.len() >= 3,
        "the {scheme} table has only {} rows",
        rows.len()
    );
    rows
}

#[test]
fn sum_examples_are_what_derive_computes() {
    let src = manpage();
    let rows = mac_table(&src, "sum");
    for r in &rows {
        let got = derive(r.parent, &r.name, r.n);
        assert_eq!(
            (got.a, got.b),
            (r.a, r.b),
            "man page: {} on {} N={} → {} / {}, derive says {} / {}",
            r.name,
            r.parent,
            r.n,
            r.a,
            r.b,
            got.a,
            got.b
        );
    }
    // The page's point: ab and ca collide under sum(1)…
    let find = |rows: &[Row], name: &str| {
        rows.iter()
            .position(|r| r.name == name)
            .unwrap_or_else(|| panic!("no {name} row"))
    };
    let (ab, ca) = (&rows[find(&rows, "ab")], &rows[find(&rows, "ca")]);
    assert_eq!(ab.parent, ca.parent);
    assert_eq!(
        (ab.a, ab.b),
        (ca.a, ca.b),
        "the sum table should show ab and ca colliding"
    );
    // …and the sums quoted in the text are right.
    for name in ["jamulus", "x", "ab", "ca"] {
        let s = bsd_sum(name.as_bytes());
        let quoted = format!("{s}, hex {s:04x}");
        assert!(
            src.contains(&quoted),
            "the page should quote sum({name}) as \"{quoted}\""
        );
    }
}

/// FIPS 180-4 SHA-256, so the page's sha256 examples are checked by code
/// that shares nothing with rjib's.
fn sha256(msg: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut data = msg.to_vec();
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend_from_slice(&((msg.len() as u64) * 8).to_be_bytes());
    for block in data.chunks(64) {
        let mut w = [0u32; 64];
        for (i, c) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (o, x) in out.chunks_mut(4).zip(h) {
        o.copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn sha256_is_fips_180_4() {
    assert_eq!(
        hex(&sha256(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        hex(&sha256(b"")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let long = vec![b'a'; 1000];
    assert_eq!(
        hex(&sha256(&long)),
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
    );
}

#[test]
fn sha256_examples_follow_the_documented_layout() {
    let src = manpage();
    let rows = mac_table(&src, "sha256");
    for r in &rows {
        // NP:HH:HH:HH:I4:I5, P from the parent's first octet's low nibble.
        let (pa, pb) = match r.parent.0[0] & 0x0f {
            0x2 => (0xa, 0xe),
            0xe => (0x2, 0x6),
            _ => (0x2, 0xe),
        };
        let h = sha256(r.name.as_bytes());
        let n = ((r.n & 15) as u8) << 4;
        let p = r.parent.0;
        let want = |x: u8| Mac([n | x, h[0], h[1], h[2], p[4], p[5]]);
        assert_eq!(
            (r.a, r.b),
            (want(pa), want(pb)),
            "sha256 row for {} on {}",
            r.name,
            r.parent
        );
    }
    let by = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no {name} row"))
    };
    assert_ne!(by("ab").a, by("ca").a, "sha256 must tell ab and ca apart");
    assert!(
        src.contains(&format!("begins with {}", hex(&sha256(b"jamulus")[..3]))),
        "the page should quote the start of SHA-256(jamulus)"
    );
}

// ---------------------------------------------------------------------------
// The dry-run and JSON examples, run on the seed host of the EXAMPLES.

/// The command (after `$ `) and the expected output of a marked display.
fn example(src: &str, marker: &str) -> (Vec<String>, String) {
    let body = display(&marked(src, marker));
    let cmd = body[0]
        .strip_prefix("$ /usr/local/sbin/rjib ")
        .unwrap_or_else(|| panic!("{marker}: first line is `$ /usr/local/sbin/rjib …`"));
    let args = cmd.split_whitespace().map(str::to_string).collect();
    let mut out = body[1..].join("\n");
    out.push('\n');
    (args, out)
}

#[test]
fn dry_run_example_is_what_rjib_prints_and_changes_nothing() {
    let src = manpage();
    let (args, want) = example(&src, "dry-run example");
    assert_eq!(args[0], "-n");
    let dir = tempfile::tempdir().unwrap();
    let mut host = seed();
    host["euid"] = json!(1001); // the page says: no root needed
    let path = host_file(&dir, &host);
    let before = std::fs::read(&path).unwrap();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&args, Some(&path));
    assert!(
        o.status.success(),
        "rjib {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(stdout(&o), want, "the man page's dry-run example");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a dry run must leave the host file as it was"
    );
}

#[test]
fn new_bridge_dry_run_fragments_are_what_rjib_prints() {
    let src = manpage();
    let prefix = display(&marked(&src, "dry-run prefix: www em0"));
    let part = display(&marked(&src, "dry-run part: www em0"));
    // "If this host also had an em0 that is down, has an MTU of 9000 and is
    // in no bridge"
    let mut host = seed();
    let next_index = host["interfaces"].as_array().unwrap().len() as u64 + 1;
    host["interfaces"].as_array_mut().unwrap().push(json!({
        "name": "em0", "index": next_index, "type": "ether", "cloner": null, "unit": null,
        "peer": null, "ether": "00:25:90:ab:cd:ef", "mtu": 9000, "up": false,
        "groups": [], "members": null, "description": null
    }));
    let dir = tempfile::tempdir().unwrap();
    let path = host_file(&dir, &host);
    let o = run(&["-n", "addm", "www", "em0"], Some(&path));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    assert!(
        got.starts_with(&prefix),
        "`rjib -n addm www em0` printed {got:#?}, the page says it starts with {prefix:#?}"
    );
    assert!(
        got.windows(part.len()).any(|w| w == part.as_slice()),
        "`rjib -n addm www em0` printed {got:#?}, the page says it contains {part:#?}"
    );
}

#[test]
fn json_example_is_what_rjib_prints_for_a_running_jail() {
    let src = manpage();
    let (args, want) = example(&src, "json example");
    serde_json::from_str::<Value>(&want).expect("the page's JSON example parses");
    let dir = tempfile::tempdir().unwrap();
    let path = host_file(&dir, &seed());
    let o = run(&["addm", "jamulus", "vtnet0"], Some(&path));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // jail(8) moves e0b_jamulus into the jail: the host no longer sees it.
    let mut host = read_host(&path);
    host["version"] = json!(2);
    host["jails"] = json!([{"name": "jamulus", "jid": 1}]);
    let b = iface_mut(&mut host, "e0b_jamulus").expect("addm made e0b_jamulus");
    b["vnet"] = json!("jamulus");
    write_host(&path, &host);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&args, Some(&path));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o), want, "the man page's JSON example");
}

/// Issue 9, the documents: jail(8) runs exec.prestart with the PATH it was
/// started with (/sbin:/bin:/usr/sbin:/usr/bin at boot), so every
/// jail.conf example in rjib(8) and the README calls rjib by its full path.
#[test]
fn jail_conf_examples_use_the_full_path() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (doc, text) in [("rjib.8", manpage()), ("README.md", readme)] {
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("exec.prestart") || l.contains("exec.poststop"))
            .filter(|l| l.contains('"'))
            .collect();
        assert!(lines.len() >= 2, "{doc} has jail.conf examples");
        for l in lines {
            assert!(
                l.contains("\"/usr/local/sbin/rjib "),
                "{doc}: {l:?} does not call /usr/local/sbin/rjib"
            );
        }
    }
}

/// Issue 9, the documents: "a jail name of up to 11 characters always
/// fits" was false from the eleventh argument on. The page's claims, run.
#[test]
fn jail_name_length_claims_hold() {
    let src = manpage().replace('\n', " ");
    assert!(
        src.contains("so a jail name of up to 11 bytes fits ten arguments, and one of up to 10 bytes a hundred"),
        "the page states the limits this test checks"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut host = seed();
    host["interfaces"].as_array_mut().unwrap().push(json!({
        "name": "em0", "index": 50, "type": "ether", "ether": "00:25:90:ab:cd:ef",
        "mtu": 1500, "up": true, "groups": []
    }));
    let path = host_file(&dir, &host);
    let fits = |name: &str, n: usize| {
        let mut args = vec!["-n", "addm", name];
        args.extend(std::iter::repeat_n("em0", n));
        run(&args, Some(&path)).status.success()
    };
    assert!(fits("abcdefghijk", 10));
    assert!(!fits("abcdefghijk", 11), "e10a_abcdefghijk has 16 bytes");
    assert!(fits("abcdefghij", 100));
    assert!(!fits("abcdefghij", 101), "e100a_abcdefghij has 16 bytes");
}
