//! Small helpers shared by the layers.

/// An I/O error's reason without Rust's " (os error N)" tail.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `s` with every control character (NUL, newline, ESC, …) written as
/// Rust writes it in a string literal (`\0`, `\n`, `\u{1b}`), so that a
/// name from a host file or an argument can neither end an error line
/// early nor reach the terminal raw.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// `word` as one word for sh(1), byte for byte: as it is when every byte
/// is one sh(1) takes literally in any position (`[0-9A-Za-z_./,:@%+=-]`),
/// else in single quotes, with each `'` written `'\''`. Inside single
/// quotes every byte is literal (`$`, `` ` ``, `\`, `"`, newline, bytes
/// above 0x7f); only `'` ends them. The empty word is `''`.
pub fn sh_quote_bytes(word: &[u8]) -> Vec<u8> {
    let plain = |c: &u8| c.is_ascii_alphanumeric() || b"_./,:@%+=-".contains(c);
    if !word.is_empty() && word.iter().all(plain) {
        return word.to_vec();
    }
    let mut out = Vec::with_capacity(word.len() + 2);
    out.push(b'\'');
    for &c in word {
        if c == b'\'' {
            out.extend_from_slice(br"'\''");
        } else {
            out.push(c);
        }
    }
    out.push(b'\'');
    out
}

/// `sh_quote_bytes` for a `str` (whose quoted form is a `str` too: only
/// ASCII quotes and backslashes are added).
pub fn sh_quote(word: &str) -> std::borrow::Cow<'_, str> {
    let q = sh_quote_bytes(word.as_bytes());
    if q == word.as_bytes() {
        return word.into();
    }
    String::from_utf8(q)
        .expect("quoting adds only ASCII to UTF-8")
        .into()
}

/// The wall clock in seconds since the epoch, as the kernel stamps
/// `if_data.ifi_lastchange` (0 if the clock is before it).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(super::io_reason(&e), "No such file or directory");
    }

    #[test]
    fn sh_quoting_byte_for_byte() {
        use super::{sh_quote, sh_quote_bytes};
        for plain in [
            "em0",
            "vtnet0bridge",
            "e0a_x",
            "em0.5",
            "x-y",
            "a,b:c@d%e+f=g/h",
        ] {
            assert_eq!(sh_quote(plain), plain);
        }
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("$(touch P)"), "'$(touch P)'");
        assert_eq!(sh_quote("`id`"), "'`id`'");
        assert_eq!(sh_quote(";id;"), "';id;'");
        assert_eq!(sh_quote("a|b&c*"), "'a|b&c*'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("'"), r"''\'''");
        assert_eq!(sh_quote("\"x\""), "'\"x\"'");
        assert_eq!(sh_quote("a\nb"), "'a\nb'");
        assert_eq!(sh_quote("ä"), "'ä'");
        assert_eq!(sh_quote("~root"), "'~root'");
        assert_eq!(sh_quote(r"a\b"), r"'a\b'");
        assert_eq!(
            sh_quote("rjib: jail x, host end"),
            "'rjib: jail x, host end'"
        );
        // bytes that are no UTF-8 pass through unchanged, inside quotes
        assert_eq!(sh_quote_bytes(b"e0a_\xff\xfe"), b"'e0a_\xff\xfe'");
        assert_eq!(sh_quote_bytes(b"\x80'"), b"'\x80'\\'''");
    }

    #[test]
    fn controls_are_escaped_and_the_rest_kept() {
        use super::escape_controls;
        assert_eq!(escape_controls("e0a_x: list: fine"), "e0a_x: list: fine");
        assert_eq!(escape_controls("e0a_x\0y"), "e0a_x\\0y");
        assert_eq!(escape_controls("a\nb\tc\u{1b}[2J"), "a\\nb\\tc\\u{1b}[2J");
        assert_eq!(escape_controls("\"quoted\" é \\"), "\"quoted\" é \\");
    }
}
