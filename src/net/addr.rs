//! Interface addresses as ifconfig(8) shows them: `203.0.113.7/24`,
//! `fe80::1/64`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IPv4 or IPv6 address with its prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IfAddr {
    pub ip: IpAddr,
    pub prefix: u8,
}

impl IfAddr {
    /// The longest prefix of this address family.
    pub fn max_prefix(ip: IpAddr) -> u8 {
        match ip {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        }
    }
}

impl fmt::Display for IfAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ip, self.prefix)
    }
}

/// A string that is not `ADDRESS/PREFIX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadAddr(pub String);

impl fmt::Display for BadAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" is not an address with a prefix length (203.0.113.7/24, fe80::1/64)",
            self.0
        )
    }
}

impl std::error::Error for BadAddr {}

impl FromStr for IfAddr {
    type Err = BadAddr;
    fn from_str(s: &str) -> Result<IfAddr, BadAddr> {
        let bad = || BadAddr(s.to_string());
        let (ip, prefix) = s.split_once('/').ok_or_else(bad)?;
        let ip: IpAddr = ip.parse().map_err(|_| bad())?;
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        if prefix > IfAddr::max_prefix(ip) {
            return Err(bad());
        }
        Ok(IfAddr { ip, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        for s in [
            "203.0.113.7/24",
            "fe80::5a9c:fcff:fe0a:1b2c/64",
            "::1/128",
            "10.0.0.1/32",
        ] {
            assert_eq!(s.parse::<IfAddr>().unwrap().to_string(), s);
        }
        for s in [
            "203.0.113.7",
            "203.0.113.7/33",
            "::1/129",
            "x/24",
            "1.2.3.4/+1",
            "1.2.3.4/",
        ] {
            assert!(s.parse::<IfAddr>().is_err(), "{s}");
        }
    }
}
