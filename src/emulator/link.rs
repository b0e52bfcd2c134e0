//! What getifaddrs(3) reports for each simulated host interface: its
//! AF_LINK `sockaddr_dl` and `if_data`, then its AF_INET and AF_INET6
//! addresses with their netmasks, encoded as FreeBSD lays them out.

use std::net::IpAddr;

use crate::freebsd::abi::*;
use crate::freebsd::iftype;
use crate::freebsd::sys::IfaEntry;
use crate::freebsd::wire::Wire;
use crate::net::{Errno, IfAddr, Mac};
use crate::netsim::model::Kernel;
use crate::netsim::state::SimIf;

/// The flags SIOCGIFFLAGS and getifaddrs report for `i`: `if_flags |
/// if_drv_flags` (rtsock.c `sysctl_iflist_ifml`). An epair is
/// IFF_DRV_RUNNING from its creation (`epair_clone_create`); other
/// interfaces once they are up.
pub fn if_flags(i: &SimIf) -> u32 {
    let base = IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST;
    let up = if i.up { IFF_UP } else { 0 };
    let running = if i.up || i.is_epair() {
        IFF_DRV_RUNNING
    } else {
        0
    };
    base | up | running
}

/// `ifi_type`: what the interface is.
pub fn ift(i: &SimIf) -> u8 {
    iftype::ift_of(i.kind())
}

/// `sdl_len` on LP64: the fixed `sockaddr_dl` rounded up to a `long`
/// (if.c `if_attach_internal`: `roundup2(socksize, sizeof(long))`).
pub const SDL_LEN: u8 = SockaddrDl::LEN.next_multiple_of(8) as u8;

/// The AF_LINK entry of one interface. The host file was checked when it
/// was loaded (`netsim::validate`), so its values fit.
pub fn link_entry(i: &SimIf) -> Result<IfaEntry, Errno> {
    let mac = match &i.ether {
        Some(s) => Some(s.parse::<Mac>().map_err(|_| Errno::EIO)?),
        None => None,
    };
    let addr: &[u8] = mac.as_ref().map_or(&[], |m| &m.0);
    let name = i.wire_name();
    let mut sdl_data = [0u8; 46];
    if name.len() + addr.len() > sdl_data.len() {
        return Err(Errno::EIO);
    }
    sdl_data[..name.len()].copy_from_slice(name);
    sdl_data[name.len()..name.len() + addr.len()].copy_from_slice(addr);
    let ift = ift(i);
    let sdl = SockaddrDl {
        sdl_len: SDL_LEN,
        sdl_family: AF_LINK,
        sdl_index: u16::try_from(i.index).map_err(|_| Errno::EIO)?,
        // ether_ifattach() stamps IFT_ETHER into the link address; if_bridge
        // changes only if_type afterwards, while vlan_clone_create stamps
        // IFT_L2VLAN into both.
        sdl_type: if ift == IFT_BRIDGE { IFT_ETHER } else { ift },
        sdl_nlen: name.len() as u8,
        sdl_alen: addr.len() as u8,
        sdl_slen: 0,
        sdl_data,
    };
    let mut sdl = sdl.to_bytes();
    sdl.resize(usize::from(SDL_LEN), 0);
    let data = IfData {
        ifi_type: ift,
        ifi_addrlen: addr.len() as u8,
        ifi_hdrlen: if addr.is_empty() { 0 } else { 14 },
        ifi_datalen: IfData::LEN as u16,
        ifi_mtu: i.mtu,
        __ifi_lastchange: [i.lastchange.unwrap_or(0), 0],
        ..IfData::default()
    };
    Ok(IfaEntry {
        name: i.wire_name().to_vec(),
        flags: if_flags(i),
        addr: sdl,
        netmask: Vec::new(),
        data: data.to_bytes(),
    })
}

/// The netmask of a prefix length, `n` bytes long.
fn mask(prefix: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|k| {
            let bits = (i32::from(prefix) - 8 * k as i32).clamp(0, 8);
            (0xff00u16 >> bits) as u8
        })
        .collect()
}

/// The AF_INET or AF_INET6 entry of one address, with its netmask.
pub fn addr_entry(i: &SimIf, a: IfAddr) -> IfaEntry {
    let (addr, netmask) = match a.ip {
        IpAddr::V4(v4) => {
            let sa = |b: [u8; 4]| SockaddrIn {
                sin_len: SockaddrIn::LEN as u8,
                sin_family: AF_INET,
                sin_addr: b,
                ..SockaddrIn::default()
            };
            let m: [u8; 4] = mask(a.prefix, 4).try_into().expect("four bytes");
            (sa(v4.octets()).to_bytes(), sa(m).to_bytes())
        }
        IpAddr::V6(v6) => {
            let sa = |b: [u8; 16], scope: u32| SockaddrIn6 {
                sin6_len: SockaddrIn6::LEN as u8,
                sin6_family: AF_INET6,
                sin6_addr: b,
                sin6_scope_id: scope,
                ..SockaddrIn6::default()
            };
            let link_local = v6.segments()[0] & 0xffc0 == 0xfe80;
            let scope = if link_local { i.index } else { 0 };
            let m: [u8; 16] = mask(a.prefix, 16).try_into().expect("sixteen bytes");
            (sa(v6.octets(), scope).to_bytes(), sa(m, 0).to_bytes())
        }
    };
    IfaEntry {
        name: i.wire_name().to_vec(),
        flags: if_flags(i),
        addr,
        netmask,
        data: Vec::new(),
    }
}

/// getifaddrs(3): for each host interface in attach order (`sysctl_iflist`
/// walks `V_ifnet`), its AF_LINK entry
/// and then its addresses.
pub fn entries(k: &Kernel) -> Result<Vec<IfaEntry>, Errno> {
    let mut out = Vec::new();
    for i in k.interfaces() {
        out.push(link_entry(i)?);
        for a in i.addr_list() {
            out.push(addr_entry(i, a.parse().map_err(|_| Errno::EIO)?));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask(24, 4), vec![255, 255, 255, 0]);
        assert_eq!(mask(9, 4), vec![255, 128, 0, 0]);
        assert_eq!(mask(0, 4), vec![0; 4]);
        assert_eq!(mask(32, 4), vec![255; 4]);
        assert_eq!(SDL_LEN, 56);
    }
}
