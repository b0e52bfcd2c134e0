//! The part of glob(3) that jail(8)'s `.include` uses: `glob(pattern,
//! GLOB_NOCHECK)` with no other flag (`config.c` `include_config`).
//!
//! - `*` any run of characters, `?` one character, `[…]` one of a set
//!   (`[!…]` none of it, `a-z` ranges, a `]` first is literal); a `[` with
//!   no `]` after it is literal. A backslash makes the next character literal.
//! - Wildcards never match a `/`, nor a leading `.` (write the dot).
//! - No `{a,b}` and no `~` (those need GLOB_BRACE and GLOB_TILDE).
//! - Matches come sorted by their bytes (glob sorts with strcoll, and
//!   jail(8) runs in the C locale); unreadable directories are skipped
//!   (no GLOB_ERR).

use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// Whether `pattern` has a glob character, so that glob(3) sets
/// GLOB_MAGCHAR and jail(8) reads the matches rather than the name.
pub fn has_magic(pattern: &[u8]) -> bool {
    let closes = closing_brackets(pattern);
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' => i += 2,
            b'*' | b'?' => return true,
            b'[' if bracket_end(pattern, i, &closes).is_some() => return true,
            _ => i += 1,
        }
    }
    false
}

/// The paths matching `pattern`, sorted; none when nothing matches.
pub fn glob(pattern: &[u8]) -> Vec<PathBuf> {
    let absolute = pattern.starts_with(b"/");
    let mut found: Vec<PathBuf> = vec![PathBuf::from(if absolute { "/" } else { "" })];
    for comp in pattern.split(|b| *b == b'/').filter(|c| !c.is_empty()) {
        if has_magic(comp) {
            let mut next = Vec::new();
            for dir in &found {
                let listing = if dir.as_os_str().is_empty() {
                    fs::read_dir(".")
                } else {
                    fs::read_dir(dir)
                };
                let Ok(listing) = listing else { continue };
                for entry in listing.flatten() {
                    let name = entry.file_name();
                    let name = name.as_bytes();
                    if name.first() == Some(&b'.') && comp.first() != Some(&b'.') {
                        continue;
                    }
                    if matches(comp, name) {
                        next.push(dir.join(entry.file_name()));
                    }
                }
            }
            found = next;
        } else {
            let literal = OsString::from_vec(unescape(comp));
            for dir in &mut found {
                dir.push(&literal);
            }
        }
    }
    found.retain(|p| fs::symlink_metadata(p).is_ok());
    found.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
    found
}

fn unescape(chars: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == b'\\' && i + 1 < chars.len() {
            i += 1;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// For each position, where the next `]` at or after it is (`usize::MAX`:
/// none): one pass, so that finding brackets stays linear.
fn closing_brackets(pat: &[u8]) -> Vec<usize> {
    let mut next = vec![usize::MAX; pat.len() + 1];
    for i in (0..pat.len()).rev() {
        next[i] = if pat[i] == b']' { i } else { next[i + 1] };
    }
    next
}

/// The index of the `]` closing the bracket expression opening at
/// `open`, if there is one (glob.c `glob0`: the first member may be `]`).
fn bracket_end(pat: &[u8], open: usize, closes: &[usize]) -> Option<usize> {
    let mut i = open + 1;
    if pat.get(i) == Some(&b'!') {
        i += 1;
    }
    // The first member is taken as it is, even a `]`.
    pat.get(i)?;
    let end = closes[i + 1];
    (end != usize::MAX).then_some(end)
}

/// One pattern element: how long it is and whether it matches `c`.
fn element(pat: &[u8], p: usize, c: u8, closes: &[usize]) -> (usize, bool) {
    match pat[p] {
        b'?' => (1, true),
        b'[' => match bracket_end(pat, p, closes) {
            Some(end) => {
                let (negate, set) = match pat[p + 1] {
                    b'!' => (true, &pat[p + 2..end]),
                    _ => (false, &pat[p + 1..end]),
                };
                (end + 1 - p, in_set(set, c) != negate)
            }
            None => (1, c == b'['),
        },
        b'\\' if p + 1 < pat.len() => (2, c == pat[p + 1]),
        other => (1, c == other),
    }
}

/// Whether `name` matches the one-component pattern `pat`. Iterative, with
/// one remembered `*` to go back to (a later `*` makes earlier ones moot),
/// so any pattern costs at most the product of the two lengths and no
/// stack.
fn matches(pat: &[u8], name: &[u8]) -> bool {
    let closes = closing_brackets(pat);
    let (mut p, mut n) = (0, 0);
    // The last `*` seen (the pattern after it) and where its match ends.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pat.len() && pat[p] == b'*' {
            p += 1;
            star = Some((p, n));
            continue;
        }
        if n == name.len() && p == pat.len() {
            return true;
        }
        if n < name.len() && p < pat.len() {
            let (len, ok) = element(pat, p, name[n], &closes);
            if ok {
                p += len;
                n += 1;
                continue;
            }
        }
        // Let the last `*` take one more byte, or fail.
        match star {
            Some((sp, sn)) if sn < name.len() => {
                star = Some((sp, sn + 1));
                p = sp;
                n = sn + 1;
            }
            _ => return false,
        }
    }
}

fn in_set(set: &[u8], c: u8) -> bool {
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == b'-' {
            if set[i] <= c && c <= set[i + 2] {
                return true;
            }
            i += 3;
        } else {
            if set[i] == c {
                return true;
            }
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pat: &str, name: &str) -> bool {
        matches(pat.as_bytes(), name.as_bytes())
    }

    #[test]
    fn magic_characters() {
        assert!(has_magic(b"/etc/jail.conf.d/*.conf"));
        assert!(has_magic(b"jail[.]conf"));
        assert!(has_magic(b"a?"));
        assert!(!has_magic(b"/etc/jail.conf"));
        assert!(!has_magic(b"a[b"));
        assert!(!has_magic(br"a\*b"));
    }

    #[test]
    fn component_matching() {
        assert!(m("*.conf", "www.conf"));
        assert!(!m("*.conf", "www.conf.bak"));
        assert!(m("jail[.]conf", "jail.conf"));
        assert!(m("[!a]x", "bx"));
        assert!(!m("[!a]x", "ax"));
        assert!(m("[a-c]?", "bz"));
        assert!(m("[]]", "]"));
        assert!(m(r"\*", "*"));
        assert!(!m(r"\*", "x"));
        assert!(m("a[b", "a[b"));
        assert!(m("*a*b", "xaxxb"));
        assert!(!m("*a*b", "xaxxbc"));
        assert!(m("a*", "a"));
        assert!(m("*", ""));
        assert!(!m("?", ""));
        assert!(m("*[ab]?c*", "zzbxcq"));
        assert!(m("\\[x]", "[x]"));
    }

    /// Patterns glob(3) or an attacker could write: long runs of `*`, `?`
    /// and `[` neither overflow the stack nor take exponential time.
    #[test]
    fn adversarial_patterns_are_cheap() {
        let t = std::time::Instant::now();
        let stars = "*a".repeat(100_000) + "b";
        assert!(!m(&stars, &"a".repeat(200)));
        assert!(m(&"*".repeat(1_000_000), "anything"));
        assert!(!m(&"?".repeat(1_000_000), "short"));
        let brackets = "[".repeat(200_000);
        assert!(!has_magic(brackets.as_bytes()));
        assert!(m(&brackets, &"[".repeat(200_000)));
        assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
    }

    #[test]
    fn glob_lists_sorted_matches_and_skips_dotfiles() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.conf", "a.conf", ".hidden.conf", "c.txt"] {
            fs::write(dir.path().join(name), "").unwrap();
        }
        let pattern = format!("{}/*.conf", dir.path().display());
        let got: Vec<String> = glob(pattern.as_bytes())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(got, vec!["a.conf", "b.conf"]);
        assert!(glob(format!("{}/*.none", dir.path().display()).as_bytes()).is_empty());
    }
}
