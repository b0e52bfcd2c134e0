//! Small helpers shared by the layers.

/// An I/O error's reason without Rust's " (os error N)" tail.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Whether a message writes `c` escaped: a control character (NUL,
/// newline, ESC, the C1 controls) or any other character Rust's
/// `escape_debug` does not print as it is (a no-break space, a
/// right-to-left override, a combining mark).
fn needs_escape(c: char) -> bool {
    c.is_control() || (c.escape_debug().next() == Some('\\') && !matches!(c, '"' | '\'' | '\\'))
}

/// `s` with every character [`needs_escape`] written as the bytes of its
/// UTF-8 encoding, `\xNN` each, lower case (ESC is `\x1b`, a newline
/// `\x0a`, U+009B `\xc2\x9b`): the one way every message of rjib writes
/// such text, so that a name from a host file, a jail.conf or an argument
/// can neither end a line early nor reach the terminal raw.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// `bytes` shown as text: valid UTF-8 as [`escape_controls`] writes it,
/// and every byte that is not part of valid UTF-8 as `\xNN`. For names
/// and values read as bytes (a jail.conf(5) jail name, a command, an
/// argument), which may be any bytes.
pub fn escape_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return escape_controls(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape_controls(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.into()
}

/// `s` in double quotes, escaped as [`escape_controls`] does: how a
/// message quotes a word from the command line, a file or the host.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", escape_controls(s))
}

/// `bytes` in double quotes, escaped as [`escape_bytes`] does.
pub fn quote_bytes(bytes: &[u8]) -> String {
    format!("\"{}\"", escape_bytes(bytes))
}

/// Why [`read_regular`] refused a file.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A directory, a device, a FIFO, a socket: never read.
    NotRegular,
    /// Larger than the cap (in bytes).
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => f.write_str(&io_reason(e)),
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge(max) => write!(
                f,
                "larger than {}, the most rjib reads",
                if max % (1 << 20) == 0 {
                    format!("{} MiB", max >> 20)
                } else {
                    format!("{max} bytes")
                }
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for std::io::Error {
    /// As an `io::Error` whose message is the reason (for callers whose
    /// errors carry one).
    fn from(e: ReadError) -> std::io::Error {
        match e {
            ReadError::Io(e) => e,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// The bytes of the regular file `path`, at most `max` of them.
///
/// Anything else is refused without a blocking read: the path is looked at
/// first (a directory, /dev/zero or a FIFO is refused unopened), then
/// opened with `O_NONBLOCK` (a FIFO put there meanwhile does not hang the
/// open) and looked at again through the open file, whose size says
/// whether it fits before anything is read. A file that grows while it is
/// read is still cut at `max` and refused.
pub fn read_regular(path: &std::path::Path, max: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(ReadError::Io)?;
    let meta = f.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge(max));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(max));
    }
    Ok(bytes)
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

/// `name` as the interface word right after `ifconfig` in a command for
/// sh(1): quoted as [`sh_quote`] does, after `-- ` when it starts with
/// `-`. ifconfig(8) reads its options with getopt(3) and takes the first
/// word after them as the interface (sbin/ifconfig/ifconfig.c
/// `args_parse`), so `ifconfig -a up` would mean every interface; `--`
/// ends the options. Quoting does not help: sh(1) removes the quotes. A
/// lone `-` is no option to getopt(3), but gets the `--` too.
pub fn ifconfig_iface(name: &str) -> String {
    let w = sh_quote(name);
    match name.starts_with('-') {
        true => format!("-- {w}"),
        false => w.into_owned(),
    }
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
    fn an_interface_word_starting_with_a_dash_follows_a_double_dash() {
        use super::ifconfig_iface;
        assert_eq!(ifconfig_iface("em0"), "em0");
        assert_eq!(ifconfig_iface("x-y"), "x-y");
        assert_eq!(ifconfig_iface("-xbridge"), "-- -xbridge");
        assert_eq!(ifconfig_iface("-"), "-- -");
        assert_eq!(ifconfig_iface("--"), "-- --");
        assert_eq!(ifconfig_iface("-a b"), "-- '-a b'");
        assert_eq!(ifconfig_iface("a;b"), "'a;b'");
    }

    #[test]
    fn controls_are_escaped_and_the_rest_kept() {
        use super::{escape_controls, quote, quote_bytes};
        assert_eq!(escape_controls("e0a_x: list: fine"), "e0a_x: list: fine");
        assert_eq!(escape_controls("e0a_x\0y"), "e0a_x\\x00y");
        assert_eq!(escape_controls("a\nb\tc\u{1b}[2J"), "a\\x0ab\\x09c\\x1b[2J");
        assert_eq!(
            escape_controls("\"quoted\" é 'x' \\"),
            "\"quoted\" é 'x' \\"
        );
        // C1 controls and invisible characters: their UTF-8 bytes.
        assert_eq!(escape_controls("a\u{9b}2J"), "a\\xc2\\x9b2J");
        assert_eq!(
            escape_controls("b\u{a0}x\u{202e}"),
            "b\\xc2\\xa0x\\xe2\\x80\\xae"
        );
        // Idempotent: the escaped text has nothing left to escape.
        let once = escape_controls("\u{1b}\u{9b}\n").into_owned();
        assert_eq!(escape_controls(&once), once);
        assert_eq!(quote("a\u{1b}"), "\"a\\x1b\"");
        assert_eq!(quote_bytes(b"j\xff"), "\"j\\xff\"");
    }

    #[test]
    fn bytes_are_shown_as_utf8_with_invalid_bytes_in_hex() {
        use super::escape_bytes;
        assert_eq!(escape_bytes(b"caf\xc3\xa9"), "café");
        assert_eq!(escape_bytes(b"a\xffb\x1b[2J"), "a\\xffb\\x1b[2J");
        assert_eq!(escape_bytes(b"\xc3"), "\\xc3");
    }

    #[test]
    fn only_regular_files_are_read_and_only_up_to_the_cap() {
        use super::{ReadError, read_regular};
        use std::path::Path;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read_regular(&f, 5).unwrap(), b"12345");
        let e = read_regular(&f, 4).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge(4)), "{e:?}");
        assert_eq!(e.to_string(), "larger than 4 bytes, the most rjib reads");
        assert_eq!(
            ReadError::TooLarge(64 << 20).to_string(),
            "larger than 64 MiB, the most rjib reads"
        );
        for p in [dir.path(), Path::new("/dev/zero"), Path::new("/dev/null")] {
            let e = read_regular(p, 1 << 20).unwrap_err();
            assert_eq!(e.to_string(), "not a regular file", "{}", p.display());
        }
        // A FIFO with no writer: refused at once, never opened for a read
        // that would wait for a writer.
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo(1)");
        let e = read_regular(&fifo, 1 << 20).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file");
        let e = read_regular(&dir.path().join("none"), 1).unwrap_err();
        assert_eq!(e.to_string(), "No such file or directory");
        // A symlink to a regular file is that file.
        let l = dir.path().join("l");
        std::os::unix::fs::symlink(&f, &l).unwrap();
        assert_eq!(read_regular(&l, 5).unwrap(), b"12345");
    }
}
