//! Interface types: FreeBSD's `IFT_*` numbers and the simulated host's
//! `type` names, both ways, so a listing through the kernel interface names
//! a link type as the simulated host does.

use super::abi::*;
use crate::host::LinkType;

/// `IFT_*` value and the simulated host's name for it. `tun` is what
/// if_tuntap's tun(4) reports (IFT_PROPVIRTUAL).
const TABLE: &[(u8, &str)] = &[
    (IFT_ETHER, "ether"),
    (IFT_L2VLAN, "l2vlan"),
    (IFT_GIF, "gif"),
    (IFT_BRIDGE, "bridge"),
    (IFT_LOOP, "loop"),
    (IFT_PROPVIRTUAL, "tun"),
    (IFT_TUNNEL, "tunnel"),
    (IFT_PPP, "ppp"),
    (IFT_STF, "stf"),
    (IFT_PFLOG, "pflog"),
    (IFT_PFSYNC, "pfsync"),
    (IFT_OTHER, "other"),
];

/// The link type of an interface whose `ifi_type` is `ift`.
pub fn link_type(ift: u8) -> LinkType {
    match ift {
        IFT_ETHER => LinkType::Ether,
        IFT_L2VLAN => LinkType::L2Vlan,
        IFT_GIF => LinkType::Gif,
        IFT_BRIDGE => LinkType::Bridge,
        _ => LinkType::Other(match TABLE.iter().find(|e| e.0 == ift) {
            Some(e) => e.1.to_string(),
            None => format!("iftype{ift}"),
        }),
    }
}

/// The `IFT_*` number for a simulated host's `type` name; a name FreeBSD
/// has no number for is `IFT_OTHER`.
pub fn ift_of(kind: &str) -> u8 {
    TABLE
        .iter()
        .find(|e| e.1 == kind)
        .map_or(IFT_OTHER, |e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (ift, name) in TABLE {
            assert_eq!(ift_of(name), *ift);
            match link_type(*ift) {
                LinkType::Other(n) => assert_eq!(n, *name),
                l => assert_eq!(ift_of(name), *ift, "{l:?}"),
            }
        }
        assert_eq!(link_type(IFT_BRIDGE), LinkType::Bridge);
        assert_eq!(link_type(IFT_PROPVIRTUAL), LinkType::Other("tun".into()));
        assert_eq!(link_type(0x47), LinkType::Other("iftype71".into()));
        assert_eq!(ift_of("wireless-thing"), IFT_OTHER);
    }
}
