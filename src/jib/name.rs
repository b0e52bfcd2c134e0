//! Names: jail names jib accepts, and the interface names jib makes of them.

use std::fmt;

/// A jail NAME as jib accepts it: non-empty, only `[0-9A-Za-z_]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JailName(String);

impl JailName {
    pub fn new(name: &str) -> Option<JailName> {
        let ok = !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        ok.then(|| JailName(name.to_string()))
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

/// If `name` is `e<digits>a_REST`, the REST.
pub fn jail_of_a_end(name: &str) -> Option<&str> {
    parse_end(name).filter(|e| e.end == b'a').map(|e| e.jail)
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
        assert_eq!(jail_of_a_end("e0a_"), Some(""));
        assert_eq!(jail_of_a_end("e0a"), None);
        let e = parse_end("e12b_x_y").unwrap();
        assert_eq!((e.digits, e.end, e.jail), ("12", b'b', "x_y"));
        assert_eq!(parse_end("e0c_x"), None);
        assert_eq!(parse_end("e_x"), None);
    }
}
