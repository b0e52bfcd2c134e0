//! jib's derivation of the epair MACs.

use sha2::{Digest, Sha256};

use super::sum::bsd_sum;
use crate::net::Mac;

/// The MACs of one epair: the host (`a`) end and the jail (`b`) end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MacPair {
    pub a: Mac,
    pub b: Mac,
}

/// How the name part of a derived MAC is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scheme {
    /// jib's: `NP:SS:SS:I3:I4:I5`, SS:SS = sum(1) of the name.
    #[default]
    Sum,
    /// rjib's opt-in: `NP:HH:HH:HH:I4:I5`, HH:HH:HH = the first three bytes
    /// of SHA-256 of the name. 24 name bits instead of 16.
    Sha256,
}

impl Scheme {
    pub fn from_name(s: &str) -> Option<Scheme> {
        match s {
            "sum" => Some(Scheme::Sum),
            "sha256" => Some(Scheme::Sha256),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Sum => "sum",
            Scheme::Sha256 => "sha256",
        }
    }
}

/// The MAC pair for the `counter`-th epair of `jail` on `parent`.
pub fn derive_with(scheme: Scheme, parent: Mac, jail: &str, counter: u32) -> MacPair {
    match scheme {
        Scheme::Sum => derive(parent, jail, counter),
        Scheme::Sha256 => {
            let h = Sha256::digest(jail.as_bytes());
            with_first_octet(
                parent,
                counter,
                [h[0], h[1], h[2], parent.0[4], parent.0[5]],
            )
        }
    }
}

/// The first octet (counter nibble, then the nibble the parent picks) in
/// front of `tail`, for both ends.
fn with_first_octet(parent: Mac, counter: u32, tail: [u8; 5]) -> MacPair {
    let (pa, pb) = match parent.0[0] & 0x0f {
        0x2 => (0xa, 0xe),
        0xe => (0x2, 0x6),
        _ => (0x2, 0xe),
    };
    let n = ((counter & 15) as u8) << 4;
    let make = |p: u8| {
        let mut m = [0u8; 6];
        m[0] = n | p;
        m[1..].copy_from_slice(&tail);
        Mac(m)
    };
    MacPair {
        a: make(pa),
        b: make(pb),
    }
}

/// jib's derivation: `NP:SS:SS:I3:I4:I5`.
///
/// ```
/// use rjib::jib::mac::derive;
/// use rjib::net::Mac;
/// let parent: Mac = "58:9c:fc:0a:1b:2c".parse().unwrap();
/// let pair = derive(parent, "jamulus", 0);
/// assert_eq!(pair.a.to_string(), "02:a0:e2:0a:1b:2c");
/// assert_eq!(pair.b.to_string(), "0e:a0:e2:0a:1b:2c");
/// ```
///
/// N is `counter & 15` (how many MACs this `addm` call already derived from
/// this parent), P is chosen from the parent's first octet (see the table
/// in the spec), SS:SS is sum(1) of the jail name and I3..I5 are the
/// parent's last three octets. The low nibble of the first octet is always
/// 2, 6, a or e: locally administered, never multicast.
pub fn derive(parent: Mac, jail: &str, counter: u32) -> MacPair {
    let s = bsd_sum(jail.as_bytes()).to_be_bytes();
    with_first_octet(
        parent,
        counter,
        [s[0], s[1], parent.0[3], parent.0[4], parent.0[5]],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(s: &str) -> Mac {
        s.parse().unwrap()
    }

    /// Every row of the spec's table, recorded from real jib runs.
    #[test]
    fn spec_table() {
        let rows = [
            (
                "58:9c:fc:0a:1b:2c",
                "jamulus",
                0,
                "02:a0:e2:0a:1b:2c",
                "0e:a0:e2:0a:1b:2c",
            ),
            (
                "00:25:90:ab:cd:ef",
                "x",
                0,
                "02:00:78:ab:cd:ef",
                "0e:00:78:ab:cd:ef",
            ),
            (
                "00:25:90:ab:cd:ef",
                "x",
                1,
                "12:00:78:ab:cd:ef",
                "1e:00:78:ab:cd:ef",
            ),
            (
                "02:25:90:11:22:33",
                "x",
                0,
                "0a:00:78:11:22:33",
                "0e:00:78:11:22:33",
            ),
            (
                "0e:1b:21:44:55:66",
                "x",
                0,
                "02:00:78:44:55:66",
                "06:00:78:44:55:66",
            ),
        ];
        for (parent, name, n, a, b) in rows {
            let p = derive(mac(parent), name, n);
            assert_eq!(p.a.to_string(), a, "{parent} {name} {n}");
            assert_eq!(p.b.to_string(), b, "{parent} {name} {n}");
        }
    }

    #[test]
    fn upper_case_e_nibble_and_counter_wrap() {
        // The parent octet is a number: 0E and 0e are the same.
        let p = derive(mac("0E:1B:21:44:55:66"), "x", 0);
        assert_eq!(p.b.to_string(), "06:00:78:44:55:66");
        // N is four bits: the 17th MAC wraps to the first.
        assert_eq!(
            derive(mac("00:25:90:ab:cd:ef"), "x", 16),
            derive(mac("00:25:90:ab:cd:ef"), "x", 0)
        );
        assert_eq!(
            derive(mac("00:25:90:ab:cd:ef"), "x", 15).a.to_string(),
            "f2:00:78:ab:cd:ef"
        );
    }

    /// Computed independently with Python's hashlib:
    /// `hashlib.sha256(b"jamulus").hexdigest()[:6] == "c9cab9"`, `ab` →
    /// fb8e20, `ca` → 695909, `x` → 2d7116.
    #[test]
    fn sha256_scheme() {
        let rows = [
            (
                "58:9c:fc:0a:1b:2c",
                "jamulus",
                0,
                "02:c9:ca:b9:1b:2c",
                "0e:c9:ca:b9:1b:2c",
            ),
            (
                "00:25:90:ab:cd:ef",
                "ab",
                0,
                "02:fb:8e:20:cd:ef",
                "0e:fb:8e:20:cd:ef",
            ),
            (
                "00:25:90:ab:cd:ef",
                "ca",
                0,
                "02:69:59:09:cd:ef",
                "0e:69:59:09:cd:ef",
            ),
            (
                "02:25:90:11:22:33",
                "x",
                1,
                "1a:2d:71:16:22:33",
                "1e:2d:71:16:22:33",
            ),
            (
                "0e:1b:21:44:55:66",
                "x",
                0,
                "02:2d:71:16:55:66",
                "06:2d:71:16:55:66",
            ),
        ];
        for (parent, name, n, a, b) in rows {
            let p = derive_with(Scheme::Sha256, mac(parent), name, n);
            assert_eq!(
                (p.a.to_string().as_str(), p.b.to_string().as_str()),
                (a, b),
                "{name}"
            );
        }
        // ab and ca collide under sum(1), not under sha256
        let p = mac("00:25:90:ab:cd:ef");
        assert_eq!(derive(p, "ab", 0), derive(p, "ca", 0));
        assert_ne!(
            derive_with(Scheme::Sha256, p, "ab", 0),
            derive_with(Scheme::Sha256, p, "ca", 0)
        );
        assert_eq!(derive_with(Scheme::Sum, p, "ab", 3), derive(p, "ab", 3));
        assert_eq!(Scheme::from_name("sha256"), Some(Scheme::Sha256));
        assert_eq!(Scheme::from_name("md5"), None);
    }

    #[test]
    fn never_multicast_always_local() {
        for first in 0..=255u8 {
            for n in 0..16 {
                let p = derive(Mac([first, 1, 2, 3, 4, 5]), "web", n);
                let q = derive_with(Scheme::Sha256, Mac([first, 1, 2, 3, 4, 5]), "web", n);
                for m in [p.a, p.b, q.a, q.b] {
                    assert!(!m.is_multicast(), "{m}");
                    assert!(m.is_locally_administered(), "{m}");
                }
                assert_ne!(p.a, p.b);
            }
        }
    }
}
