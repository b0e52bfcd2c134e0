//! The emulated kernel's ioctl entry: decodes each request the way FreeBSD
//! reads it (request number with its encoded size, struct fields, the user
//! buffers it points to) and applies it to the simulated kernel, whose rules
//! and fault counters are those of the direct simulation.
//!
//! Not modelled: privilege checks (the simulated host has no credentials
//! beyond `euid`, which rjib checks itself), and bridge commands rjib does
//! not send.

use super::memory::UserMem;
use crate::freebsd::abi::*;
use crate::freebsd::wire::{Wire, c_bytes, c_name, c_str};
use crate::net::Errno;
use crate::netsim::model::Kernel;

/// How many BRDG commands if_bridge's table has (`bridge_control_table`):
/// a larger `ifd_cmd` is EINVAL. FreeBSD 15 added the VLAN commands.
fn brdg_commands(release: u32) -> u64 {
    if release >= 15 { 39 } else { 31 }
}

/// An interface name field: the bytes before the NUL. A name that is not
/// UTF-8 names no interface (the simulated host's names are strings).
fn name_of(field: &[u8]) -> Result<String, Errno> {
    String::from_utf8(c_str(&field[..IFNAMSIZ]).to_vec()).map_err(|_| Errno::ENXIO)
}

/// The kernel looks the interface up before it reads anything else, so a
/// request for a missing interface is ENXIO whatever else is wrong with it.
fn or_enxio(k: &Kernel, name: &str, e: Errno) -> Errno {
    if k.get(name).is_err() {
        Errno::ENXIO
    } else {
        e
    }
}

/// ioctl(2) on a socket of the emulated kernel.
pub fn ioctl(
    k: &mut Kernel,
    req: u64,
    arg: &mut [u8],
    bufs: &mut [&mut [u8]],
) -> Result<(), Errno> {
    // The kernel copies IOCPARM_LEN(req) bytes of the request in (and, for
    // IOC_OUT, back out); a shorter caller buffer is a bad address.
    let len = iocparm_len(req);
    let arg = arg.get_mut(..len).ok_or(Errno::EFAULT)?;
    let mut mem = UserMem::new(bufs);
    // Matching the whole number also checks the size encoded in it: a
    // request built from a wrong-sized struct is another request (ENOTTY).
    match req {
        SIOCIFCREATE2 => create(k, arg),
        SIOCSIFNAME => rename(k, arg, &mem),
        SIOCGIFFLAGS => get_flags(k, arg),
        SIOCSIFFLAGS => set_flags(k, arg),
        SIOCGIFMTU => get_mtu(k, arg),
        SIOCSIFMTU => set_mtu(k, arg),
        SIOCSIFLLADDR => set_lladdr(k, arg),
        SIOCSIFDESCR => set_descr(k, arg, &mem),
        SIOCGIFDESCR => get_descr(k, arg, &mut mem),
        SIOCGETVLAN => get_vlan(k, arg, &mut mem),
        SIOCIFDESTROY => {
            let r = IfReq::from_bytes(arg).ok_or(Errno::EFAULT)?;
            k.destroy(&name_of(&r.ifr_name)?)
        }
        SIOCSDRVSPEC | SIOCGDRVSPEC => drvspec(k, req == SIOCGDRVSPEC, arg, &mut mem),
        SIOCGIFGMEMB => group_members(k, arg, &mut mem),
        _ => Err(Errno::ENOTTY),
    }
}

fn ifreq(arg: &[u8]) -> Result<(IfReq, String), Errno> {
    let r = IfReq::from_bytes(arg).ok_or(Errno::EFAULT)?;
    let name = name_of(&r.ifr_name)?;
    Ok((r, name))
}

/// SIOCIFCREATE2: `ifr_name` names the cloner, with or without a unit;
/// the new name is written back.
fn create(k: &mut Kernel, arg: &mut [u8]) -> Result<(), Errno> {
    let (mut r, request) = ifreq(arg)?;
    let name = k.create(&request)?;
    r.ifr_name = c_name(&name);
    arg.copy_from_slice(&r.to_bytes());
    Ok(())
}

/// SIOCSIFNAME: `ifr_data` points to the new name (copyinstr, IFNAMSIZ).
fn rename(k: &mut Kernel, arg: &[u8], mem: &UserMem) -> Result<(), Errno> {
    let (r, name) = ifreq(arg)?;
    let new = mem
        .copyinstr(r.data(), IFNAMSIZ)
        .and_then(|b| String::from_utf8(b).map_err(|_| Errno::EINVAL))
        .map_err(|e| or_enxio(k, &name, e))?;
    k.rename(&name, &new)
}

fn get_flags(k: &mut Kernel, arg: &mut [u8]) -> Result<(), Errno> {
    let (mut r, name) = ifreq(arg)?;
    r.set_flags(super::link::if_flags(k.get(&name)?));
    arg.copy_from_slice(&r.to_bytes());
    Ok(())
}

/// SIOCSIFFLAGS: the kernel takes both halves; only IFF_UP is modelled.
fn set_flags(k: &mut Kernel, arg: &[u8]) -> Result<(), Errno> {
    let (r, name) = ifreq(arg)?;
    k.set_up(&name, r.flags() & IFF_UP != 0)
}

fn get_mtu(k: &mut Kernel, arg: &mut [u8]) -> Result<(), Errno> {
    let (mut r, name) = ifreq(arg)?;
    r.set_mtu(i32::try_from(k.mtu(&name)?).unwrap_or(i32::MAX));
    arg.copy_from_slice(&r.to_bytes());
    Ok(())
}

fn set_mtu(k: &mut Kernel, arg: &[u8]) -> Result<(), Errno> {
    let (r, name) = ifreq(arg)?;
    // A negative ifr_mtu is out of range like a huge one.
    k.set_mtu(&name, u32::try_from(r.mtu()).unwrap_or(u32::MAX))
}

/// SIOCSIFLLADDR: `ifr_addr.sa_len` bytes of `sa_data` are the address.
fn set_lladdr(k: &mut Kernel, arg: &[u8]) -> Result<(), Errno> {
    let (r, name) = ifreq(arg)?;
    let sa = r.addr();
    let n = usize::from(sa.sa_len).min(sa.sa_data.len());
    k.set_ether(&name, &sa.sa_data[..n])
}

/// SIOCSIFDESCR: `ifr_buffer` holds the length (with the NUL) and the
/// text; a length of 0 clears (if.c `ifhwioctl`). The length limit is the
/// kernel's, checked before the copyin.
fn set_descr(k: &mut Kernel, arg: &[u8], mem: &UserMem) -> Result<(), Errno> {
    let (r, name) = ifreq(arg)?;
    let (len, at) = r.buffer();
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    // The kernel judges the length before it copies anything in.
    let text = match len {
        0 => String::new(),
        n if n > k.descr_maxlen() => String::new(),
        n => {
            let b = mem.copyin(at, n - 1).map_err(|e| or_enxio(k, &name, e))?;
            String::from_utf8(c_str(&b).to_vec()).map_err(|_| Errno::EINVAL)?
        }
    };
    k.set_description(&name, len, &text)
}

/// SIOCGIFDESCR (if.c `ifhwioctl`): ENOMSG without a description; a
/// buffer too short is no error: its address is cleared (`ifr_buffer.buffer
/// = NULL`) and nothing is copied; either way the length needed (with the
/// NUL) is written back to `ifr_buffer.length`.
fn get_descr(k: &mut Kernel, arg: &mut [u8], mem: &mut UserMem) -> Result<(), Errno> {
    let (mut r, name) = ifreq(arg)?;
    let text = k.get(&name)?.description.clone().ok_or(Errno::ENOMSG)?;
    let mut bytes = text.into_bytes();
    bytes.push(0);
    let (len, at) = r.buffer();
    if (len as usize) < bytes.len() {
        r.set_buffer(bytes.len() as u64, 0);
    } else {
        mem.copyout(at, &bytes)?;
        r.set_buffer(bytes.len() as u64, at);
    }
    arg.copy_from_slice(&r.to_bytes());
    Ok(())
}

/// SIOCGETVLAN (SIOCGIFGENERIC on a vlan, if_vlan.c `vlan_ioctl`): the
/// parent's name (empty without one) into the `struct vlanreq` at
/// `ifr_data`. Any other interface's driver refuses it.
fn get_vlan(k: &mut Kernel, arg: &[u8], mem: &mut UserMem) -> Result<(), Errno> {
    let (r, name) = ifreq(arg)?;
    let i = k.get(&name)?;
    if i.kind() != "l2vlan" {
        return Err(Errno::EINVAL);
    }
    let parent = i.vlan_parent.as_deref().map(|p| k.wire_name(p));
    let vr = VlanReq {
        vlr_parent: c_bytes(parent.as_deref().unwrap_or(b"")),
        ..VlanReq::default()
    };
    mem.copyout(r.data(), &vr.to_bytes())
}

/// What if_bridge's ioctl handler is reached for: an existing bridge.
fn bridge_check(k: &Kernel, name: &str) -> Result<(), Errno> {
    if k.get(name)?.is_bridge() {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// SIOCSDRVSPEC / SIOCGDRVSPEC on a bridge: the command's direction and
/// argument size must be the bridge's (EINVAL), then its argument is copied
/// in from `ifd_data`.
fn drvspec(k: &mut Kernel, get: bool, arg: &[u8], mem: &mut UserMem) -> Result<(), Errno> {
    let ifd = IfDrv::from_bytes(arg).ok_or(Errno::EFAULT)?;
    let bridge = name_of(&ifd.ifd_name)?;
    let len = usize::try_from(ifd.ifd_len).map_err(|_| Errno::EINVAL)?;
    let breq = IFBREQ_LEN;
    match ifd.ifd_cmd {
        BRDGADD => {
            let decoded = (|| {
                if get || len != breq {
                    return Err(Errno::EINVAL);
                }
                let req = mem.copyin(ifd.ifd_data, len)?;
                name_of(&req).map_err(|_| Errno::ENOENT)
            })();
            // The bridge's own checks come first, as in the kernel; after
            // decoding, the simulated kernel makes them (and counts the call).
            let member = decoded.map_err(|e| bridge_check(k, &bridge).err().unwrap_or(e))?;
            k.bridge_add(&bridge, &member)
        }
        BRDGGIFFLGS => {
            bridge_check(k, &bridge)?;
            if !get || len != breq {
                return Err(Errno::EINVAL);
            }
            let mut req = mem.copyin(ifd.ifd_data, len)?;
            let member = name_of(&req).map_err(|_| Errno::ENOENT)?;
            let members = k.bridge_members(&bridge)?;
            let port = members
                .iter()
                .position(|m| *m == member)
                .ok_or(Errno::ENOENT)?;
            let mut full = IfBreq::named(&member);
            full.ifbr_ifsflags = IFBIF_LEARNING | IFBIF_DISCOVER;
            full.ifbr_portno = u8::try_from(port).unwrap_or(u8::MAX);
            member_vlan_fields(k, &member, &mut full);
            req.copy_from_slice(&full.to_bytes()[..len]);
            mem.copyout(ifd.ifd_data, &req)
        }
        BRDGGIFS => {
            bridge_check(k, &bridge)?;
            if !get || len != IfBifConf::LEN {
                return Err(Errno::EINVAL);
            }
            let mut conf =
                IfBifConf::from_bytes(&mem.copyin(ifd.ifd_data, len)?).ok_or(Errno::EFAULT)?;
            // Members, most recent first, then span ports (`IFBIF_SPAN`).
            let members = k.bridge_members(&bridge)?;
            let spans = k.bridge_spans(&bridge)?;
            let need = (members.len() + spans.len()) * breq;
            if conf.ifbic_len == 0 {
                // A size query.
                conf.ifbic_len = u32::try_from(need).map_err(|_| Errno::ENOMEM)?;
            } else {
                // As many entries as fit. The kernel zeroes its one ifbreq
                // once, before both loops: a span port's entry sets only
                // the name, IFBIF_SPAN and the port number, so its VLAN
                // fields are the last member's (`bridge_ioctl_gifs`).
                let fit = (conf.ifbic_len as usize / breq).min(members.len() + spans.len());
                let mut out = Vec::with_capacity(fit * breq);
                let mut e = IfBreq::default();
                for (n, m) in members.iter().chain(&spans).enumerate().take(fit) {
                    e.ifbr_ifsname = c_bytes(&k.wire_name(m));
                    e.ifbr_portno = u8::try_from(n).unwrap_or(u8::MAX);
                    if n < members.len() {
                        e.ifbr_ifsflags = IFBIF_LEARNING | IFBIF_DISCOVER;
                        member_vlan_fields(k, m, &mut e);
                    } else {
                        e.ifbr_ifsflags = IFBIF_SPAN;
                    }
                    out.extend_from_slice(&e.to_bytes());
                }
                mem.copyout(conf.ifbic_buf, &out)?;
                conf.ifbic_len = out.len() as u32;
            }
            mem.copyout(ifd.ifd_data, &conf.to_bytes())
        }
        c @ (BRDGSIFPVID | BRDGSIFVLANSET | BRDGGIFVLANSET | BRDGGFLAGS | BRDGSFLAGS
        | BRDGGDEFPVID) => vlan_command(k, &bridge, c, get, &ifd, mem),
        // Other bridge commands exist but rjib does not send them.
        c if c < brdg_commands(k.release()) => {
            bridge_check(k, &bridge)?;
            Err(Errno::EOPNOTSUPP)
        }
        _ => {
            bridge_check(k, &bridge)?;
            Err(Errno::EINVAL)
        }
    }
}

/// A member's VLAN fields of `struct ifbreq` as `bridge_ioctl_gifflags`
/// fills them on FreeBSD 15: `ifbr_pvid` and `ifbr_vlanproto` (802.1Q;
/// the simulation has no 802.1ad members). FreeBSD 14's ifbreq has
/// padding there, which stays zero.
fn member_vlan_fields(k: &Kernel, member: &str, e: &mut IfBreq) {
    if k.release() >= 15 {
        e.ifbr_pvid = k.get(member).ok().and_then(|m| m.pvid).unwrap_or(0);
        e.ifbr_vlanproto = ETHERTYPE_VLAN;
    }
}

/// What if_bridge's `bridge_control_table` says of a VLAN command: the
/// size of its argument, and whether the kernel copies it back out
/// (`BC_F_COPYOUT`: sent with SIOCGDRVSPEC) or only in (SIOCSDRVSPEC).
fn vlan_entry(cmd: u64) -> (usize, bool) {
    match cmd {
        BRDGSIFPVID => (IFBREQ_LEN, false),
        BRDGSIFVLANSET => (IfBifVlanReq::LEN, false),
        BRDGGIFVLANSET => (IfBifVlanReq::LEN, true),
        BRDGGFLAGS | BRDGGDEFPVID => (IfBrParam::LEN, true),
        _ => (IfBrParam::LEN, false), // BRDGSFLAGS
    }
}

/// The VIDs whose bits a request's set has, 0 and 4095 included (the
/// kernel refuses those; it must see them to).
fn set_bits(words: &[u64]) -> Vec<u16> {
    (0..BRVLAN_SETSIZE)
        .filter(|&v| words[v / 64] & (1 << (v % 64)) != 0)
        .map(|v| v as u16)
        .collect()
}

/// FreeBSD 15's VLAN commands. `bridge_ioctl` checks, before any handler:
/// the command is in the table (FreeBSD 14's ends at 30: EINVAL), the
/// request goes the command's way (SIOCGDRVSPEC for one the kernel
/// copies out, else SIOCSDRVSPEC: EINVAL), and `ifd_len` is the
/// argument's size (EINVAL); then it copies the argument in. The
/// handlers' own refusals are the simulated kernel's (`bridge_ioctl_*`).
fn vlan_command(
    k: &mut Kernel,
    bridge: &str,
    cmd: u64,
    get: bool,
    ifd: &IfDrv,
    mem: &mut UserMem,
) -> Result<(), Errno> {
    let (size, copyout) = vlan_entry(cmd);
    let arg = (|| {
        if cmd >= brdg_commands(k.release()) || get != copyout || ifd.ifd_len != size as u64 {
            return Err(Errno::EINVAL);
        }
        mem.copyin(ifd.ifd_data, size)
    })()
    .map_err(|e| bridge_check(k, bridge).err().unwrap_or(e))?;
    match cmd {
        BRDGSIFPVID => {
            let r = IfBreq::from_bytes(&arg).ok_or(Errno::EFAULT)?;
            let member = name_of(&r.ifbr_ifsname).map_err(|_| Errno::ENOENT)?;
            k.set_member_pvid(bridge, &member, r.ifbr_pvid)
        }
        BRDGSIFVLANSET => {
            let r = IfBifVlanReq::from_bytes(&arg).ok_or(Errno::EFAULT)?;
            let member = name_of(&r.bv_ifname).map_err(|_| Errno::ENOENT)?;
            k.set_member_vlans(bridge, &member, r.bv_op, &set_bits(&r.bv_set))
        }
        BRDGGIFVLANSET => {
            let mut r = IfBifVlanReq::from_bytes(&arg).ok_or(Errno::EFAULT)?;
            let member = name_of(&r.bv_ifname).map_err(|_| Errno::ENOENT)?;
            let vids = k.member_vlans(bridge, &member)?;
            // bv_op goes back as it came.
            r.bv_set = [0; BRVLAN_SETSIZE / 64];
            for v in vids.into_iter().map(usize::from) {
                r.bv_set[v / 64] |= 1 << (v % 64);
            }
            mem.copyout(ifd.ifd_data, &r.to_bytes())
        }
        BRDGGFLAGS => {
            let p = IfBrParam {
                ifbrp_flags: k.bridge_flags(bridge)?,
            };
            mem.copyout(ifd.ifd_data, &p.to_bytes())
        }
        BRDGSFLAGS => {
            let p = IfBrParam::from_bytes(&arg).ok_or(Errno::EFAULT)?;
            k.set_bridge_flags(bridge, p.ifbrp_flags)
        }
        _ => {
            // BRDGGDEFPVID: the kernel zeroed the argument before the
            // handler set its uint16_t.
            let p = IfBrParam::with_defpvid(k.bridge_defpvid(bridge)?);
            mem.copyout(ifd.ifd_data, &p.to_bytes())
        }
    }
}

/// The group every interface joins when it is attached (`IFG_ALL`, if.c
/// `if_attach_internal`: `if_addgroup(ifp, IFG_ALL)`).
pub const IFG_ALL: &str = "all";

/// SIOCGIFGMEMB (if.c `if_getgroupmembers`): the members of group
/// `ifgr_name`, in the order they joined (here: attach order); every
/// interface is in `all`. `ifgr_len` 0 asks for the size; a buffer too
/// short is EINVAL after the entries that fit; the kernel does not say how
/// many it wrote.
fn group_members(k: &mut Kernel, arg: &mut [u8], mem: &mut UserMem) -> Result<(), Errno> {
    let mut g = IfGroupReq::from_bytes(arg).ok_or(Errno::EFAULT)?;
    let group = c_str(&g.ifgr_name).to_vec();
    let all = group == IFG_ALL.as_bytes();
    let members: Vec<&[u8]> = k
        .interfaces()
        .into_iter()
        .filter(|i| all || i.groups.iter().any(|x| x.as_bytes() == group))
        .map(|i| i.wire_name())
        .collect();
    if members.is_empty() {
        return Err(Errno::ENOENT);
    }
    let entry = IfgReq::LEN;
    if g.ifgr_len == 0 {
        g.ifgr_len = u32::try_from(members.len() * entry).map_err(|_| Errno::ENOMEM)?;
        arg.copy_from_slice(&g.to_bytes());
        return Ok(());
    }
    let mut left = g.ifgr_len as usize;
    let mut at = g.ifgr_groups;
    for m in members {
        if left < entry {
            return Err(Errno::EINVAL);
        }
        let e = IfgReq {
            ifgrq_member: c_bytes(m),
        };
        mem.copyout(at, &e.to_bytes())?;
        left -= entry;
        at += entry as u64;
    }
    Ok(())
}
