//! FreeBSD 15's extended errors (exterror(9)): what the kernel's `struct
//! uexterror` says about the system call that just failed, as text for the
//! error line.
//!
//! The kernel copies its message with `strlcpy` into `msg` (127 bytes at
//! most). The message may be a printf(3) format whose arguments are `p1`
//! and `p2`, as libc's `__uexterr_format` treats it (`snprintf(buf, …,
//! ue->msg, (uintmax_t)ue->p1, (uintmax_t)ue->p2)`). The text comes from the
//! kernel, so it is never given to a C formatter: `render` substitutes the
//! integer conversions itself and copies anything else literally.

use super::abi::{UEXTERROR_MAXLEN, UExtError};
use super::wire::c_str;
use crate::net::Errno;

/// The text of the extended error in `ue` if it is about the failure with
/// `errno` (the buffer also holds older errors, or 0 after a success), and
/// the kernel gave a message (it does only with `options EXTERR_STRINGS`).
pub fn text(ue: &UExtError, errno: Errno) -> Option<String> {
    if ue.error == 0 || i64::from(ue.error) != i64::from(errno.0) {
        return None;
    }
    let msg = c_str(&ue.msg);
    if msg.is_empty() {
        return None;
    }
    let t = render(msg, [ue.p1, ue.p2]);
    (!t.trim().is_empty()).then_some(t)
}

/// Longest field width or precision honoured (the kernel's own are small).
const MAX_WIDTH: usize = 64;

/// `fmt` with its integer conversions (`%d %i %u %x %X %o`, with flags,
/// width, precision and length modifiers) filled from `args` in order and
/// `%%` as `%`. A conversion of any other kind, one left without an
/// argument, or one cut short is copied as it stands. Control characters
/// become `?`, so the result stays on one line; it is cut to
/// `UEXTERROR_MAXLEN` bytes as libc cuts it.
pub fn render(fmt: &[u8], args: [u64; 2]) -> String {
    let s = String::from_utf8_lossy(fmt);
    let mut out = String::new();
    let mut args = args.into_iter();
    let mut rest = s.as_ref();
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match Spec::parse(rest) {
            Some((spec, len)) => {
                match spec.conv {
                    '%' => out.push('%'),
                    _ => match args.next() {
                        Some(v) => out.push_str(&spec.format(v)),
                        None => out.push_str(&rest[..len]),
                    },
                }
                rest = &rest[len..];
            }
            None => {
                out.push('%');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    clean(&out)
}

/// `s` on one line (control characters as `?`), cut to
/// `UEXTERROR_MAXLEN` bytes as libc cuts it.
fn clean(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if out.len() >= UEXTERROR_MAXLEN {
        let mut end = UEXTERROR_MAXLEN - 1;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

/// The text libc's uexterr_gettext(3) wrote into `buf` (a C string),
/// when libc's buffer is the registered one. libc formats the kernel's
/// message itself (`__uexterr_format`); without one (a kernel built
/// without `EXTERR_STRINGS`) it writes "errno N category N (src …) p1 …
/// p2 …", which says nothing the errno does not, and which rjib leaves
/// out as it does when it reads its own buffer. After a system call with
/// no extended error the text is empty (the kernel wrote `error` 0).
pub fn libc_text(buf: &[u8]) -> Option<String> {
    let t = String::from_utf8_lossy(c_str(buf));
    let t = t.trim();
    let bare = t.strip_prefix("errno ").is_some_and(|rest| {
        let mut w = rest.split(' ');
        w.next().is_some_and(|n| n.parse::<i64>().is_ok()) && w.next() == Some("category")
    });
    (!t.is_empty() && !bare).then(|| clean(t))
}

/// One printf(3) integer conversion.
#[derive(Debug, Default)]
struct Spec {
    alt: bool,
    zero: bool,
    left: bool,
    plus: bool,
    space: bool,
    width: usize,
    precision: Option<usize>,
    /// Bits of the argument the length modifier reads (`%d`: an int).
    bits: u32,
    conv: char,
}

impl Spec {
    /// The conversion at the start of `s` (which starts with `%`) and its
    /// length in bytes; `None` if it is not one `render` fills.
    fn parse(s: &str) -> Option<(Spec, usize)> {
        let b = s.as_bytes();
        let mut i = 1;
        let mut spec = Spec {
            bits: 32,
            ..Spec::default()
        };
        if b.get(1) == Some(&b'%') {
            spec.conv = '%';
            return Some((spec, 2));
        }
        while let Some(&c) = b.get(i) {
            match c {
                b'#' => spec.alt = true,
                b'0' => spec.zero = true,
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        let digits = |i: &mut usize| {
            let mut n = 0usize;
            while let Some(d) = b.get(*i).filter(|c| c.is_ascii_digit()) {
                n = (n * 10 + usize::from(d - b'0')).min(MAX_WIDTH);
                *i += 1;
            }
            n
        };
        spec.width = digits(&mut i);
        if b.get(i) == Some(&b'.') {
            i += 1;
            spec.precision = Some(digits(&mut i));
        }
        let rest = &s[i..];
        let (bits, len) = [
            ("hh", 8),
            ("h", 16),
            ("ll", 64),
            ("l", 64),
            ("j", 64),
            ("z", 64),
            ("t", 64),
            ("q", 64),
        ]
        .into_iter()
        .find(|(m, _)| rest.starts_with(m))
        .map_or((32, 0), |(m, bits)| (bits, m.len()));
        spec.bits = bits;
        i += len;
        spec.conv = match b.get(i) {
            Some(&c @ (b'd' | b'i' | b'u' | b'x' | b'X' | b'o')) => char::from(c),
            _ => return None,
        };
        Some((spec, i + 1))
    }

    /// `v` (a `uintmax_t` as libc passes it) as this conversion prints it.
    fn format(&self, v: u64) -> String {
        let v = if self.bits == 64 {
            v
        } else {
            v & ((1u64 << self.bits) - 1)
        };
        let (sign, mut digits) = match self.conv {
            'd' | 'i' => {
                // Sign-extend what the length modifier reads.
                let shift = 64 - self.bits;
                let n = ((v << shift) as i64) >> shift;
                let sign = if n < 0 {
                    "-"
                } else if self.plus {
                    "+"
                } else if self.space {
                    " "
                } else {
                    ""
                };
                (sign, n.unsigned_abs().to_string())
            }
            'x' => ("", format!("{v:x}")),
            'X' => ("", format!("{v:X}")),
            'o' => ("", format!("{v:o}")),
            _ => ("", v.to_string()),
        };
        if let Some(p) = self.precision {
            if p == 0 && v == 0 {
                digits.clear();
            }
            while digits.len() < p {
                digits.insert(0, '0');
            }
        }
        let prefix = match self.conv {
            'x' if self.alt && v != 0 => "0x",
            'X' if self.alt && v != 0 => "0X",
            'o' if self.alt && !digits.starts_with('0') => "0",
            _ => "",
        };
        let body = prefix.len() + sign.len() + digits.len();
        let pad = self.width.saturating_sub(body);
        if self.left {
            format!("{sign}{prefix}{digits}{}", " ".repeat(pad))
        } else if self.zero && self.precision.is_none() {
            format!("{sign}{prefix}{}{digits}", "0".repeat(pad))
        } else {
            format!("{}{sign}{prefix}{digits}", " ".repeat(pad))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ue(error: u32, msg: &str, p1: u64, p2: u64) -> UExtError {
        let mut u = UExtError::new();
        u.error = error;
        u.msg[..msg.len()].copy_from_slice(msg.as_bytes());
        u.p1 = p1;
        u.p2 = p2;
        u
    }

    #[test]
    fn a_plain_message_is_the_text() {
        let u = ue(
            22,
            "Member interface may not have an IP address assigned",
            0,
            0,
        );
        assert_eq!(
            text(&u, Errno::EINVAL).as_deref(),
            Some("Member interface may not have an IP address assigned")
        );
        // A p1 without a conversion (a kernel pointer, as bridge_ioctl_add
        // passes for "No such interface") is not printed.
        let u = ue(2, "No such interface", 0xffff_f800_0123_4567, 0);
        assert_eq!(
            text(&u, Errno::ENOENT).as_deref(),
            Some("No such interface")
        );
    }

    #[test]
    fn only_the_error_just_returned_counts() {
        let u = ue(22, "Invalid argument size", 0, 0);
        assert_eq!(text(&u, Errno::EBUSY), None);
        assert_eq!(text(&ue(0, "", 0, 0), Errno::EINVAL), None);
        // No EXTERR_STRINGS in the kernel: no message, nothing to add.
        assert_eq!(text(&ue(22, "", 7, 0), Errno::EINVAL), None);
    }

    #[test]
    fn integer_conversions_are_filled_in_order() {
        let r = |f: &str, a, b| render(f.as_bytes(), [a, b]);
        assert_eq!(r("unit %jd of %ju", 7, 9), "unit 7 of 9");
        assert_eq!(r("flags %#jx", 0x2a, 0), "flags 0x2a");
        assert_eq!(r("flags %#jx", 0, 0), "flags 0");
        assert_eq!(r("%#jX %jo %#jo", 255, 8), "0XFF 10 %#jo");
        assert_eq!(r("%d", u64::MAX, 0), "-1");
        assert_eq!(r("%u", u64::MAX, 0), "4294967295");
        assert_eq!(r("%hhu/%hd", 0x1ff, 0xffff), "255/-1");
        assert_eq!(r("[%5jd|%-4ju|%05jd]", 42, 7), "[   42|7   |%05jd]");
        assert_eq!(r("[%05jd|%+jd]", 42, 3), "[00042|+3]");
        assert_eq!(r("%.3jd %.0jd", 5, 0), "005 ");
        assert_eq!(r("100%% sure", 1, 2), "100% sure");
    }

    #[test]
    fn libcs_text_is_taken_when_it_has_a_message() {
        let buf = |s: &str| {
            let mut b = vec![0u8; UEXTERROR_MAXLEN];
            b[..s.len()].copy_from_slice(s.as_bytes());
            b
        };
        assert_eq!(
            libc_text(&buf("Bridge SVI cannot be added to a bridge")).as_deref(),
            Some("Bridge SVI cannot be added to a bridge")
        );
        // No extended error after the call, or no message in the kernel.
        assert_eq!(libc_text(&buf("")), None);
        assert_eq!(
            libc_text(&buf(
                "errno 22 category 7 (src sys/net/if_bridge.c:1234) p1 0 p2 0"
            )),
            None
        );
        // EXTERROR_VERBOSE: the message, then where it came from.
        assert_eq!(
            libc_text(&buf("Invalid argument size errno 22 category 7")).as_deref(),
            Some("Invalid argument size errno 22 category 7")
        );
        assert_eq!(libc_text(&buf("two\nlines")).as_deref(), Some("two?lines"));
        assert_eq!(libc_text(&[b'x'; 10]).as_deref(), Some("xxxxxxxxxx"));
    }

    #[test]
    fn anything_else_is_copied_as_it_stands() {
        let r = |f: &str| render(f.as_bytes(), [1, 2]);
        // Never a pointer dereference, a write or a float.
        assert_eq!(r("%s at %p, %n%f"), "%s at %p, %n%f");
        assert_eq!(r("trailing %"), "trailing %");
        assert_eq!(r("%jd %jd %jd"), "1 2 %jd");
        assert_eq!(r("%99999999999jd!"), format!("{:>64}!", 1));
        assert_eq!(r("two\nlines\t"), "two?lines?");
        assert_eq!(render(b"caf\xc3\xa9 \xff", [0, 0]), "café \u{fffd}");
        let long = "x".repeat(300);
        assert_eq!(render(long.as_bytes(), [0, 0]).len(), UEXTERROR_MAXLEN - 1);
    }
}
