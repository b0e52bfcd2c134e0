//! sysctl.conf(5): the sysctl settings boot applies, read the way
//! FreeBSD 14 and 15 apply them.
//!
//! rc.d/sysctl (freebsd/freebsd-src 023fc80e, `libexec/rc/rc.d/sysctl`)
//! runs `/sbin/sysctl -i -f FILE` for `/etc/sysctl.conf`, then for
//! `/etc/sysctl.conf.local`; rc.d/sysctl_lastload (6d13bb0e) runs the same
//! with `-f` alone just before rc.d/jail. So each line is what sysctl(8)'s
//! `parsefile` and `parse` make of it (gmshake/freebsd-src ba21c6c1,
//! `sbin/sysctl/sysctl.c`):
//!
//! - a line is what one `fgets` into a 1024-byte buffer reads: at most
//!   1,023 bytes, a longer one is read as several lines, and a NUL ends it;
//! - the line is cut at its first `#` that has no `\` before it; a `#`
//!   after the line's first `'` (else after its first `"`) cuts the line
//!   just after the quote that closes that one instead, or not at all;
//! - white space is trimmed at both ends; an empty line is skipped;
//! - the name ends at the first `=` or `:`, white space trimmed around it;
//!   a line without either sets nothing (sysctl(8) prints the value);
//! - a value starting with `"` or `'` loses that quote, and its last byte
//!   too if it is the same quote.
//!
//! What a value does depends on the sysctl's type; [`SysctlConf::boolean`]
//! reads it as a `SYSCTL_BOOL` (`CTLTYPE_U8`) takes it. A line whose value
//! sysctl(8) refuses sets nothing, so an earlier line's value stands.

use std::collections::HashMap;
use std::path::Path;

/// One line that gives a sysctl a value: the value as sysctl(8) passes it
/// on (quotes stripped), and where it is (`FILE:LINE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub value: Vec<u8>,
    pub at: String,
}

/// Every setting of every file read, by sysctl name, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SysctlConf {
    settings: HashMap<Vec<u8>, Vec<Setting>>,
}

/// sysctl(8)'s line buffer (`char line[BUFSIZ]`, BUFSIZ 1024): `fgets`
/// reads at most one byte less.
const LINE_MAX: usize = 1023;

/// isspace(3) in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s
        && is_space(*first)
    {
        s = rest;
    }
    while let [rest @ .., last] = s
        && is_space(*last)
    {
        s = rest;
    }
    s
}

/// The lines `fgets(line, 1024, file)` reads from `text`, each with its
/// number, its newline kept.
fn fgets_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .iter()
            .take(LINE_MAX)
            .position(|&c| c == b'\n')
            .map_or(LINE_MAX.min(rest.len()), |i| i + 1);
        let (line, after) = rest.split_at(end);
        rest = after;
        Some(line)
    })
}

/// `parsefile`'s comment rule on one line (a C string: cut at a NUL).
fn uncomment(line: &[u8]) -> &[u8] {
    let line = &line[..line.iter().position(|&c| c == 0).unwrap_or(line.len())];
    let find = |from: usize, c: u8| line[from..].iter().position(|&b| b == c).map(|i| from + i);
    let single = find(0, b'\'');
    let double = find(0, b'"');
    let mut from = 0;
    while let Some(hash) = find(from, b'#') {
        for (quote, c) in [(single, b'\''), (double, b'"')] {
            if let Some(q) = quote
                && hash > q
            {
                // Cut after the quote that closes the first one, if any.
                return match find(q + 1, c) {
                    Some(close) => &line[..close + 1],
                    None => line,
                };
            }
        }
        if hash == 0 || line[hash - 1] != b'\\' {
            return &line[..hash];
        }
        from = hash + 1;
    }
    line
}

impl SysctlConf {
    /// Add the settings of `text`, the contents of `path`.
    pub fn read_bytes(&mut self, text: &[u8], path: &Path) {
        for (n, line) in fgets_lines(text).enumerate() {
            let line = trim(uncomment(line));
            let Some(delim) = line.iter().position(|&c| c == b'=' || c == b':') else {
                continue; // empty, or `sysctl name`: prints it, sets nothing
            };
            let name = trim(&line[..delim]);
            let mut value = trim(&line[delim + 1..]);
            if let [q @ (b'"' | b'\''), inner @ ..] = value {
                value = match inner {
                    [body @ .., last] if last == q => body,
                    [] => &[], // the lone quote is also the last byte
                    _ => inner,
                };
            }
            self.settings
                .entry(name.to_vec())
                .or_default()
                .push(Setting {
                    value: value.to_vec(),
                    at: format!("{}:{}", crate::jailconf::show_path(path), n + 1),
                });
        }
    }

    /// The settings of `name`, in the order boot applies them.
    pub fn settings(&self, name: &str) -> &[Setting] {
        self.settings
            .get(name.as_bytes())
            .map_or(&[], Vec::as_slice)
    }

    /// What boot leaves a boolean sysctl (`SYSCTL_BOOL`) at, and the line
    /// that sets it: the last line whose value sysctl(8) takes; `None`
    /// when no line does.
    pub fn boolean(&self, name: &str) -> Option<(bool, &str)> {
        self.settings(name)
            .iter()
            .rev()
            .find_map(|s| u8_value(&s.value).map(|v| (v != 0, s.at.as_str())))
    }
}

/// The byte a `CTLTYPE_U8` sysctl receives from sysctl(8) for `value`, or
/// `None` when sysctl(8) sets nothing. `parse` refuses an empty value
/// ("empty numeric value"); it splits the value at spaces and commas and
/// converts each word with `parse_numeric`, `(uint8_t)strtoul(word, &end,
/// 0)`, refusing the line if any word is not wholly a number; the words'
/// bytes are the new value, of which `sysctl_handle_bool`
/// (sys/kern/kern_sysctl.c) takes the first, any non-zero byte being true.
/// No word at all (`" , "`) passes no new value.
pub fn u8_value(value: &[u8]) -> Option<u8> {
    if value.is_empty() {
        return None;
    }
    let mut first = None;
    for word in value.split(|&c| c == b' ' || c == b',') {
        if word.is_empty() {
            continue;
        }
        let v = strtoul(word)?;
        first.get_or_insert(v as u8);
    }
    first
}

/// strtoul(3) with base 0 on all of `s` (lib/libc/stdlib/strtoul.c): white
/// space, a sign, then `0x` and a hex digit for hex, `0` for octal, else
/// decimal; a negative number wraps. `None` where `end` would not reach the
/// end, where there is no digit (EINVAL) or on overflow (ERANGE).
pub fn strtoul(s: &[u8]) -> Option<u64> {
    let mut s = s;
    while let [c, rest @ ..] = s
        && is_space(*c)
    {
        s = rest;
    }
    let neg = match s {
        [b'-', rest @ ..] => {
            s = rest;
            true
        }
        [b'+', rest @ ..] => {
            s = rest;
            false
        }
        _ => false,
    };
    let base = match s {
        [b'0', b'x' | b'X', h, ..] if h.is_ascii_hexdigit() => {
            s = &s[2..];
            16
        }
        [b'0', ..] => 8,
        _ => 10,
    };
    if s.is_empty() {
        return None;
    }
    let mut acc: u64 = 0;
    for &c in s {
        let d = char::from(c).to_digit(base)?;
        acc = acc
            .checked_mul(u64::from(base))?
            .checked_add(u64::from(d))?;
    }
    Some(if neg { acc.wrapping_neg() } else { acc })
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "net.link.bridge.member_ifaddrs";

    fn conf(text: &str) -> SysctlConf {
        let mut c = SysctlConf::default();
        c.read_bytes(text.as_bytes(), Path::new("/etc/sysctl.conf"));
        c
    }

    fn boolean(line: &str) -> Option<bool> {
        conf(&format!("{line}\n")).boolean(M).map(|(v, _)| v)
    }

    /// Review 13, F1: each line form boot sets, as sysctl(8) reads it.
    #[test]
    fn lines_as_sysctl_8_reads_them() {
        for (line, want) in [
            ("net.link.bridge.member_ifaddrs=0", Some(false)),
            ("net.link.bridge.member_ifaddrs = 0", Some(false)),
            ("net.link.bridge.member_ifaddrs: 0", Some(false)),
            ("net.link.bridge.member_ifaddrs:0", Some(false)),
            ("\t net.link.bridge.member_ifaddrs\t=\t0 \t", Some(false)),
            ("net.link.bridge.member_ifaddrs=\"0\"", Some(false)),
            ("net.link.bridge.member_ifaddrs='0'", Some(false)),
            ("net.link.bridge.member_ifaddrs=\"0", Some(false)),
            ("net.link.bridge.member_ifaddrs=0x0", Some(false)),
            ("net.link.bridge.member_ifaddrs=00", Some(false)),
            ("net.link.bridge.member_ifaddrs=0#off", Some(false)),
            ("net.link.bridge.member_ifaddrs=0 # off", Some(false)),
            // (uint8_t)strtoul: 256 is 0, -1 is 255.
            ("net.link.bridge.member_ifaddrs=256", Some(false)),
            ("net.link.bridge.member_ifaddrs=-1", Some(true)),
            ("net.link.bridge.member_ifaddrs=1", Some(true)),
            ("net.link.bridge.member_ifaddrs=0x10", Some(true)),
            ("net.link.bridge.member_ifaddrs=+2", Some(true)),
            // Several words: the first byte decides.
            ("net.link.bridge.member_ifaddrs=0 1", Some(false)),
            ("net.link.bridge.member_ifaddrs=1,0", Some(true)),
            // sysctl(8) refuses these: nothing set.
            ("net.link.bridge.member_ifaddrs=", None),
            ("net.link.bridge.member_ifaddrs=\"\"", None),
            ("net.link.bridge.member_ifaddrs= , ", None),
            ("net.link.bridge.member_ifaddrs=no", None),
            ("net.link.bridge.member_ifaddrs=08", None),
            ("net.link.bridge.member_ifaddrs=0x", None),
            ("net.link.bridge.member_ifaddrs=0 x", None),
            ("net.link.bridge.member_ifaddrs=0\\#x", None),
            ("net.link.bridge.member_ifaddrs=18446744073709551616", None),
            ("net.link.bridge.member_ifaddrs", None),
            ("#net.link.bridge.member_ifaddrs=0", None),
            ("  # net.link.bridge.member_ifaddrs=0", None),
            ("net.link.bridge.member_ifaddrs.x=0", None),
        ] {
            assert_eq!(boolean(line), want, "{line:?}");
        }
    }

    /// The quote rule of `parsefile`: a `#` after the first quote cuts
    /// after the quote that closes it.
    #[test]
    fn comments_and_quotes() {
        assert_eq!(uncomment(b"a=1 # c"), b"a=1 ");
        assert_eq!(uncomment(b"a='x#y' # c"), b"a='x#y'");
        assert_eq!(uncomment(b"a='x' b # c"), b"a='x'");
        assert_eq!(uncomment(b"a='x # c"), b"a='x # c");
        assert_eq!(uncomment(b"a=\"x#y\"#c"), b"a=\"x#y\"");
        assert_eq!(uncomment(b"a=x\\#y#c"), b"a=x\\#y");
        assert_eq!(uncomment(b"#a=1"), b"");
        assert_eq!(uncomment(b"a=1\0#x\n"), b"a=1");
        // The quote of the value is stripped after the cut.
        let c = conf("kern.s='one two' # c\n");
        assert_eq!(c.settings("kern.s")[0].value, b"one two");
    }

    /// A line longer than sysctl(8)'s buffer is read in pieces: the name
    /// at the start of the second piece is a line of its own.
    #[test]
    fn long_lines_are_read_in_pieces() {
        let long = format!("kern.x={}\n", "1".repeat(LINE_MAX - 7) + M + "=0");
        let c = conf(&long);
        assert_eq!(c.boolean(M), Some((false, "/etc/sysctl.conf:2")));
        let pieces: Vec<usize> = fgets_lines(long.as_bytes()).map(<[u8]>::len).collect();
        assert_eq!(pieces, [LINE_MAX, long.len() - LINE_MAX]);
    }

    #[test]
    fn the_last_setting_sysctl_takes_wins() {
        let mut c = conf("net.link.bridge.member_ifaddrs=0\nkern.ipc.somaxconn=1024\n");
        assert_eq!(c.boolean(M), Some((false, "/etc/sysctl.conf:1")));
        c.read_bytes(
            b"net.link.bridge.member_ifaddrs=1\n",
            Path::new("/etc/sysctl.conf.local"),
        );
        assert_eq!(c.boolean(M), Some((true, "/etc/sysctl.conf.local:1")));
        // A later line sysctl(8) refuses leaves the earlier value.
        let c = conf("net.link.bridge.member_ifaddrs=0\nnet.link.bridge.member_ifaddrs=off\n");
        assert_eq!(c.boolean(M), Some((false, "/etc/sysctl.conf:1")));
    }

    #[test]
    fn strtoul_as_libc() {
        for (s, want) in [
            ("0", Some(0)),
            ("10", Some(10)),
            ("010", Some(8)),
            ("0x1f", Some(31)),
            ("0XF", Some(15)),
            ("\t7", Some(7)),
            ("-1", Some(u64::MAX)),
            ("+0", Some(0)),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("", None),
            ("-", None),
            ("0x", None),
            ("0xg", None),
            ("9a", None),
            ("1 ", None),
        ] {
            assert_eq!(strtoul(s.as_bytes()), want, "{s:?}");
        }
    }
}
