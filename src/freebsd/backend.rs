//! `Host` on a FreeBSD kernel, through the `Sys` seam: every operation is
//! one or two ioctls built from `IfName`s, and errors keep the interface,
//! the operation in ifconfig's words and the kernel's errno.
//!
//! A listing is getifaddrs(3) (names, flags, MACs, index, type and MTU),
//! one SIOCGIFGMEMB per listed group, and one BRDGGIFS per bridge (plus, the
//! first time a bridge is asked, one or two probes of its `struct ifbreq`
//! size) — never one request per interface.

use std::collections::HashMap;

use super::abi::*;
use super::iftype;
use super::sys::{LinkEntry, Sys, addr_of};
use super::wire::{Field, Wire, c_name, c_str};
use crate::host::{Cloner, Errno, Host, HostError, HostResult, Interface, LinkType, Reason};
use crate::jib::mac::Mac;
use crate::jib::name::IfName;

/// The interface groups a listing reports (an interface's other groups
/// would take one SIOCGIFGROUP per interface to learn).
pub const LISTED_GROUPS: [&str; 2] = ["bridge", "epair"];

/// Growing a member buffer stops here (entries), far above any real host.
const MAX_ENTRIES: usize = 1 << 20;

/// A `Host` on the kernel behind `S`.
pub struct KernelHost<S: Sys> {
    sys: S,
    /// `sizeof(struct ifbreq)` of the running kernel, once probed.
    ifbreq_len: Option<usize>,
}

fn list_error(iface: Option<&str>, e: Errno) -> HostError {
    HostError {
        iface: iface.map(str::to_string),
        what: "list".to_string(),
        reason: Reason::Errno(e),
    }
}

impl<S: Sys> KernelHost<S> {
    pub fn new(sys: S) -> KernelHost<S> {
        KernelHost {
            sys,
            ifbreq_len: None,
        }
    }

    pub fn sys(&self) -> &S {
        &self.sys
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

    /// The running kernel's `sizeof(struct ifbreq)`: FreeBSD 15's or 14's.
    /// The bridge refuses any other `ifd_len` with EINVAL before it looks
    /// at the request, and answers a right-sized BRDGGIFFLGS for a member
    /// it does not have with ENOENT. If neither size is accepted (`bridge`
    /// is no bridge), the request that follows reports why.
    fn ifbreq_len(&mut self, bridge: &IfName) -> usize {
        if let Some(n) = self.ifbreq_len {
            return n;
        }
        for n in [IFBREQ_LEN_FREEBSD15, IFBREQ_LEN_FREEBSD14] {
            let mut b = IfBreq::default().to_bytes();
            b.truncate(n);
            match self.drvspec(SIOCGDRVSPEC, bridge, BRDGGIFFLGS, &mut [&mut b]) {
                Ok(()) | Err(Errno::ENOENT) => {
                    self.ifbreq_len = Some(n);
                    return n;
                }
                Err(_) => {}
            }
        }
        IFBREQ_LEN_FREEBSD15
    }

    /// A bridge's members as the kernel lists them (most recent first).
    /// `hint` is how many there may be, so one request usually does.
    fn bridge_members(&mut self, bridge: &IfName, hint: usize) -> Result<Vec<String>, Errno> {
        let size = self.ifbreq_len(bridge);
        let mut cap = hint.max(1);
        loop {
            let mut list = vec![0u8; cap * size];
            let conf = IfBifConf {
                ifbic_len: u32::try_from(list.len()).map_err(|_| Errno::ENOMEM)?,
                _pad: 0,
                ifbic_buf: addr_of(&mut list),
            };
            let mut conf = conf.to_bytes();
            self.drvspec(SIOCGDRVSPEC, bridge, BRDGGIFS, &mut [&mut conf, &mut list])?;
            let got = IfBifConf::from_bytes(&conf).ok_or(Errno::EFAULT)?.ifbic_len as usize;
            // The kernel fills what fits; a free entry left means all did.
            if got + size <= list.len() {
                return Ok(list[..got]
                    .chunks_exact(size)
                    .map(|e| String::from_utf8_lossy(c_str(&e[..IFNAMSIZ])).into_owned())
                    .collect());
            }
            if cap >= MAX_ENTRIES {
                return Err(Errno::ENOMEM);
            }
            cap *= 2;
        }
    }

    /// The members of interface group `group` (none if it does not exist).
    fn group_members(&mut self, group: &str, hint: usize) -> Result<Vec<String>, Errno> {
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
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                        .collect());
                }
                Err(Errno::ENOENT) => return Ok(Vec::new()),
                Err(Errno::EINVAL) if cap < MAX_ENTRIES => cap *= 2,
                Err(e) => return Err(e),
            }
        }
    }

    fn flags(&mut self, name: &IfName) -> Result<IfReq, Errno> {
        let mut r = IfReq::named(name.as_str());
        self.ifreq(SIOCGIFFLAGS, &mut r, &mut [])?;
        Ok(r)
    }
}

/// What getifaddrs says about one interface.
struct Link {
    index: u32,
    ether: Option<Mac>,
    ift: u8,
    mtu: u32,
    up: bool,
}

fn parse_link(e: &LinkEntry) -> Result<Link, String> {
    use core::mem::offset_of;
    let sdl = &e.sdl;
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
    Ok(Link {
        index: u32::from(index),
        ether,
        ift: d[offset_of!(IfData, ifi_type)],
        mtu: u32::get(&d[offset_of!(IfData, ifi_mtu)..]),
        up: e.flags & IFF_UP != 0,
    })
}

impl<S: Sys> Host for KernelHost<S> {
    fn euid(&mut self) -> HostResult<u32> {
        Ok(self.sys.geteuid())
    }

    fn lock(&mut self) -> HostResult<()> {
        self.sys.lock()
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        let entries = self.sys.link_entries().map_err(|e| list_error(None, e))?;
        let hint = entries.len() + 1;
        let mut groups: HashMap<String, Vec<&'static str>> = HashMap::new();
        for g in LISTED_GROUPS {
            for m in self
                .group_members(g, hint)
                .map_err(|e| list_error(Some(g), e))?
            {
                groups.entry(m).or_default().push(g);
            }
        }
        let mut out = Vec::with_capacity(entries.len());
        for e in &entries {
            let bad = |why: String| HostError::other(Some(e.name.clone()), "list", why);
            let name = IfName::new(e.name.clone()).map_err(|x| bad(x.to_string()))?;
            let l = parse_link(e).map_err(bad)?;
            let link = iftype::link_type(l.ift);
            let members = if link == LinkType::Bridge {
                match self.bridge_members(&name, hint) {
                    Ok(m) => Some(
                        m.into_iter()
                            .map(|n| IfName::new(n).map_err(|x| bad(x.to_string())))
                            .collect::<HostResult<Vec<_>>>()?,
                    ),
                    // Destroyed since getifaddrs: it is no longer there.
                    Err(Errno::ENXIO) => continue,
                    Err(x) => return Err(list_error(Some(name.as_str()), x)),
                }
            } else {
                None
            };
            out.push(Interface {
                groups: groups
                    .get(name.as_str())
                    .map_or_else(Vec::new, |g| g.iter().map(|s| s.to_string()).collect()),
                name,
                index: l.index,
                link,
                ether: l.ether,
                mtu: l.mtu,
                up: l.up,
                members,
            });
        }
        out.sort_by_key(|i| i.index);
        Ok(out)
    }

    fn create(&mut self, cloner: Cloner) -> HostResult<IfName> {
        let mut r = IfReq::named(cloner.as_str());
        self.ifreq(SIOCIFCREATE2, &mut r, &mut [])
            .map_err(|e| HostError::errno(cloner.as_str(), "create", e))?;
        // The kernel's name for it (`bridge3`, `epair3a`), never a guess.
        let name = String::from_utf8_lossy(c_str(&r.ifr_name)).into_owned();
        IfName::new(name).map_err(|e| HostError::other(None, "create", e.to_string()))
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        let mut buf: [u8; IFNAMSIZ] = c_name(new.as_str());
        let mut r = IfReq::named(name.as_str());
        r.set_data(addr_of(&mut buf));
        self.ifreq(SIOCSIFNAME, &mut r, &mut [&mut buf])
            .map_err(|e| HostError::errno(name, format!("name {new}"), e))
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        let what = if up { "up" } else { "down" };
        let fail = |e| HostError::errno(name, what, e);
        let mut r = self.flags(name).map_err(fail)?;
        let flags = r.flags();
        r.set_flags(if up { flags | IFF_UP } else { flags & !IFF_UP });
        self.ifreq(SIOCSIFFLAGS, &mut r, &mut []).map_err(fail)
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
            .map_err(|e| HostError::errno(name, format!("ether {mac}"), e))
    }

    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        let mut r = IfReq::named(name.as_str());
        self.ifreq(SIOCGIFMTU, &mut r, &mut [])
            .map_err(|e| HostError::errno(name, "mtu", e))?;
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
            .map_err(|e| HostError::errno(name, format!("mtu {mtu}"), e))
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        let size = self.ifbreq_len(bridge);
        let mut req = IfBreq::named(member.as_str()).to_bytes();
        req.truncate(size);
        self.drvspec(SIOCSDRVSPEC, bridge, BRDGADD, &mut [&mut req])
            .map_err(|e| HostError::errno(bridge, format!("addm {member}"), e))
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        let mut r = IfReq::named(name.as_str());
        self.ifreq(SIOCIFDESTROY, &mut r, &mut [])
            .map_err(|e| HostError::errno(name, "destroy", e))
    }

    fn commit(&mut self) -> HostResult<()> {
        self.sys.commit()
    }
}
