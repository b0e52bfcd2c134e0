//! Kernel error numbers as FreeBSD spells them.
//!
//! rjib prints the reason a kernel call failed the way FreeBSD's strerror(3)
//! does, on every platform: the simulated host and the ioctl emulator speak
//! FreeBSD numbers, so messages do not change with the build machine.

use std::fmt;

/// A FreeBSD errno value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

/// (symbolic name, FreeBSD number, FreeBSD strerror text)
const TABLE: &[(&str, i32, &str)] = &[
    ("EPERM", 1, "Operation not permitted"),
    ("ENOENT", 2, "No such file or directory"),
    ("EIO", 5, "Input/output error"),
    ("ENXIO", 6, "Device not configured"),
    ("E2BIG", 7, "Argument list too long"),
    ("EBADF", 9, "Bad file descriptor"),
    ("ENOMEM", 12, "Cannot allocate memory"),
    ("EACCES", 13, "Permission denied"),
    ("EFAULT", 14, "Bad address"),
    ("EBUSY", 16, "Device busy"),
    ("EEXIST", 17, "File exists"),
    ("ENODEV", 19, "Operation not supported by device"),
    ("EINVAL", 22, "Invalid argument"),
    ("ENFILE", 23, "Too many open files in system"),
    ("EMFILE", 24, "Too many open files"),
    ("ENOTTY", 25, "Inappropriate ioctl for device"),
    ("ENOSPC", 28, "No space left on device"),
    ("EROFS", 30, "Read-only file system"),
    ("EAGAIN", 35, "Resource temporarily unavailable"),
    ("EPROTONOSUPPORT", 43, "Protocol not supported"),
    ("EOPNOTSUPP", 45, "Operation not supported"),
    (
        "EAFNOSUPPORT",
        47,
        "Address family not supported by protocol family",
    ),
    ("EADDRINUSE", 48, "Address already in use"),
    ("EADDRNOTAVAIL", 49, "Can't assign requested address"),
    ("ENETDOWN", 50, "Network is down"),
    ("ENOBUFS", 55, "No buffer space available"),
    ("ENAMETOOLONG", 63, "File name too long"),
    ("ENOMSG", 83, "No message of desired type"),
];

impl Errno {
    pub const EPERM: Errno = Errno(1);
    pub const ENOENT: Errno = Errno(2);
    pub const EIO: Errno = Errno(5);
    pub const ENXIO: Errno = Errno(6);
    pub const ENOMEM: Errno = Errno(12);
    pub const EFAULT: Errno = Errno(14);
    pub const EBUSY: Errno = Errno(16);
    pub const EEXIST: Errno = Errno(17);
    pub const EINVAL: Errno = Errno(22);
    pub const ENOTTY: Errno = Errno(25);
    pub const ENOSPC: Errno = Errno(28);
    pub const EOPNOTSUPP: Errno = Errno(45);
    pub const ENOMSG: Errno = Errno(83);
    pub const ENOBUFS: Errno = Errno(55);
    pub const ENAMETOOLONG: Errno = Errno(63);

    /// The errno named `name` (`"EIO"`), if rjib knows it.
    pub fn from_name(name: &str) -> Option<Errno> {
        TABLE
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|&(_, v, _)| Errno(v))
    }

    /// The symbolic name (`"EIO"`), or `None` for a number rjib does not know.
    pub fn name(self) -> Option<&'static str> {
        TABLE.iter().find(|e| e.1 == self.0).map(|e| e.0)
    }

    /// FreeBSD's strerror(3) text.
    pub fn message(self) -> String {
        match TABLE.iter().find(|e| e.1 == self.0) {
            Some(e) => e.2.to_string(),
            None => format!("Unknown error: {}", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_messages_agree() {
        assert_eq!(Errno::from_name("EBUSY"), Some(Errno::EBUSY));
        assert_eq!(Errno::EBUSY.message(), "Device busy");
        assert_eq!(Errno::ENAMETOOLONG.message(), "File name too long");
        assert_eq!(Errno::EEXIST.name(), Some("EEXIST"));
        assert_eq!(Errno::from_name("EWHATEVER"), None);
        assert_eq!(Errno(9999).message(), "Unknown error: 9999");
        // every constant is in the table, once
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert_ne!(a.0, b.0);
                assert_ne!(a.1, b.1);
            }
        }
    }
}
