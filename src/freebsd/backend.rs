//! `Host` on a FreeBSD kernel, through the `Sys` seam: every operation is
//! one or two ioctls built from `IfName`s, and errors keep the interface,
//! the operation in ifconfig's words, the kernel's errno and, on FreeBSD
//! 15, its extended error text.
//!
//! A listing is getifaddrs(3) (names, flags, MACs, index, type, MTU,
//! addresses, last change), one SIOCGIFGMEMB per listed group, one
//! BRDGGIFS per bridge (which gives each member's untagged VLAN too) and
//! one SIOCGETVLAN per vlan — never one request per interface.
//!
//! Names come as bytes: if_rename takes any but NUL, and a jail's root may
//! name its end so before the end comes back to the host. A name rjib
//! cannot hold (not UTF-8) is nothing of rjib's, and one it cannot name in
//! a request: such an interface is left out of the listing (and a bridge's
//! such member out of its members, noted in `unnamed_members`), never
//! read lossily, and never a reason for the listing to fail.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::abi::*;
use super::iftype;
use super::sys::{IfaEntry, Sys, addr_of};
use super::wire::{Field, Wire, c_name, c_str};
use crate::host::{
    Host, HostError, HostResult, Priority, Reason, flags_words, pvid_words, vlanset_words,
};
use crate::net::{
    BridgeFlags, BridgePolicy, Cloner, Errno, IfAddr, IfName, Interface, JailInfo, LinkType, Mac,
    Vid, VlanOp, VlanSet,
};

/// The interface groups a listing reports (an interface's other groups
/// would take one SIOCGIFGROUP per interface to learn).
pub const LISTED_GROUPS: [&str; 2] = ["bridge", "epair"];

/// Growing a member buffer stops here (entries), far above any real host.
const MAX_ENTRIES: usize = 1 << 20;

/// The first description buffer: `net.ifdescr_maxlen`'s default, NUL
/// included; a longer description takes a second request.
const DESCR_MAX: usize = 1024;
/// How many times a description that keeps growing is asked for.
const DESCR_TRIES: usize = 4;

/// sysctls the bridge policy is read from.
const OSRELDATE: &str = "kern.osreldate";
const MEMBER_IFADDRS: &str = "net.link.bridge.member_ifaddrs";

/// A `Host` on the kernel behind `S`.
pub struct KernelHost<S: Sys> {
    sys: S,
}

impl<S: Sys> KernelHost<S> {
    pub fn new(sys: S) -> KernelHost<S> {
        KernelHost { sys }
    }

    pub fn sys(&self) -> &S {
        &self.sys
    }

    /// A failed request, with the kernel's extended error text if it gave
    /// one. Every failed system call's error goes through here.
    fn fail(&mut self, iface: &str, what: impl Into<String>, e: Errno) -> HostError {
        let detail = self.sys.exterror();
        HostError::errno(iface, what, e).with_detail(detail)
    }

    /// A listing that failed, about `iface` if it was about one.
    fn list_fail(&mut self, iface: Option<&str>, e: Errno) -> HostError {
        HostError {
            iface: iface.map(str::to_string),
            what: "list".to_string(),
            reason: Reason::Errno(e),
            detail: self.sys.exterror(),
        }
    }

    /// An ifreq request; the kernel's reply replaces `r`.
    fn ifreq(&mut self, req: u64, r: &mut IfReq, bufs: &mut [&mut [u8]]) -> Result<(), Errno> {
        let mut arg = r.to_bytes();
        self.sys.ioctl(req, &mut arg, bufs)?;
        *r = IfReq::from_bytes(&arg).ok_or(Errno::EFAULT)?;
        Ok(())
    }

    /// A bridge request (SIOCSDRVSPEC / SIOCGDRVSPEC); `bufs[0]` is the
    /// command's argument, any further buffers are what it points to.
    fn drvspec(
        &mut self,
        req: u64,
        bridge: &IfName,
        cmd: u64,
        bufs: &mut [&mut [u8]],
    ) -> Result<(), Errno> {
        let data = &mut *bufs[0];
        let ifd = IfDrv {
            ifd_name: c_name(bridge.as_str()),
            ifd_cmd: cmd,
            ifd_len: data.len() as u64,
            ifd_data: addr_of(data),
        };
        let mut arg = ifd.to_bytes();
        self.sys.ioctl(req, &mut arg, bufs)
    }

    /// A bridge's members as the kernel lists them (most recent first),
    /// with each one's untagged VLAN (`ifbr_pvid`, 0 for none and on
    /// FreeBSD 14, where that is padding the kernel zeroes), without its
    /// span ports, names as bytes. `hint` is how many ports there may be,
    /// so one request usually does.
    fn bridge_members(
        &mut self,
        bridge: &IfName,
        hint: usize,
    ) -> Result<Vec<(Vec<u8>, u16)>, Errno> {
        let mut cap = hint.max(1);
        loop {
            let mut list = vec![0u8; cap * IFBREQ_LEN];
            let conf = IfBifConf {
                ifbic_len: u32::try_from(list.len()).map_err(|_| Errno::ENOMEM)?,
                _pad: 0,
                ifbic_buf: addr_of(&mut list),
            };
            let mut conf = conf.to_bytes();
            self.drvspec(SIOCGDRVSPEC, bridge, BRDGGIFS, &mut [&mut conf, &mut list])?;
            let got = IfBifConf::from_bytes(&conf).ok_or(Errno::EFAULT)?.ifbic_len as usize;
            // The kernel fills what fits; a free entry left means all did.
            if got + IFBREQ_LEN <= list.len() {
                return Ok(list[..got.min(list.len())]
                    .chunks_exact(IFBREQ_LEN)
                    .filter_map(IfBreq::from_bytes)
                    // bridge_ioctl_gifs lists the span ports too (whose VLAN
                    // fields are a member's left-overs).
                    .filter(|e| e.ifbr_ifsflags & IFBIF_SPAN == 0)
                    .map(|e| (c_str(&e.ifbr_ifsname).to_vec(), e.ifbr_pvid))
                    .collect());
            }
            if cap >= MAX_ENTRIES {
                return Err(Errno::ENOMEM);
            }
            cap *= 2;
        }
    }

    /// The members of interface group `group` (none if it does not
    /// exist), as bytes.
    fn group_members(&mut self, group: &str, hint: usize) -> Result<Vec<Vec<u8>>, Errno> {
        let entry = size_of::<IfgReq>();
        let mut cap = hint.max(1);
        loop {
            let mut list = vec![0u8; cap * entry];
            let req = IfGroupReq {
                ifgr_name: c_name(group),
                ifgr_len: u32::try_from(list.len()).map_err(|_| Errno::ENOMEM)?,
                ifgr_groups: addr_of(&mut list),
                ..IfGroupReq::default()
            };
            let mut arg = req.to_bytes();
            match self.sys.ioctl(SIOCGIFGMEMB, &mut arg, &mut [&mut list]) {
                // The kernel does not say how many it wrote: the rest of
                // the zeroed buffer has empty names.
                Ok(()) => {
                    return Ok(list
                        .chunks_exact(entry)
                        .map(c_str)
                        .take_while(|n| !n.is_empty())
                        .map(<[u8]>::to_vec)
                        .collect());
                }
                Err(Errno::ENOENT) => return Ok(Vec::new()),
                Err(Errno::EINVAL) if cap < MAX_ENTRIES => cap *= 2,
                Err(e) => return Err(e),
            }
        }
    }

    /// The interface a vlan(4) is tagged on (SIOCGETVLAN), as bytes;
    /// `None` when it has none.
    fn vlan_parent(&mut self, vlan: &IfName) -> Result<Option<Vec<u8>>, Errno> {
        let mut vr = VlanReq::default().to_bytes();
        let mut r = IfReq::named(vlan.as_str());
        r.set_data(addr_of(&mut vr));
        self.ifreq(SIOCGETVLAN, &mut r, &mut [&mut vr])?;
        let parent = VlanReq::from_bytes(&vr).ok_or(Errno::EFAULT)?.vlr_parent;
        let parent = c_str(&parent);
        Ok((!parent.is_empty()).then(|| parent.to_vec()))
    }

    fn flags(&mut self, name: &IfName) -> Result<IfReq, Errno> {
        let mut r = IfReq::named(name.as_str());
        self.ifreq(SIOCGIFFLAGS, &mut r, &mut [])?;
        Ok(r)
    }

    /// sysctlbyname(3), as a `HostError` when it fails other than by
    /// not existing.
    fn sysctl(&mut self, name: &str) -> HostResult<Option<i64>> {
        self.sys
            .sysctl_int(name)
            .map_err(|e| self.fail(name, "sysctl", e))
    }
}

/// What getifaddrs says about one interface.
struct Link {
    index: u32,
    ether: Option<Mac>,
    ift: u8,
    mtu: u32,
    up: bool,
    lastchange: Option<u64>,
}

fn parse_link(e: &IfaEntry) -> Result<Link, String> {
    use core::mem::offset_of;
    let sdl = &e.addr;
    if sdl.len() < SDL_DATA {
        return Err(format!("sockaddr_dl of {} bytes", sdl.len()));
    }
    let len = usize::from(sdl[offset_of!(SockaddrDl, sdl_len)]).min(sdl.len());
    let index = u16::get(&sdl[offset_of!(SockaddrDl, sdl_index)..]);
    let nlen = usize::from(sdl[offset_of!(SockaddrDl, sdl_nlen)]);
    let alen = usize::from(sdl[offset_of!(SockaddrDl, sdl_alen)]);
    let at = SDL_DATA + nlen;
    let ether = match sdl.get(at..at + alen) {
        Some(a) if alen == 6 && at + alen <= len => Some(Mac(a.try_into().expect("six bytes"))),
        _ => None,
    };
    let d = &e.data;
    let need = offset_of!(IfData, ifi_mtu) + 4;
    if d.len() < need {
        return Err(format!("if_data of {} bytes", d.len()));
    }
    let at = offset_of!(IfData, __ifi_lastchange);
    // tv_sec of if_lastchange; 0 (or a short if_data) says nothing.
    let lastchange = d.get(at..at + 8).map(u64::get).filter(|&t| t != 0);
    Ok(Link {
        index: u32::from(index),
        ether,
        ift: d[offset_of!(IfData, ifi_type)],
        mtu: u32::get(&d[offset_of!(IfData, ifi_mtu)..]),
        up: e.flags & IFF_UP != 0,
        lastchange,
    })
}

/// A name as the kernel gave it, if rjib can hold it: UTF-8, 1 to 15
/// bytes.
fn name_of(bytes: &[u8]) -> Option<IfName> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| IfName::new(s).ok())
}

/// The prefix length of a netmask: its leading one bits.
fn prefix_len(mask: &[u8]) -> u8 {
    let mut n = 0u8;
    for b in mask {
        n += b.leading_ones() as u8;
        if *b != 0xff {
            break;
        }
    }
    n
}

/// An AF_INET or AF_INET6 entry's address and prefix length. A link-local
/// IPv6 address may carry the KAME zone in bytes 2 and 3; it is cleared.
fn parse_addr(e: &IfaEntry) -> Option<IfAddr> {
    match e.family() {
        AF_INET => {
            let sin = SockaddrIn::from_bytes(e.addr.get(..size_of::<SockaddrIn>())?)?;
            let ip = IpAddr::V4(Ipv4Addr::from(sin.sin_addr));
            let mask = e.netmask.get(4..8).unwrap_or(&[0xff; 4]);
            Some(IfAddr {
                ip,
                prefix: prefix_len(mask).min(32),
            })
        }
        AF_INET6 => {
            let sin6 = SockaddrIn6::from_bytes(e.addr.get(..size_of::<SockaddrIn6>())?)?;
            let mut a = sin6.sin6_addr;
            if a[0] == 0xfe && a[1] & 0xc0 == 0x80 {
                a[2] = 0;
                a[3] = 0;
            }
            let mask = e.netmask.get(8..24).unwrap_or(&[0xff; 16]);
            Some(IfAddr {
                ip: IpAddr::V6(Ipv6Addr::from(a)),
                prefix: prefix_len(mask).min(128),
            })
        }
        _ => None,
    }
}

impl<S: Sys> Host for KernelHost<S> {
    fn euid(&mut self) -> HostResult<u32> {
        Ok(self.sys.geteuid())
    }

    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        self.sys.lock(wait)
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        let entries = self.sys.getifaddrs().map_err(|e| self.list_fail(None, e))?;
        let hint = entries.len() + 1;
        let mut groups: HashMap<Vec<u8>, Vec<&'static str>> = HashMap::new();
        for g in LISTED_GROUPS {
            for m in self
                .group_members(g, hint)
                .map_err(|e| self.list_fail(Some(g), e))?
            {
                groups.entry(m).or_default().push(g);
            }
        }
        let mut addrs: HashMap<&[u8], Vec<IfAddr>> = HashMap::new();
        for e in entries.iter().filter(|e| e.family() != AF_LINK) {
            if let Some(a) = parse_addr(e) {
                addrs.entry(e.name.as_slice()).or_default().push(a);
            }
        }
        let mut out = Vec::with_capacity(entries.len());
        let mut pvids: HashMap<String, Vid> = HashMap::new();
        for e in entries.iter().filter(|e| e.family() == AF_LINK) {
            // A name rjib cannot hold: not rjib's, left out.
            let Some(name) = name_of(&e.name) else {
                continue;
            };
            let bad = |why: String| HostError::other(Some(name.to_string()), "list", why);
            let l = parse_link(e).map_err(bad)?;
            let link = iftype::link_type(l.ift);
            let mut unnamed_members = Vec::new();
            let members = if link == LinkType::Bridge {
                match self.bridge_members(&name, hint) {
                    Ok(m) => {
                        let mut named = Vec::with_capacity(m.len());
                        for (bytes, pvid) in m {
                            let Some(member) = name_of(&bytes) else {
                                unnamed_members.push(bytes);
                                continue;
                            };
                            if let Some(v) = Vid::new(pvid) {
                                pvids.insert(member.to_string(), v);
                            }
                            named.push(member);
                        }
                        Some(named)
                    }
                    // Destroyed since getifaddrs: it is no longer there.
                    Err(Errno::ENXIO) => continue,
                    Err(x) => return Err(self.list_fail(Some(name.as_str()), x)),
                }
            } else {
                None
            };
            let vlan_parent = if link == LinkType::L2Vlan {
                match self.vlan_parent(&name) {
                    Ok(p) => p.as_deref().and_then(name_of),
                    Err(Errno::ENXIO) => continue,
                    Err(x) => return Err(self.list_fail(Some(name.as_str()), x)),
                }
            } else {
                None
            };
            out.push(Interface {
                groups: groups
                    .get(e.name.as_slice())
                    .map_or_else(Vec::new, |g| g.iter().map(|s| s.to_string()).collect()),
                addrs: addrs.remove(e.name.as_slice()).unwrap_or_default(),
                name,
                index: l.index,
                link,
                ether: l.ether,
                mtu: l.mtu,
                up: l.up,
                members,
                unnamed_members,
                vlan_parent,
                lastchange: l.lastchange,
                pvid: None,
            });
        }
        for i in &mut out {
            i.pvid = pvids.remove(i.name.as_str());
        }
        // getifaddrs(3)'s order: the kernel's `V_ifnet`, attach order.
        Ok(out)
    }

    fn create(&mut self, cloner: Cloner, unit: Option<u32>) -> HostResult<IfName> {
        let request = cloner.request(unit);
        let mut r = IfReq::named(&request);
        if let Err(e) = self.ifreq(SIOCIFCREATE2, &mut r, &mut []) {
            return Err(self.fail(&request, "create", e));
        }
        // The kernel's name for it (`bridge3`, `epair3a`), never a guess.
        name_of(c_str(&r.ifr_name)).ok_or_else(|| {
            HostError::other(
                Some(request),
                "create",
                format!(
                    "the kernel named it {}, which is no name rjib can hold",
                    crate::util::quote_bytes(c_str(&r.ifr_name))
                ),
            )
        })
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        let mut buf: [u8; IFNAMSIZ] = c_name(new.as_str());
        let mut r = IfReq::named(name.as_str());
        r.set_data(addr_of(&mut buf));
        self.ifreq(SIOCSIFNAME, &mut r, &mut [&mut buf])
            .map_err(|e| self.fail(name.as_str(), format!("name {new}"), e))
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        let what = if up { "up" } else { "down" };
        let mut r = match self.flags(name) {
            Ok(r) => r,
            Err(e) => return Err(self.fail(name.as_str(), what, e)),
        };
        let flags = r.flags();
        r.set_flags(if up { flags | IFF_UP } else { flags & !IFF_UP });
        self.ifreq(SIOCSIFFLAGS, &mut r, &mut [])
            .map_err(|e| self.fail(name.as_str(), what, e))
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        let mut sa = Sockaddr {
            sa_len: 6,
            sa_family: AF_LINK,
            sa_data: [0; 14],
        };
        sa.sa_data[..6].copy_from_slice(&mac.0);
        let mut r = IfReq::named(name.as_str());
        r.set_addr(sa);
        self.ifreq(SIOCSIFLLADDR, &mut r, &mut [])
            .map_err(|e| self.fail(name.as_str(), format!("ether {mac}"), e))
    }

    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        let mut r = IfReq::named(name.as_str());
        self.ifreq(SIOCGIFMTU, &mut r, &mut [])
            .map_err(|e| self.fail(name.as_str(), "mtu", e))?;
        u32::try_from(r.mtu()).map_err(|_| {
            HostError::other(
                Some(name.to_string()),
                "mtu",
                format!("kernel says {}", r.mtu()),
            )
        })
    }

    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        let mut r = IfReq::named(name.as_str());
        // Too large for ifr_mtu: send one the kernel refuses (EINVAL).
        r.set_mtu(i32::try_from(mtu).unwrap_or(i32::MAX));
        self.ifreq(SIOCSIFMTU, &mut r, &mut [])
            .map_err(|e| self.fail(name.as_str(), format!("mtu {mtu}"), e))
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        let mut req = IfBreq::named(member.as_str()).to_bytes();
        self.drvspec(SIOCSDRVSPEC, bridge, BRDGADD, &mut [&mut req])
            .map_err(|e| self.fail(bridge.as_str(), format!("addm {member}"), e))
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        let mut r = IfReq::named(name.as_str());
        self.ifreq(SIOCIFDESTROY, &mut r, &mut [])
            .map_err(|e| self.fail(name.as_str(), "destroy", e))
    }

    fn cloner_loaded(&mut self, cloner: Cloner) -> HostResult<bool> {
        self.sys
            .modfind(cloner.module())
            .map_err(|e| self.fail(cloner.module(), "modfind", e))
    }

    fn load_cloner(&mut self, cloner: Cloner) -> HostResult<()> {
        self.sys
            .kldload(cloner.module())
            .map_err(|e| self.fail(cloner.module(), "kldload", e))
    }

    fn bridge_policy(&mut self) -> HostResult<BridgePolicy> {
        let osreldate = self.sysctl(OSRELDATE)?;
        let member_ifaddrs = self.sysctl(MEMBER_IFADDRS)?;
        let loaded = self.cloner_loaded(Cloner::Bridge)?;
        Ok(BridgePolicy::from_sysctls(
            osreldate,
            member_ifaddrs,
            loaded,
        ))
    }

    fn driver(&mut self, name: &IfName, index: u32) -> HostResult<Option<String>> {
        let mut buf = [0u8; DRIVERNAME_MAX];
        match self.sys.sysctl(&drivername_mib(index), &mut buf) {
            Ok(n) => {
                let text = c_str(&buf[..n]);
                std::str::from_utf8(text)
                    .map(|t| Some(t.to_string()))
                    .map_err(|_| {
                        HostError::other(
                            Some(name.to_string()),
                            "sysctl drivername",
                            "the kernel's answer is not text",
                        )
                    })
            }
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(self.fail(name.as_str(), "sysctl drivername", e)),
        }
    }

    fn jail(&mut self, name: &str) -> HostResult<Option<JailInfo>> {
        self.sys
            .jail_by_name(name)
            .map_err(|e| self.fail(name, "jail_get", e))
    }

    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()> {
        // The length counts the NUL; a length of 0 clears the description.
        let mut buf: Vec<u8> = text.bytes().chain([0]).collect();
        let len = if text.is_empty() { 0 } else { buf.len() as u64 };
        let mut r = IfReq::named(name.as_str());
        r.set_buffer(len, addr_of(&mut buf));
        self.ifreq(SIOCSIFDESCR, &mut r, &mut [&mut buf])
            .map_err(|e| self.fail(name.as_str(), "description", e))
    }

    /// SIOCGIFDESCR, for a description of any length the kernel holds
    /// (`net.ifdescr_maxlen` has no upper bound an administrator cannot
    /// raise). A description longer than the buffer is no error: the
    /// kernel copies nothing, clears `ifr_buffer.buffer` and sets
    /// `ifr_buffer.length` to the length it needs, NUL included (if.c
    /// `ifhwioctl`); rjib asks again with that length. Only a length this
    /// process cannot allocate is an error, never an abort.
    fn description(&mut self, name: &IfName) -> HostResult<Option<String>> {
        let mut size = DESCR_MAX;
        for _ in 0..DESCR_TRIES {
            let mut buf: Vec<u8> = Vec::new();
            if buf.try_reserve_exact(size).is_err() {
                return Err(HostError::other(
                    Some(name.to_string()),
                    "description",
                    format!(
                        "the kernel asks for a buffer of {size} bytes, more than rjib can allocate"
                    ),
                ));
            }
            buf.resize(size, 0);
            let mut r = IfReq::named(name.as_str());
            r.set_buffer(buf.len() as u64, addr_of(&mut buf));
            match self.ifreq(SIOCGIFDESCR, &mut r, &mut [&mut buf]) {
                // No description at all.
                Err(Errno::ENOMSG) => return Ok(None),
                Err(e) => return Err(self.fail(name.as_str(), "description", e)),
                Ok(()) => {}
            }
            let (len, at) = r.buffer();
            let need = usize::try_from(len).unwrap_or(usize::MAX);
            if at != 0 && need <= buf.len() {
                return Ok(Some(String::from_utf8_lossy(c_str(&buf)).into_owned()));
            }
            if need <= size {
                return Err(HostError::other(
                    Some(name.to_string()),
                    "description",
                    format!("the kernel asks for a buffer of {need} bytes"),
                ));
            }
            // It grew meanwhile, or was long from the start: once more.
            size = need;
        }
        Err(HostError::other(
            Some(name.to_string()),
            "description",
            format!("changed {DESCR_TRIES} times while it was read"),
        ))
    }

    fn bridge_flags(&mut self, bridge: &IfName) -> HostResult<BridgeFlags> {
        let mut p = IfBrParam::default().to_bytes();
        self.drvspec(SIOCGDRVSPEC, bridge, BRDGGFLAGS, &mut [&mut p])
            .map_err(|e| self.fail(bridge.as_str(), "bridge flags", e))?;
        let p = IfBrParam::from_bytes(&p).ok_or(Errno::EFAULT);
        p.map(|p| BridgeFlags(p.ifbrp_flags))
            .map_err(|e| self.fail(bridge.as_str(), "bridge flags", e))
    }

    fn set_bridge_flags(&mut self, bridge: &IfName, flags: BridgeFlags) -> HostResult<()> {
        let mut p = IfBrParam {
            ifbrp_flags: flags.0,
        }
        .to_bytes();
        self.drvspec(SIOCSDRVSPEC, bridge, BRDGSFLAGS, &mut [&mut p])
            .map_err(|e| self.fail(bridge.as_str(), flags_words(flags), e))
    }

    fn bridge_defpvid(&mut self, bridge: &IfName) -> HostResult<Option<Vid>> {
        let mut p = IfBrParam::default().to_bytes();
        self.drvspec(SIOCGDRVSPEC, bridge, BRDGGDEFPVID, &mut [&mut p])
            .map_err(|e| self.fail(bridge.as_str(), "defuntagged", e))?;
        let p = IfBrParam::from_bytes(&p).ok_or(Errno::EFAULT);
        p.map(|p| Vid::new(p.defpvid()))
            .map_err(|e| self.fail(bridge.as_str(), "defuntagged", e))
    }

    fn set_member_pvid(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        pvid: Option<Vid>,
    ) -> HostResult<()> {
        let mut r = IfBreq::named(member.as_str());
        r.ifbr_pvid = pvid.map_or(0, Vid::get);
        let mut r = r.to_bytes();
        self.drvspec(SIOCSDRVSPEC, bridge, BRDGSIFPVID, &mut [&mut r])
            .map_err(|e| self.fail(bridge.as_str(), pvid_words(member, pvid), e))
    }

    fn member_vlans(&mut self, bridge: &IfName, member: &IfName) -> HostResult<VlanSet> {
        let what = format!("tagged {member}");
        let mut r = IfBifVlanReq::named(member.as_str()).to_bytes();
        self.drvspec(SIOCGDRVSPEC, bridge, BRDGGIFVLANSET, &mut [&mut r])
            .map_err(|e| self.fail(bridge.as_str(), what.clone(), e))?;
        let r = IfBifVlanReq::from_bytes(&r)
            .ok_or_else(|| self.fail(bridge.as_str(), what.clone(), Errno::EFAULT))?;
        VlanSet::from_words(r.bv_set).map_err(|bit| {
            HostError::other(
                Some(bridge.to_string()),
                what,
                format!("the kernel reports VID {bit}"),
            )
        })
    }

    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()> {
        let mut r = IfBifVlanReq::named(member.as_str());
        r.bv_op = op.code();
        r.bv_set = set.words();
        let mut r = r.to_bytes();
        self.drvspec(SIOCSDRVSPEC, bridge, BRDGSIFVLANSET, &mut [&mut r])
            .map_err(|e| self.fail(bridge.as_str(), vlanset_words(member, op, set), e))
    }

    fn syslog(&mut self, priority: Priority, message: &str) {
        self.sys.syslog(priority, message);
    }

    fn commit(&mut self) -> HostResult<()> {
        self.sys.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netmask_prefixes() {
        assert_eq!(prefix_len(&[255, 255, 255, 0]), 24);
        assert_eq!(prefix_len(&[255, 255, 255, 255]), 32);
        assert_eq!(prefix_len(&[255, 128, 0, 0]), 9);
        assert_eq!(prefix_len(&[0; 4]), 0);
        let mut m6 = [0u8; 16];
        m6[..8].fill(0xff);
        assert_eq!(prefix_len(&m6), 64);
    }
}
