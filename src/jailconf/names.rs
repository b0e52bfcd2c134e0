//! jail(8)'s rules on names: the `no` prefix, wildcard jail names,
//! numeric jail names and boolean values (`config.c`).

/// Whether two parameter names are one parameter, with or without a `no`
/// prefix on the same component: `persist`/`nopersist`,
/// `allow.mount`/`allow.nomount` (`config.c` `equalopts`).
pub fn equalopts(a: &[u8], b: &[u8]) -> bool {
    if a == b || strip_no(a) == Some(b) || strip_no(b) == Some(a) {
        return true;
    }
    // Walk the common dotted prefix, comparing what follows each dot.
    let (mut a, mut b) = (a, b);
    while let Some(dot) = a.iter().position(|c| *c == b'.') {
        let head = &a[..=dot];
        if !b.starts_with(head) {
            break;
        }
        a = &a[dot + 1..];
        b = &b[dot + 1..];
        if strip_no(a) == Some(b) || strip_no(b) == Some(a) {
            return true;
        }
    }
    false
}

fn strip_no(s: &[u8]) -> Option<&[u8]> {
    s.strip_prefix(b"no")
}

/// Every name [`equalopts`] finds equal to `name` by taking a `no` away:
/// `name` without the `no` at the start of one of its components
/// (`allow.nomount` gives `allow.mount`). Together with the names that
/// give `name` this way, these are all the names equal to it, so a map of
/// them finds a parameter without comparing it with every other.
pub fn without_no(name: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    std::iter::once(0)
        .chain(
            name.iter()
                .enumerate()
                .filter(|(_, c)| **c == b'.')
                .map(|(i, _)| i + 1),
        )
        .filter(|&p| name[p..].starts_with(b"no"))
        .map(|p| [&name[..p], &name[p + 2..]].concat())
}

/// Whether a jail name is a wildcard: a whole `*` component, as in `*`,
/// `foo.*`, `*.bar` (`config.c` `wild_jail_name`). `fo*` is an ordinary name.
pub fn is_wildcard(name: &[u8]) -> bool {
    name.split(|c| *c == b'.').any(|c| c == b"*")
}

/// Whether the wildcard `wild` applies to the jail `jail`: a non-final `*`
/// matches one component, a final `*` one or more (`config.c`
/// `wild_jail_match`). `foo.*` matches `foo.bar` and `foo.bar.baz`, not `foo`.
pub fn wild_match(jail: &[u8], wild: &[u8]) -> bool {
    let dot = |s: &[u8]| s.iter().position(|c| *c == b'.');
    let (mut j, mut w) = (jail, wild);
    while let (Some(jd), Some(wd)) = (dot(j), dot(w)) {
        if !w.starts_with(&j[..=jd]) && !w.starts_with(b"*.") {
            return false;
        }
        j = &j[jd + 1..];
        w = &w[wd + 1..];
    }
    j == w || w == b"*"
}

/// C's `isspace` in the C locale.
fn is_c_space(c: &u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Whether a jail name makes jail(8) set `jid` rather than `name`: it reads
/// as a non-zero number, `strtol(name) && !*end` (`config.c` `load_config`).
pub fn is_jid(name: &[u8]) -> bool {
    let start = name
        .iter()
        .position(|c| !is_c_space(c))
        .unwrap_or(name.len());
    let rest = &name[start..];
    let rest = rest
        .strip_prefix(b"+")
        .or_else(|| rest.strip_prefix(b"-"))
        .unwrap_or(rest);
    !rest.is_empty() && rest.iter().all(u8::is_ascii_digit) && rest.iter().any(|b| *b != b'0')
}

/// jail(8)'s `bool_param`: the last value is true when it is absent,
/// `true` in any case, or a number that `strtol` reads as non-zero; a `no`
/// at the start of the name's last component turns the result over.
pub fn bool_value(name: &[u8], last: Option<&[u8]>) -> bool {
    let last_comp = name.rsplit(|c| *c == b'.').next().unwrap_or(name);
    let negated = last_comp.starts_with(b"no");
    let truthy = match last {
        None => true,
        Some(v) => v.eq_ignore_ascii_case(b"true") || strtol_nonzero(v),
    };
    negated ^ truthy
}

/// Whether C's `strtol(s, NULL, 10)` is non-zero: leading space, a sign,
/// then the digits it can read (anything after them is ignored).
fn strtol_nonzero(s: &[u8]) -> bool {
    let start = s.iter().position(|c| !is_c_space(c)).unwrap_or(s.len());
    let s = &s[start..];
    let s = s
        .strip_prefix(b"+")
        .or_else(|| s.strip_prefix(b"-"))
        .unwrap_or(s);
    s.iter()
        .take_while(|c| c.is_ascii_digit())
        .any(|b| *b != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equalopts(a: &str, b: &str) -> bool {
        super::equalopts(a.as_bytes(), b.as_bytes())
    }
    fn is_wildcard(a: &str) -> bool {
        super::is_wildcard(a.as_bytes())
    }
    fn wild_match(a: &str, b: &str) -> bool {
        super::wild_match(a.as_bytes(), b.as_bytes())
    }
    fn is_jid(a: &str) -> bool {
        super::is_jid(a.as_bytes())
    }
    fn bool_value(a: &str, b: Option<&str>) -> bool {
        super::bool_value(a.as_bytes(), b.map(str::as_bytes))
    }

    /// `without_no` and the names that give `name` through it are exactly
    /// the names `equalopts` finds equal.
    #[test]
    fn without_no_lists_the_no_less_forms() {
        let got: Vec<Vec<u8>> = without_no(b"noallow.nomount.x").collect();
        assert_eq!(
            got,
            [b"allow.nomount.x".to_vec(), b"noallow.mount.x".to_vec()]
        );
        for (a, b) in [
            ("persist", "nopersist"),
            ("allow.mount", "allow.nomount"),
            ("allow.mount.nozfs", "allow.mount.zfs"),
            ("allow.mount", "noallow.mount.x"),
            ("nonopersist", "persist"),
            ("a..nob", "a..b"),
            ("x.y", "x.y"),
        ] {
            let by_index = a == b
                || without_no(a.as_bytes()).any(|v| v == b.as_bytes())
                || without_no(b.as_bytes()).any(|v| v == a.as_bytes());
            assert_eq!(by_index, equalopts(a, b), "{a} {b}");
        }
    }

    #[test]
    fn equalopts_matches_no_forms_on_any_component() {
        assert!(equalopts("persist", "nopersist"));
        assert!(equalopts("nopersist", "persist"));
        assert!(equalopts("allow.mount", "allow.nomount"));
        assert!(equalopts("allow.mount.nozfs", "allow.mount.zfs"));
        assert!(!equalopts("allow.mount", "noallow.mount.x"));
        assert!(!equalopts("allow.mount", "allow.raw_sockets"));
        assert!(!equalopts("path", "nopath.x"));
        assert!(equalopts("path", "path"));
    }

    #[test]
    fn wildcards_as_config_c() {
        assert!(is_wildcard("*"));
        assert!(is_wildcard("foo.*"));
        assert!(is_wildcard("*.bar"));
        assert!(!is_wildcard("fo*"));
        assert!(!is_wildcard("foo.b*"));
        assert!(wild_match("www", "*"));
        assert!(wild_match("foo.bar", "*"));
        assert!(wild_match("foo.bar", "foo.*"));
        assert!(wild_match("foo.bar.baz", "foo.*"));
        assert!(!wild_match("foo", "foo.*"));
        assert!(!wild_match("food.bar", "foo.*"));
        assert!(wild_match("x.bar", "*.bar"));
        assert!(!wild_match("bar", "*.bar"));
        assert!(!wild_match("x.y.bar", "*.bar"));
    }

    #[test]
    fn jid_names_are_nonzero_numbers() {
        assert!(is_jid("12"));
        assert!(is_jid("+7"));
        assert!(!is_jid("0"));
        assert!(!is_jid("12a"));
        assert!(!is_jid(""));
        assert!(!is_jid("www"));
    }

    #[test]
    fn bool_value_as_bool_param() {
        assert!(bool_value("persist", None));
        assert!(!bool_value("nopersist", None));
        assert!(bool_value("persist", Some("TRUE")));
        assert!(!bool_value("persist", Some("false")));
        assert!(bool_value("persist", Some("1")));
        assert!(bool_value("persist", Some(" 2x")));
        assert!(!bool_value("persist", Some("0")));
        assert!(bool_value("nopersist", Some("false")));
        assert!(!bool_value("allow.nomount", None));
        assert!(!bool_value("vnet", Some("new")));
    }
}
