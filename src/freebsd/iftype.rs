//! Interface types: FreeBSD's `IFT_*` numbers and the simulated host's
//! `type` names, both ways, so a listing through the kernel interface names
//! a link type as the simulated host does.

use super::abi::*;
use crate::net::LinkType;

/// `IFT_*` value and the simulated host's name for it, one name per
/// number and one number per name. `tun` is what if_tuntap's tun(4)
/// reports: IFT_PPP (if_tuntap.c `tuncreate`: `type = IFT_PPP`; tap(4) is
/// IFT_ETHER). IFT_PROPVIRTUAL (netgraph's ng_iface, among others) has no
/// simulated type; a listing names it `propvirtual`.
const TABLE: &[(u8, &str)] = &[
    (IFT_ETHER, "ether"),
    (IFT_L2VLAN, "l2vlan"),
    (IFT_GIF, "gif"),
    (IFT_BRIDGE, "bridge"),
    (IFT_LOOP, "loop"),
    (IFT_PPP, "tun"),
    (IFT_PROPVIRTUAL, "propvirtual"),
    (IFT_TUNNEL, "tunnel"),
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
        for (k, (ift, name)) in TABLE.iter().enumerate() {
            assert_eq!(ift_of(name), *ift);
            match link_type(*ift) {
                LinkType::Other(n) => assert_eq!(n, *name),
                l => assert_eq!(ift_of(name), *ift, "{l:?}"),
            }
            // One row per number and per name, or the first one wins.
            assert!(TABLE[k + 1..].iter().all(|e| e.0 != *ift && e.1 != *name));
        }
        assert_eq!(link_type(IFT_BRIDGE), LinkType::Bridge);
        assert_eq!(link_type(IFT_PPP), LinkType::Other("tun".into()));
        assert_eq!(
            link_type(IFT_PROPVIRTUAL),
            LinkType::Other("propvirtual".into())
        );
        assert_eq!(link_type(0x47), LinkType::Other("iftype71".into()));
        assert_eq!(ift_of("wireless-thing"), IFT_OTHER);
    }

    #[test]
    fn every_simulated_type_survives_the_kernel_interface() {
        // A listing through the emulator names each type as the direct
        // simulation does (`netsim::to_interface`).
        for kind in crate::netsim::state::KINDS {
            let want = match *kind {
                "ether" => LinkType::Ether,
                "l2vlan" => LinkType::L2Vlan,
                "gif" => LinkType::Gif,
                "bridge" => LinkType::Bridge,
                other => LinkType::Other(other.to_string()),
            };
            assert_eq!(link_type(ift_of(kind)), want, "{kind}");
        }
        assert_eq!(ift_of("tun"), IFT_PPP);
    }
}
