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

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Whether `pattern` has a glob character, so that glob(3) sets
/// GLOB_MAGCHAR and jail(8) reads the matches rather than the name.
pub fn has_magic(pattern: &str) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '*' | '?' => return true,
            '[' if bracket_end(&chars, i).is_some() => return true,
            _ => i += 1,
        }
    }
    false
}

/// The paths matching `pattern`, sorted; none when nothing matches.
pub fn glob(pattern: &str) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    let mut found: Vec<PathBuf> = vec![PathBuf::from(if absolute { "/" } else { "" })];
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    for comp in components {
        let comp_chars: Vec<char> = comp.chars().collect();
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
                    let name = name.to_string_lossy();
                    let name: Vec<char> = name.chars().collect();
                    if name.first() == Some(&'.') && comp_chars.first() != Some(&'.') {
                        continue;
                    }
                    if matches(&comp_chars, &name) {
                        next.push(dir.join(entry.file_name()));
                    }
                }
            }
            found = next;
        } else {
            let literal = unescape(&comp_chars);
            for dir in &mut found {
                dir.push(&literal);
            }
        }
    }
    found.retain(|p| fs::symlink_metadata(p).is_ok());
    found.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
    found
}

fn unescape(chars: &[char]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            i += 1;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The index of the `]` closing the bracket expression opening at
/// `open`, if there is one (glob.c `glob0`: the first member may be `]`).
fn bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if chars.get(i) == Some(&'!') {
        i += 1;
    }
    // The first member is taken as it is, even a `]`.
    chars.get(i)?;
    (i + 1..chars.len()).find(|&k| chars[k] == ']')
}

/// Whether `name` matches the one-component pattern `pat`.
fn matches(pat: &[char], name: &[char]) -> bool {
    match pat.first() {
        None => name.is_empty(),
        Some('*') => (0..=name.len()).any(|skip| matches(&pat[1..], &name[skip..])),
        Some('?') => !name.is_empty() && matches(&pat[1..], &name[1..]),
        Some('[') => match bracket_end(pat, 0) {
            Some(end) => {
                let Some(&c) = name.first() else { return false };
                let (negate, set) = match pat[1] {
                    '!' => (true, &pat[2..end]),
                    _ => (false, &pat[1..end]),
                };
                in_set(set, c) != negate && matches(&pat[end + 1..], &name[1..])
            }
            None => name.first() == Some(&'[') && matches(&pat[1..], &name[1..]),
        },
        Some('\\') if pat.len() > 1 => {
            name.first() == Some(&pat[1]) && matches(&pat[2..], &name[1..])
        }
        Some(&p) => name.first() == Some(&p) && matches(&pat[1..], &name[1..]),
    }
}

fn in_set(set: &[char], c: char) -> bool {
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == '-' {
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
        let p: Vec<char> = pat.chars().collect();
        let n: Vec<char> = name.chars().collect();
        matches(&p, &n)
    }

    #[test]
    fn magic_characters() {
        assert!(has_magic("/etc/jail.conf.d/*.conf"));
        assert!(has_magic("jail[.]conf"));
        assert!(has_magic("a?"));
        assert!(!has_magic("/etc/jail.conf"));
        assert!(!has_magic("a[b"));
        assert!(!has_magic(r"a\*b"));
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
    }

    #[test]
    fn glob_lists_sorted_matches_and_skips_dotfiles() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.conf", "a.conf", ".hidden.conf", "c.txt"] {
            fs::write(dir.path().join(name), "").unwrap();
        }
        let pattern = format!("{}/*.conf", dir.path().display());
        let got: Vec<String> = glob(&pattern)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(got, vec!["a.conf", "b.conf"]);
        assert!(glob(&format!("{}/*.none", dir.path().display())).is_empty());
    }
}
