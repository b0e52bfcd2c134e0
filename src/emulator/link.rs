//! What getifaddrs(3) reports for each simulated interface: its AF_LINK
//! `sockaddr_dl` and `if_data`, encoded as FreeBSD lays them out.

use crate::freebsd::abi::*;
use crate::freebsd::iftype;
use crate::freebsd::sys::LinkEntry;
use crate::freebsd::wire::Wire;
use crate::host::Errno;
use crate::jib::mac::Mac;
use crate::netsim::model::{Kernel, SimIf};

/// The flags SIOCGIFFLAGS and getifaddrs report for `i`.
pub fn if_flags(i: &SimIf) -> u32 {
    let base = IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST;
    if i.up {
        base | IFF_UP | IFF_DRV_RUNNING
    } else {
        base
    }
}

/// `ifi_type`: what the interface is.
pub fn ift(i: &SimIf) -> u8 {
    if i.is_bridge() {
        IFT_BRIDGE
    } else {
        iftype::ift_of(i.kind())
    }
}

/// The AF_LINK entry of one interface. A file value the kernel could not
/// hold (a malformed MAC, an index above 65535, a name too long) is EIO.
pub fn link_entry(i: &SimIf) -> Result<LinkEntry, Errno> {
    let mac = match &i.ether {
        Some(s) => Some(s.parse::<Mac>().map_err(|_| Errno::EIO)?),
        None => None,
    };
    let addr: &[u8] = mac.as_ref().map_or(&[], |m| &m.0);
    let name = i.name.as_bytes();
    let mut sdl_data = [0u8; 46];
    if name.len() + addr.len() > sdl_data.len() {
        return Err(Errno::EIO);
    }
    sdl_data[..name.len()].copy_from_slice(name);
    sdl_data[name.len()..name.len() + addr.len()].copy_from_slice(addr);
    let ift = ift(i);
    let sdl = SockaddrDl {
        sdl_len: SockaddrDl::LEN as u8,
        sdl_family: AF_LINK,
        sdl_index: u16::try_from(i.index).map_err(|_| Errno::EIO)?,
        // ether_ifattach() stamps IFT_ETHER into the link address; if_bridge
        // and if_vlan change if_type only afterwards, so only if_data says
        // IFT_BRIDGE or IFT_L2VLAN.
        sdl_type: if matches!(ift, IFT_BRIDGE | IFT_L2VLAN) {
            IFT_ETHER
        } else {
            ift
        },
        sdl_nlen: name.len() as u8,
        sdl_alen: addr.len() as u8,
        sdl_slen: 0,
        sdl_data,
    };
    let data = IfData {
        ifi_type: ift,
        ifi_addrlen: addr.len() as u8,
        ifi_hdrlen: if addr.is_empty() { 0 } else { 14 },
        ifi_datalen: IfData::LEN as u16,
        ifi_mtu: i.mtu,
        ..IfData::default()
    };
    Ok(LinkEntry {
        name: i.name.clone(),
        flags: if_flags(i),
        sdl: sdl.to_bytes(),
        data: data.to_bytes(),
    })
}

/// getifaddrs(3), AF_LINK entries, in index order.
pub fn link_entries(k: &Kernel) -> Result<Vec<LinkEntry>, Errno> {
    k.interfaces().into_iter().map(link_entry).collect()
}
