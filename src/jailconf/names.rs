//! jail(8)'s rules on names: the `no` prefix, wildcard jail names,
//! numeric jail names and boolean values (`config.c`).

/// Whether two parameter names are one parameter, with or without a `no`
/// prefix on the same component: `persist`/`nopersist`,
/// `allow.mount`/`allow.nomount` (`config.c` `equalopts`).
pub fn equalopts(a: &str, b: &str) -> bool {
    if a == b || strip_no(a) == Some(b) || strip_no(b) == Some(a) {
        return true;
    }
    // Walk the common dotted prefix, comparing what follows each dot.
    let (mut a, mut b) = (a, b);
    while let Some(dot) = a.find('.') {
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

fn strip_no(s: &str) -> Option<&str> {
    s.strip_prefix("no")
}

/// Whether a jail name is a wildcard: a whole `*` component, as in `*`,
/// `foo.*`, `*.bar` (`config.c` `wild_jail_name`). `fo*` is an ordinary name.
pub fn is_wildcard(name: &str) -> bool {
    name.split('.').any(|c| c == "*")
}

/// Whether the wildcard `wild` applies to the jail `jail`: a non-final `*`
/// matches one component, a final `*` one or more (`config.c`
/// `wild_jail_match`). `foo.*` matches `foo.bar` and `foo.bar.baz`, not `foo`.
pub fn wild_match(jail: &str, wild: &str) -> bool {
    let (mut j, mut w) = (jail, wild);
    while let (Some(jd), Some(wd)) = (j.find('.'), w.find('.')) {
        if !w.starts_with(&j[..=jd]) && !w.starts_with("*.") {
            return false;
        }
        j = &j[jd + 1..];
        w = &w[wd + 1..];
    }
    j == w || w == "*"
}

/// Whether a jail name makes jail(8) set `jid` rather than `name`: it reads
/// as a non-zero number, `strtol(name) && !*end` (`config.c` `load_config`).
pub fn is_jid(name: &str) -> bool {
    let rest = name.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) && rest.bytes().any(|b| b != b'0')
}

/// jail(8)'s `bool_param`: the last value is true when it is absent,
/// `true` in any case, or a number that `strtol` reads as non-zero; a `no`
/// at the start of the name's last component turns the result over.
pub fn bool_value(name: &str, last: Option<&str>) -> bool {
    let last_comp = name.rsplit('.').next().unwrap_or(name);
    let negated = last_comp.starts_with("no");
    let truthy = match last {
        None => true,
        Some(v) => v.eq_ignore_ascii_case("true") || strtol_nonzero(v),
    };
    negated ^ truthy
}

/// Whether C's `strtol(s, NULL, 10)` is non-zero: leading space, a sign,
/// then the digits it can read (anything after them is ignored).
fn strtol_nonzero(s: &str) -> bool {
    let s = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    s.bytes().take_while(u8::is_ascii_digit).any(|b| b != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

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
