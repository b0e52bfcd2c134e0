//! Names: jail names jib accepts, and the interface names jib makes of them.

use std::fmt;

/// A jail NAME as jib accepts it: non-empty, only `[0-9A-Za-z_]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JailName(String);

impl JailName {
    pub fn new(name: &str) -> Option<JailName> {
        is_jail_name(name).then(|| JailName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JailName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of the i-th host end, `e{i}a_NAME` (not checked for length).
pub fn a_end(i: usize, jail: &JailName) -> String {
    format!("e{i}a_{jail}")
}

/// The name of the i-th jail end, `e{i}b_NAME` (not checked for length).
pub fn b_end(i: usize, jail: &JailName) -> String {
    format!("e{i}b_{jail}")
}

/// The bridge jib uses for `iface`: IFACE followed by the suffix.
pub fn bridge_for(iface: &str, suffix: &str) -> String {
    format!("{iface}{suffix}")
}

/// The default bridge suffix; `-b ""` means this too.
pub const DEFAULT_BRIDGE_SUFFIX: &str = "bridge";

/// An epair end name as jib makes them: `e<digits><end>_<jail>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndName<'a> {
    /// The index, as spelled (`0`, `12`).
    pub digits: &'a str,
    /// `b'a'` (host end) or `b'b'` (jail end).
    pub end: u8,
    pub jail: &'a str,
}

/// Split `e<digits>a_JAIL` or `e<digits>b_JAIL`.
pub fn parse_end(name: &str) -> Option<EndName<'_>> {
    let rest = name.strip_prefix('e')?;
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, tail) = rest.split_at(n);
    let end = *tail.as_bytes().first()?;
    let jail = tail[1..].strip_prefix('_')?;
    (n > 0 && (end == b'a' || end == b'b')).then_some(EndName { digits, end, jail })
}

/// Whether `s` can be a jail NAME for jib: one or more of `[0-9A-Za-z_]`.
pub fn is_jail_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Split an end name that jib or rjib can have made: `e<i>a_NAME` or
/// `e<i>b_NAME` where `<i>` is an index as jib writes it (`0`, `1`, `12`:
/// decimal, no leading zero) and NAME is a jail name jib accepts.
/// `prune`, `destroy`, `show` and the stale-pair handling touch nothing
/// else: `e0a_a b`, `e0a_x;y`, `e0a_ä`, `e0a_x.y` and `e00a_x` are not
/// rjib's, whatever their peer (`rjib destroy 'a b'` is refused too).
pub fn parse_jib_end(name: &str) -> Option<EndName<'_>> {
    parse_end(name).filter(|e| is_jail_name(e.jail) && is_index(e.digits))
}

/// Whether `digits` is an index as jib writes it: `0`, or decimal digits
/// without a leading zero (`for i in $(seq 0 ...)`, printed with `%d`).
fn is_index(digits: &str) -> bool {
    digits == "0" || !digits.starts_with('0')
}

/// If `name` is a jib host end `e<digits>a_NAME`, the NAME.
pub fn jail_of_a_end(name: &str) -> Option<&str> {
    parse_jib_end(name)
        .filter(|e| e.end == b'a')
        .map(|e| e.jail)
}

/// What a stale pair's host end is named aside during its replacement:
/// `rjibstale0`, `rjibstale1`, …
pub const ASIDE_PREFIX: &str = "rjibstale";

/// The `n`th aside name, `rjibstale{n}`.
pub fn aside(n: u32) -> String {
    format!("{ASIDE_PREFIX}{n}")
}

/// Whether `name` is an aside name: `rjibstale` and a decimal number.
pub fn is_aside(name: &str) -> bool {
    name.strip_prefix(ASIDE_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jail_names_like_jib() {
        for ok in ["x", "jamulus", "Alpha_1", "10", "_"] {
            assert!(JailName::new(ok).is_some(), "{ok}");
        }
        for bad in ["", "my-jail", "a.b", "a b", "é", "x!"] {
            assert!(JailName::new(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn derived_names() {
        let j = JailName::new("jamulus").unwrap();
        assert_eq!(a_end(0, &j), "e0a_jamulus");
        assert_eq!(b_end(12, &j), "e12b_jamulus");
        assert_eq!(bridge_for("vtnet0", DEFAULT_BRIDGE_SUFFIX), "vtnet0bridge");
        assert_eq!(bridge_for("em0", "br"), "em0br");
    }

    #[test]
    fn a_end_parsing() {
        assert_eq!(jail_of_a_end("e0a_jamulus"), Some("jamulus"));
        assert_eq!(jail_of_a_end("e10a_x_y"), Some("x_y"));
        assert_eq!(jail_of_a_end("e0b_jamulus"), None);
        assert_eq!(jail_of_a_end("ea_x"), None);
        assert_eq!(jail_of_a_end("em0"), None);
        assert_eq!(jail_of_a_end("e0a_"), None, "no NAME");
        assert_eq!(jail_of_a_end("e0a"), None);
        let e = parse_end("e12b_x_y").unwrap();
        assert_eq!((e.digits, e.end, e.jail), ("12", b'b', "x_y"));
        assert_eq!(parse_end("e0c_x"), None);
        assert_eq!(parse_end("e_x"), None);
        // only jib names: the shape alone is not enough
        for not_jib in ["e0a_a b", "e0a_x;y", "e0a_ä", "e0a_x.y", "e0b_$(x)", "e0a_"] {
            assert!(parse_end(not_jib).is_some(), "{not_jib} has the shape");
            assert_eq!(parse_jib_end(not_jib), None, "{not_jib}");
            assert_eq!(jail_of_a_end(not_jib), None, "{not_jib}");
        }
        assert_eq!(parse_jib_end("e3b_A_1").map(|e| e.jail), Some("A_1"));
        // jib writes the index with no leading zero: e00a_x is not its name
        for not_jib in ["e00a_x", "e01b_x", "e007a_x"] {
            assert!(parse_end(not_jib).is_some(), "{not_jib} has the shape");
            assert_eq!(parse_jib_end(not_jib), None, "{not_jib}");
        }
        assert_eq!(parse_jib_end("e10a_x").map(|e| e.digits), Some("10"));
        assert_eq!(parse_jib_end("e0b_x").map(|e| e.digits), Some("0"));
    }

    #[test]
    fn aside_names() {
        assert_eq!(aside(0), "rjibstale0");
        assert!(is_aside("rjibstale0") && is_aside("rjibstale12"));
        for not in ["rjibstale", "rjibstale-1", "rjibstale0a", "xrjibstale0"] {
            assert!(!is_aside(not), "{not}");
        }
    }
}
