//! Interface names the kernel accepts.

use std::fmt;

/// Longest interface name: IFNAMSIZ (16) less the terminating NUL.
pub const IFNAME_MAX: usize = 15;

/// An interface name the kernel can hold: 1 to 15 bytes, no NUL.
///
/// Every kernel request rjib builds takes its names from this type, so a
/// name that would not fit in `ifr_name` cannot reach the kernel.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IfName(String);

/// Why a string is not an interface name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IfNameError {
    Empty,
    TooLong { name: String, len: usize },
    Nul,
}

impl fmt::Display for IfNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IfNameError::Empty => f.write_str("empty interface name"),
            IfNameError::TooLong { name, len } => write!(
                f,
                "{name}: interface name is {len} bytes, the kernel allows at most {IFNAME_MAX}"
            ),
            IfNameError::Nul => f.write_str("interface name contains a NUL byte"),
        }
    }
}

impl std::error::Error for IfNameError {}

impl IfName {
    pub fn new(name: impl Into<String>) -> Result<IfName, IfNameError> {
        let name = name.into();
        if name.is_empty() {
            return Err(IfNameError::Empty);
        }
        if name.contains('\0') {
            return Err(IfNameError::Nul);
        }
        if name.len() > IFNAME_MAX {
            let len = name.len();
            return Err(IfNameError::TooLong { name, len });
        }
        Ok(IfName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Display for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for IfName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifname_limits() {
        assert!(IfName::new("e0a_abcdefghijk").is_ok()); // 15
        assert_eq!(
            IfName::new("e0a_abcdefghijkl"),
            Err(IfNameError::TooLong {
                name: "e0a_abcdefghijkl".into(),
                len: 16
            })
        );
        assert_eq!(IfName::new(""), Err(IfNameError::Empty));
        assert_eq!(IfName::new("a\0b"), Err(IfNameError::Nul));
    }
}
