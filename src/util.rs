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
    fn controls_are_escaped_and_the_rest_kept() {
        use super::escape_controls;
        assert_eq!(escape_controls("e0a_x: list: fine"), "e0a_x: list: fine");
        assert_eq!(escape_controls("e0a_x\0y"), "e0a_x\\0y");
        assert_eq!(escape_controls("a\nb\tc\u{1b}[2J"), "a\\nb\\tc\\u{1b}[2J");
        assert_eq!(escape_controls("\"quoted\" é \\"), "\"quoted\" é \\");
    }
}
