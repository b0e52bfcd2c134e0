//! FreeBSD's kernel interface for network interfaces, as rjib uses it:
//! the request structs (`repr(C)`, fixed-width fields, LP64: x86_64 and
//! aarch64), the ioctl request numbers and the constants that go with them.
//!
//! Compiled on every platform: the backend builds its requests from these
//! definitions and the emulator decodes them with the same ones. Sizes and
//! offsets are pinned by the tests below and, against FreeBSD's own headers,
//! by `scripts/check-abi.sh` (see `abicheck`).
//!
//! Each struct's fields are named twice, in its definition and in the
//! `wire_struct!` after it, which is the one list the encoding and the
//! header check use: a name missing from either does not compile, and the
//! definition stays a plain struct (rustdoc, derives, rustfmt).
//!
//! Sources: `<sys/ioccom.h>`, `<sys/sockio.h>`, `<net/if.h>`, `<net/if_dl.h>`,
//! `<net/if_types.h>`, `<net/if_bridgevar.h>`, `<net/if_vlan_var.h>`,
//! `<netinet/in.h>` of FreeBSD 14 and 15, and FreeBSD 15's
//! `<sys/exterrvar.h>`.

use super::wire::{Field, Wire, wire_struct};

/// Size of an interface name buffer, NUL included (`<net/if.h>`).
pub const IFNAMSIZ: usize = 16;

// ---- <sys/ioccom.h>: how a request number is built -----------------------

/// Bits of a request number that hold the parameter length.
pub const IOCPARM_SHIFT: u32 = 13;
pub const IOCPARM_MASK: u64 = (1 << IOCPARM_SHIFT) - 1;
/// No parameters.
pub const IOC_VOID: u64 = 0x2000_0000;
/// The kernel copies the parameter out to the caller.
pub const IOC_OUT: u64 = 0x4000_0000;
/// The kernel copies the parameter in from the caller.
pub const IOC_IN: u64 = 0x8000_0000;
pub const IOC_INOUT: u64 = IOC_IN | IOC_OUT;
pub const IOC_DIRMASK: u64 = IOC_VOID | IOC_OUT | IOC_IN;

/// `_IOC(inout, group, num, len)`.
pub const fn ioc(inout: u64, group: u8, num: u8, len: usize) -> u64 {
    assert!(len as u64 <= IOCPARM_MASK, "ioctl parameter too large");
    inout | ((len as u64 & IOCPARM_MASK) << 16) | ((group as u64) << 8) | num as u64
}

/// `_IOR(g, n, t)`: the kernel writes a `t`.
pub const fn ior(group: u8, num: u8, len: usize) -> u64 {
    ioc(IOC_OUT, group, num, len)
}

/// `_IOW(g, n, t)`: the kernel reads a `t`.
pub const fn iow(group: u8, num: u8, len: usize) -> u64 {
    ioc(IOC_IN, group, num, len)
}

/// `_IOWR(g, n, t)`: the kernel reads and writes back a `t`.
pub const fn iowr(group: u8, num: u8, len: usize) -> u64 {
    ioc(IOC_INOUT, group, num, len)
}

/// `IOCPARM_LEN(x)`: how many bytes the kernel copies for request `x`.
pub const fn iocparm_len(req: u64) -> usize {
    ((req >> 16) & IOCPARM_MASK) as usize
}

// ---- <net/if.h> -------------------------------------------------------------

/// `struct ifreq`: a name and a 16-byte union. The union members rjib uses
/// are read and written through the accessors below, at the offsets
/// `IFR_*` name (the C names are macros into `ifr_ifru`).
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfReq {
    pub ifr_name: [u8; IFNAMSIZ],
    /// `union { struct sockaddr; short ifru_flags[2]; int ifru_mtu;
    /// caddr_t ifru_data; struct ifreq_buffer; … }` — 16 bytes, 8-aligned.
    pub ifr_ifru: [u8; 16],
}
wire_struct!(IfReq = "ifreq" { ifr_name, ifr_ifru });

/// Offsets of the union members, from the start of `struct ifreq`.
pub const IFR_IFRU: usize = core::mem::offset_of!(IfReq, ifr_ifru);
/// `ifr_flags` (`ifru_flags[0]`, low 16 bits of the flags).
pub const IFR_FLAGS: usize = IFR_IFRU;
/// `ifr_flagshigh` (`ifru_flags[1]`, high 16 bits).
pub const IFR_FLAGSHIGH: usize = IFR_IFRU + 2;
/// `ifr_mtu`.
pub const IFR_MTU: usize = IFR_IFRU;
/// `ifr_data` (a user pointer).
pub const IFR_DATA: usize = IFR_IFRU;
/// `ifr_addr` (a `struct sockaddr`).
pub const IFR_ADDR: usize = IFR_IFRU;
/// `ifr_buffer.length` (`size_t`) and `ifr_buffer.buffer` (`void *`):
/// `struct ifreq_buffer`, for descriptions.
pub const IFR_BUFFER_LENGTH: usize = IFR_IFRU;
pub const IFR_BUFFER_BUFFER: usize = IFR_IFRU + 8;

impl IfReq {
    pub fn named(name: &str) -> IfReq {
        IfReq {
            ifr_name: super::wire::c_name(name),
            ifr_ifru: [0; 16],
        }
    }

    fn union_get<T: super::wire::Field>(&self, off: usize) -> T {
        T::get(&self.ifr_ifru[off - IFR_IFRU..])
    }

    fn union_put<T: super::wire::Field>(&mut self, off: usize, v: T) {
        v.put(&mut self.ifr_ifru[off - IFR_IFRU..]);
    }

    /// Both flag halves as one 32-bit value, as the kernel combines them.
    pub fn flags(&self) -> u32 {
        let lo = self.union_get::<i16>(IFR_FLAGS) as u16;
        let hi = self.union_get::<i16>(IFR_FLAGSHIGH) as u16;
        u32::from(lo) | (u32::from(hi) << 16)
    }

    /// Split `flags` into `ifr_flags` and `ifr_flagshigh`.
    pub fn set_flags(&mut self, flags: u32) {
        self.union_put(IFR_FLAGS, (flags & 0xffff) as u16 as i16);
        self.union_put(IFR_FLAGSHIGH, (flags >> 16) as u16 as i16);
    }

    pub fn mtu(&self) -> i32 {
        self.union_get(IFR_MTU)
    }

    pub fn set_mtu(&mut self, mtu: i32) {
        self.union_put(IFR_MTU, mtu);
    }

    /// `ifr_data`, a user-space address.
    pub fn data(&self) -> u64 {
        self.union_get(IFR_DATA)
    }

    pub fn set_data(&mut self, ptr: u64) {
        self.union_put(IFR_DATA, ptr);
    }

    pub fn addr(&self) -> Sockaddr {
        self.union_get(IFR_ADDR)
    }

    pub fn set_addr(&mut self, sa: Sockaddr) {
        self.union_put(IFR_ADDR, sa);
    }

    /// `ifr_buffer`: (length, user address).
    pub fn buffer(&self) -> (u64, u64) {
        (
            self.union_get(IFR_BUFFER_LENGTH),
            self.union_get(IFR_BUFFER_BUFFER),
        )
    }

    pub fn set_buffer(&mut self, length: u64, addr: u64) {
        self.union_put(IFR_BUFFER_LENGTH, length);
        self.union_put(IFR_BUFFER_BUFFER, addr);
    }
}

/// `struct sockaddr` (`<sys/socket.h>`), as `ifr_addr`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sockaddr {
    pub sa_len: u8,
    pub sa_family: u8,
    pub sa_data: [u8; 14],
}
wire_struct!(Sockaddr = "sockaddr" {
    sa_len,
    sa_family,
    sa_data
});

impl super::wire::Field for Sockaddr {
    const SIZE: usize = size_of::<Sockaddr>();
    fn put(&self, b: &mut [u8]) {
        b[..Self::SIZE].copy_from_slice(&super::wire::Wire::to_bytes(self));
    }
    fn get(b: &[u8]) -> Self {
        <Sockaddr as super::wire::Wire>::from_bytes(b).expect("16 bytes")
    }
}

/// `struct ifdrv`: a driver-specific request (SIOCSDRVSPEC/SIOCGDRVSPEC).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfDrv {
    pub ifd_name: [u8; IFNAMSIZ],
    /// `unsigned long`: the driver's command (`BRDG*`).
    pub ifd_cmd: u64,
    /// `size_t`: length of `*ifd_data`.
    pub ifd_len: u64,
    /// `void *`.
    pub ifd_data: u64,
}
wire_struct!(IfDrv = "ifdrv" {
    ifd_name,
    ifd_cmd,
    ifd_len,
    ifd_data
});

/// `struct ifgroupreq` (SIOCGIFGMEMB): a group name and a member buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfGroupReq {
    pub ifgr_name: [u8; IFNAMSIZ],
    /// `u_int`: length of the buffer at `ifgr_groups` (0 asks for it).
    pub ifgr_len: u32,
    pub _pad: u32,
    /// `ifgr_ifgru.ifgru_groups`, a `struct ifg_req *`.
    pub ifgr_groups: u64,
    /// The rest of the union (`ifgru_group` is `char[IFNAMSIZ]`).
    pub _ifgru_tail: u64,
}
wire_struct!(IfGroupReq = "ifgroupreq" {
    ifgr_name,
    ifgr_len,
    ifgr_groups
} pad { _pad, _ifgru_tail });

/// `struct ifg_req`: one member name of a group.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfgReq {
    /// `ifgrq_member` (the union's `ifgrqu_member`).
    pub ifgrq_member: [u8; IFNAMSIZ],
}
wire_struct!(IfgReq = "ifg_req" { ifgrq_member });

/// `struct if_data`, as getifaddrs(3) hands it out for an AF_LINK entry.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfData {
    pub ifi_type: u8,
    pub ifi_physical: u8,
    pub ifi_addrlen: u8,
    pub ifi_hdrlen: u8,
    pub ifi_link_state: u8,
    pub ifi_vhid: u8,
    pub ifi_datalen: u16,
    pub ifi_mtu: u32,
    pub ifi_metric: u32,
    pub ifi_baudrate: u64,
    pub ifi_ipackets: u64,
    pub ifi_ierrors: u64,
    pub ifi_opackets: u64,
    pub ifi_oerrors: u64,
    pub ifi_collisions: u64,
    pub ifi_ibytes: u64,
    pub ifi_obytes: u64,
    pub ifi_imcasts: u64,
    pub ifi_omcasts: u64,
    pub ifi_iqdrops: u64,
    pub ifi_oqdrops: u64,
    pub ifi_noproto: u64,
    pub ifi_hwassist: u64,
    /// `__ifi_epoch` (`time_t` / `uint64_t`).
    pub __ifi_epoch: u64,
    /// `__ifi_lastchange` (`struct timeval` / two `uint64_t`).
    pub __ifi_lastchange: [u64; 2],
}
wire_struct!(IfData = "if_data" {
    ifi_type,
    ifi_physical,
    ifi_addrlen,
    ifi_hdrlen,
    ifi_link_state,
    ifi_vhid,
    ifi_datalen,
    ifi_mtu,
    ifi_metric,
    ifi_baudrate,
    ifi_ipackets,
    ifi_ierrors,
    ifi_opackets,
    ifi_oerrors,
    ifi_collisions,
    ifi_ibytes,
    ifi_obytes,
    ifi_imcasts,
    ifi_omcasts,
    ifi_iqdrops,
    ifi_oqdrops,
    ifi_noproto,
    ifi_hwassist,
    __ifi_epoch,
    __ifi_lastchange,
});

/// `IFF_UP` (`<net/if.h>`); the other flags rjib only carries through.
pub const IFF_UP: u32 = 0x1;
pub const IFF_BROADCAST: u32 = 0x2;
pub const IFF_DRV_RUNNING: u32 = 0x40;
pub const IFF_SIMPLEX: u32 = 0x800;
pub const IFF_MULTICAST: u32 = 0x8000;

// ---- <net/if_dl.h> ----------------------------------------------------------

/// Address families (`<sys/socket.h>`).
pub const AF_INET: u8 = 2;
pub const AF_LINK: u8 = 18;
pub const AF_INET6: u8 = 28;

/// `struct sockaddr_in` (`<netinet/in.h>`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockaddrIn {
    pub sin_len: u8,
    pub sin_family: u8,
    /// Network byte order.
    pub sin_port: [u8; 2],
    /// Network byte order.
    pub sin_addr: [u8; 4],
    pub sin_zero: [u8; 8],
}
wire_struct!(SockaddrIn = "sockaddr_in" {
    sin_len,
    sin_family,
    sin_port,
    sin_addr,
    sin_zero
});

/// `struct sockaddr_in6` (`<netinet6/in6.h>`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockaddrIn6 {
    pub sin6_len: u8,
    pub sin6_family: u8,
    pub sin6_port: [u8; 2],
    pub sin6_flowinfo: u32,
    /// Network byte order. In the kernel (and in some of what it hands
    /// out) a link-local address carries its zone in bytes 2 and 3.
    pub sin6_addr: [u8; 16],
    pub sin6_scope_id: u32,
}
wire_struct!(SockaddrIn6 = "sockaddr_in6" {
    sin6_len,
    sin6_family,
    sin6_port,
    sin6_flowinfo,
    sin6_addr,
    sin6_scope_id
});

/// `struct sockaddr_dl`: a link-level address; `sdl_data` holds the name
/// (`sdl_nlen` bytes, no NUL) followed by the address (`sdl_alen` bytes),
/// and the kernel may hand out a longer one (`sdl_len`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockaddrDl {
    pub sdl_len: u8,
    pub sdl_family: u8,
    pub sdl_index: u16,
    pub sdl_type: u8,
    pub sdl_nlen: u8,
    pub sdl_alen: u8,
    pub sdl_slen: u8,
    pub sdl_data: [u8; 46],
}
wire_struct!(SockaddrDl = "sockaddr_dl" {
    sdl_len,
    sdl_family,
    sdl_index,
    sdl_type,
    sdl_nlen,
    sdl_alen,
    sdl_slen,
    sdl_data
});

/// Where `sdl_data` starts: the fixed header of a `sockaddr_dl`.
pub const SDL_DATA: usize = core::mem::offset_of!(SockaddrDl, sdl_data);

// ---- <net/if_types.h> -------------------------------------------------------

pub const IFT_OTHER: u8 = 0x01;
pub const IFT_ETHER: u8 = 0x06;
pub const IFT_PPP: u8 = 0x17;
pub const IFT_LOOP: u8 = 0x18;
pub const IFT_PROPVIRTUAL: u8 = 0x35;
pub const IFT_TUNNEL: u8 = 0x83;
pub const IFT_L2VLAN: u8 = 0x87;
pub const IFT_BRIDGE: u8 = 0xd1;
pub const IFT_STF: u8 = 0xd7;
pub const IFT_GIF: u8 = 0xf0;
pub const IFT_PFLOG: u8 = 0xf6;
pub const IFT_PFSYNC: u8 = 0xf7;

// ---- <net/if_bridgevar.h> ---------------------------------------------------

/// `BRDGADD`: add a member (`struct ifbreq`, SIOCSDRVSPEC).
pub const BRDGADD: u64 = 0;
/// `BRDGGIFFLGS`: a member's flags (`struct ifbreq`, SIOCGDRVSPEC).
pub const BRDGGIFFLGS: u64 = 2;
/// `BRDGGIFS`: the member list (`struct ifbifconf`, SIOCGDRVSPEC).
pub const BRDGGIFS: u64 = 6;
/// `BRDGSIFAMAX`: FreeBSD 14's last command (its `bridge_control_table`
/// has 31 entries).
pub const BRDGSIFAMAX: u64 = 30;
/// FreeBSD 15's VLAN commands. The argument each takes, and whether it is
/// sent with SIOCSDRVSPEC (the kernel copies it in) or SIOCGDRVSPEC (and
/// copies it back out), are the kernel's `bridge_control_table` entries:
/// `BRDGSIFPVID`: a member's untagged VLAN (`struct ifbreq`, set).
pub const BRDGSIFPVID: u64 = 31;
/// `BRDGSIFVLANSET`: change a member's tagged VLANs (`struct
/// ifbif_vlan_req`, set).
pub const BRDGSIFVLANSET: u64 = 32;
/// `BRDGGIFVLANSET`: a member's tagged VLANs (`struct ifbif_vlan_req`,
/// get).
pub const BRDGGIFVLANSET: u64 = 33;
/// `BRDGGFLAGS`: the bridge's flags (`struct ifbrparam`, get).
pub const BRDGGFLAGS: u64 = 34;
/// `BRDGSFLAGS`: set them (`struct ifbrparam`, set).
pub const BRDGSFLAGS: u64 = 35;
/// `BRDGGDEFPVID`: the untagged VLAN of new members (`struct ifbrparam`,
/// get).
pub const BRDGGDEFPVID: u64 = 36;
/// `BRDGSDEFPVID`: set it (`struct ifbrparam`, set).
pub const BRDGSDEFPVID: u64 = 37;
/// `BRDGSIFVLANPROTO`: FreeBSD 15's last command (`struct ifbreq`, set).
pub const BRDGSIFVLANPROTO: u64 = 38;

/// `IFBRF_VLANFILTER`, `IFBRF_DEFQINQ`: bridge flags (the value layer's,
/// checked against the header here).
pub const IFBRF_VLANFILTER: u32 = crate::net::BridgeFlags::VLANFILTER;
pub const IFBRF_DEFQINQ: u32 = crate::net::BridgeFlags::DEFQINQ;
/// `BRDG_VLAN_OP_*`: `bv_op` of BRDGSIFVLANSET.
pub const BRDG_VLAN_OP_SET: u8 = crate::net::VlanOp::Set.code();
pub const BRDG_VLAN_OP_ADD: u8 = crate::net::VlanOp::Add.code();
pub const BRDG_VLAN_OP_DEL: u8 = crate::net::VlanOp::Del.code();
/// `BRVLAN_SETSIZE`: the bits of a VLAN set.
pub const BRVLAN_SETSIZE: usize = crate::net::VLAN_SETSIZE;
/// `DOT1Q_VID_MAX` and `DOT1Q_VID_RSVD_IMPL` (`<net/ethernet.h>`).
pub const DOT1Q_VID_MAX: u16 = crate::net::VID_MAX;
pub const DOT1Q_VID_RSVD_IMPL: u16 = 0xfff;
/// `ETHERTYPE_VLAN`: a FreeBSD 15 member's `ifbr_vlanproto` (802.1Q).
pub const ETHERTYPE_VLAN: u16 = 0x8100;

/// `IFBIF_LEARNING` and `IFBIF_DISCOVER`: a new member's default flags.
pub const IFBIF_LEARNING: u32 = 0x1;
pub const IFBIF_DISCOVER: u32 = 0x2;
/// `IFBIF_SPAN`: a span port (BRDGGIFS lists them after the members).
pub const IFBIF_SPAN: u32 = 0x8;

/// `struct ifbreq` as FreeBSD 15 defines it: 80 bytes. FreeBSD 14's is 80
/// bytes too (its tail is `uint8_t pad[32]` where 15 has `ifbr_pvid`,
/// `ifbr_vlanproto` and `pad[28]`); the bridge refuses any other `ifd_len`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IfBreq {
    pub ifbr_ifsname: [u8; IFNAMSIZ],
    pub ifbr_ifsflags: u32,
    pub ifbr_stpflags: u32,
    pub ifbr_path_cost: u32,
    pub ifbr_portno: u8,
    pub ifbr_priority: u8,
    pub ifbr_proto: u8,
    pub ifbr_role: u8,
    pub ifbr_state: u8,
    pub _pad0: [u8; 3],
    pub ifbr_addrcnt: u32,
    pub ifbr_addrmax: u32,
    pub ifbr_addrexceeded: u32,
    pub ifbr_pvid: u16,
    pub ifbr_vlanproto: u16,
    pub pad: [u8; 28],
}
wire_struct!(IfBreq = "ifbreq" {
    ifbr_ifsname,
    ifbr_ifsflags,
    ifbr_stpflags,
    ifbr_path_cost,
    ifbr_portno,
    ifbr_priority,
    ifbr_proto,
    ifbr_role,
    ifbr_state,
    ifbr_addrcnt,
    ifbr_addrmax,
    ifbr_addrexceeded,
    ifbr_pvid,
    ifbr_vlanproto,
    pad,
} pad { _pad0 });

impl IfBreq {
    pub fn named(member: &str) -> IfBreq {
        IfBreq {
            ifbr_ifsname: super::wire::c_name(member),
            ..IfBreq::default()
        }
    }
}

impl Default for IfBreq {
    fn default() -> IfBreq {
        <IfBreq as super::wire::Wire>::from_bytes(&[0; size_of::<IfBreq>()]).expect("zeroes")
    }
}

/// `sizeof(struct ifbreq)` on FreeBSD 14 and 15.
pub const IFBREQ_LEN: usize = size_of::<IfBreq>();

/// `struct ifbif_vlan_req` (BRDGSIFVLANSET, BRDGGIFVLANSET; FreeBSD 15):
/// 536 bytes. `bv_set` is `ifbvlan_set_t`, a `__BITSET_DEFINE` of 4096
/// bits: 64 `unsigned long`s, so it starts 8-aligned after 7 bytes of
/// padding; VID `v` is bit `v % 64` of word `v / 64`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IfBifVlanReq {
    pub bv_ifname: [u8; IFNAMSIZ],
    pub bv_op: u8,
    pub _pad0: [u8; 7],
    pub bv_set: [u64; BRVLAN_SETSIZE / 64],
}
wire_struct!(IfBifVlanReq = "ifbif_vlan_req" {
    bv_ifname,
    bv_op,
    bv_set,
} pad { _pad0 });

impl IfBifVlanReq {
    pub fn named(member: &str) -> IfBifVlanReq {
        IfBifVlanReq {
            bv_ifname: super::wire::c_name(member),
            bv_op: 0,
            _pad0: [0; 7],
            bv_set: [0; BRVLAN_SETSIZE / 64],
        }
    }
}

/// `struct ifbrparam`: a 4-byte union. BRDGGFLAGS and BRDGSFLAGS use its
/// `uint32_t` (`ifbrp_flags`), BRDGGDEFPVID its `uint16_t`
/// (`ifbrp_defpvid`), both at offset 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfBrParam {
    pub ifbrp_flags: u32,
}
wire_struct!(IfBrParam = "ifbrparam" { ifbrp_flags });

/// Where `ifbrp_defpvid` (a `uint16_t`) is in `struct ifbrparam`.
pub const IFBRP_DEFPVID: usize = 0;

impl IfBrParam {
    /// `ifbrp_defpvid`: the union's `uint16_t`.
    pub fn defpvid(&self) -> u16 {
        u16::get(&self.to_bytes()[IFBRP_DEFPVID..])
    }

    pub fn with_defpvid(pvid: u16) -> IfBrParam {
        let mut b = [0u8; 4];
        pvid.put(&mut b[IFBRP_DEFPVID..]);
        IfBrParam::from_bytes(&b).expect("four bytes")
    }
}

/// `struct ifbifconf` (BRDGGIFS): a buffer of `struct ifbreq`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfBifConf {
    /// `uint32_t`: the buffer's size in; the bytes filled out.
    pub ifbic_len: u32,
    pub _pad: u32,
    /// `ifbic_ifbicu.ifbicu_buf` (`caddr_t`).
    pub ifbic_buf: u64,
}
wire_struct!(IfBifConf = "ifbifconf" {
    ifbic_len,
    ifbic_buf
} pad { _pad });

// ---- <net/if_vlan_var.h> ----------------------------------------------------

/// `struct vlanreq` (SIOCGETVLAN, through `ifr_data`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VlanReq {
    pub vlr_parent: [u8; IFNAMSIZ],
    pub vlr_tag: u16,
    pub vlr_proto: u16,
}
wire_struct!(VlanReq = "vlanreq" {
    vlr_parent,
    vlr_tag,
    vlr_proto
});

// ---- <sys/sysctl.h>, <net/if_mib.h> -----------------------------------------

/// The sysctl(3) MIB of `net.link.generic.ifdata.INDEX.drivername`: the
/// driver name and unit an interface was attached with (sys/net/if_mib.c
/// `sysctl_ifdata`, IFDATA_DRIVERNAME), whatever it is named now.
pub const CTL_NET: i32 = 4;
/// `PF_LINK`, which is `AF_LINK`.
pub const PF_LINK: i32 = AF_LINK as i32;
pub const NETLINK_GENERIC: i32 = 0;
pub const IFMIB_IFDATA: i32 = 2;
pub const IFDATA_DRIVERNAME: i32 = 3;

/// The MIB for `index`'s driver name.
pub fn drivername_mib(index: u32) -> [i32; 6] {
    [
        CTL_NET,
        PF_LINK,
        NETLINK_GENERIC,
        IFMIB_IFDATA,
        i32::try_from(index).unwrap_or(i32::MAX),
        IFDATA_DRIVERNAME,
    ]
}

/// The longest driver name the kernel writes: `if_dname` (a cloner's or
/// driver's name, shorter than IFNAMSIZ), up to 20 digits of unit and the
/// NUL (`sysctl_ifdata` allocates `strlen(if_dname) + 20 + 1`).
pub const DRIVERNAME_MAX: usize = IFNAMSIZ + 20 + 1;

// ---- <sys/jail.h> -----------------------------------------------------------

/// jail_get(2) flag: find a jail that is being removed, too.
pub const JAIL_DYING: i32 = 0x08;

// ---- <sys/exterrvar.h>: FreeBSD 15's extended errors ------------------------

/// exterrctl(2)'s system call number (`SYS_exterrctl`, <sys/syscall.h>).
/// FreeBSD 14 has no such call: it sends SIGSYS (`nosys`).
pub const SYS_EXTERRCTL: i32 = 592;
/// The first `kern.osreldate` with exterrctl(2) (`P_OSREL_EXTERRCTL`,
/// <sys/param.h>).
pub const P_OSREL_EXTERRCTL: i64 = 1_500_045;
/// exterrctl(2) operation: register this thread's buffer.
pub const EXTERRCTL_ENABLE: u32 = 1;
/// exterrctl(2) flag: replace a buffer already registered (15's libc
/// registers its own at start-up).
pub const EXTERRCTLF_FORCE: u32 = 1;
/// The `ver` the kernel requires in the buffer it is given.
pub const UEXTERROR_VER: u32 = 0x1001_0002;
/// libc's limit for the formatted text, its NUL included.
pub const UEXTERROR_MAXLEN: usize = 256;

/// `struct uexterror` (<sys/_uexterror.h>): the buffer the kernel writes
/// after each system call of the thread that registered it, from `error`
/// on (`exterr_copyout`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UExtError {
    pub ver: u32,
    /// The errno the extended error goes with; 0 after a call without one.
    pub error: u32,
    /// `EXTERR_CAT_*` (<sys/exterr_cat.h>), e.g. 7 for if_bridge.
    pub cat: u32,
    pub src_line: u32,
    pub flags: u32,
    pub rsrv0: u32,
    pub p1: u64,
    pub p2: u64,
    pub rsrv1: [u64; 4],
    /// NUL-terminated; empty without the kernel's `options EXTERR_STRINGS`.
    pub msg: [u8; 128],
}
wire_struct!(UExtError = "uexterror" {
    ver,
    error,
    cat,
    src_line,
    flags,
    rsrv0,
    p1,
    p2,
    rsrv1,
    msg
});

impl UExtError {
    /// An empty buffer of the version the kernel accepts.
    pub const fn new() -> UExtError {
        UExtError {
            ver: UEXTERROR_VER,
            error: 0,
            cat: 0,
            src_line: 0,
            flags: 0,
            rsrv0: 0,
            p1: 0,
            p2: 0,
            rsrv1: [0; 4],
            msg: [0; 128],
        }
    }
}

impl Default for UExtError {
    fn default() -> UExtError {
        UExtError::new()
    }
}

// ---- <sys/sockio.h>: the requests rjib sends --------------------------------

const IFREQ: usize = size_of::<IfReq>();
const IFDRV: usize = size_of::<IfDrv>();
const IFGROUPREQ: usize = size_of::<IfGroupReq>();

/// Set the interface flags (both halves).
pub const SIOCSIFFLAGS: u64 = iow(b'i', 16, IFREQ);
/// Get the interface flags.
pub const SIOCGIFFLAGS: u64 = iowr(b'i', 17, IFREQ);
/// Rename: `ifr_data` points to the new name.
pub const SIOCSIFNAME: u64 = iow(b'i', 40, IFREQ);
/// Set and get the description (`ifr_buffer`).
pub const SIOCSIFDESCR: u64 = iow(b'i', 41, IFREQ);
pub const SIOCGIFDESCR: u64 = iowr(b'i', 42, IFREQ);
pub const SIOCGIFMTU: u64 = iowr(b'i', 51, IFREQ);
pub const SIOCSIFMTU: u64 = iow(b'i', 52, IFREQ);
/// SIOCGIFGENERIC, which vlan(4) answers as SIOCGETVLAN (`ifr_data`
/// points to a `struct vlanreq`).
pub const SIOCGETVLAN: u64 = iowr(b'i', 58, IFREQ);
/// Set the link-level (MAC) address from `ifr_addr`.
pub const SIOCSIFLLADDR: u64 = iow(b'i', 60, IFREQ);
pub const SIOCIFDESTROY: u64 = iow(b'i', 121, IFREQ);
/// Driver-specific set (`struct ifdrv`), e.g. BRDGADD.
pub const SIOCSDRVSPEC: u64 = iow(b'i', 123, IFDRV);
/// Driver-specific get (`struct ifdrv`), e.g. BRDGGIFS.
pub const SIOCGDRVSPEC: u64 = iowr(b'i', 123, IFDRV);
/// Create a clone; the kernel writes the new name into `ifr_name`.
pub const SIOCIFCREATE2: u64 = iowr(b'i', 124, IFREQ);
/// The members of an interface group.
pub const SIOCGIFGMEMB: u64 = iowr(b'i', 138, IFGROUPREQ);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::freebsd::wire::Wire;
    use core::mem::{align_of, offset_of};

    #[test]
    fn struct_sizes_match_lp64_freebsd() {
        assert_eq!(size_of::<IfReq>(), 32);
        assert_eq!(align_of::<IfReq>(), 8);
        assert_eq!(size_of::<Sockaddr>(), 16);
        assert_eq!(size_of::<IfDrv>(), 40);
        assert_eq!(size_of::<IfGroupReq>(), 40);
        assert_eq!(size_of::<IfgReq>(), 16);
        assert_eq!(size_of::<IfData>(), 152);
        assert_eq!(size_of::<SockaddrDl>(), 54);
        assert_eq!(size_of::<IfBreq>(), 80);
        assert_eq!(IFBREQ_LEN, 80);
        assert_eq!(size_of::<VlanReq>(), 20);
        assert_eq!(size_of::<SockaddrIn>(), 16);
        assert_eq!(size_of::<SockaddrIn6>(), 28);
        assert_eq!(size_of::<IfBifConf>(), 16);
        assert_eq!(size_of::<UExtError>(), 200);
        assert_eq!(size_of::<IfBifVlanReq>(), 536);
        assert_eq!(align_of::<IfBifVlanReq>(), 8);
        assert_eq!(size_of::<IfBrParam>(), 4);
    }

    #[test]
    fn field_offsets() {
        assert_eq!(
            (IFR_FLAGS, IFR_FLAGSHIGH, IFR_MTU, IFR_DATA, IFR_ADDR),
            (16, 18, 16, 16, 16)
        );
        assert_eq!(
            (
                offset_of!(IfDrv, ifd_cmd),
                offset_of!(IfDrv, ifd_len),
                offset_of!(IfDrv, ifd_data)
            ),
            (16, 24, 32)
        );
        assert_eq!(
            (
                offset_of!(IfGroupReq, ifgr_len),
                offset_of!(IfGroupReq, ifgr_groups)
            ),
            (16, 24)
        );
        assert_eq!(
            (
                offset_of!(IfData, ifi_datalen),
                offset_of!(IfData, ifi_mtu),
                offset_of!(IfData, ifi_baudrate)
            ),
            (6, 8, 16)
        );
        assert_eq!(offset_of!(IfData, __ifi_epoch), 128);
        assert_eq!(offset_of!(IfData, __ifi_lastchange), 136);
        assert_eq!(
            (
                offset_of!(SockaddrDl, sdl_index),
                offset_of!(SockaddrDl, sdl_type),
                SDL_DATA
            ),
            (2, 4, 8)
        );
        assert_eq!(offset_of!(IfBreq, ifbr_ifsflags), 16);
        assert_eq!(offset_of!(IfBreq, ifbr_portno), 28);
        assert_eq!(offset_of!(IfBreq, ifbr_addrcnt), 36);
        assert_eq!(offset_of!(IfBreq, ifbr_pvid), 48);
        assert_eq!(offset_of!(IfBreq, ifbr_vlanproto), 50);
        assert_eq!(offset_of!(IfBifVlanReq, bv_op), 16);
        assert_eq!(offset_of!(IfBifVlanReq, bv_set), 24);
        assert_eq!(offset_of!(IfBreq, pad), 52);
        assert_eq!(offset_of!(IfBifConf, ifbic_buf), 8);
        assert_eq!(
            (
                offset_of!(UExtError, error),
                offset_of!(UExtError, p1),
                offset_of!(UExtError, p2),
                offset_of!(UExtError, msg)
            ),
            (4, 24, 32, 72)
        );
    }

    #[test]
    fn request_numbers_have_their_known_values() {
        // Values as FreeBSD's <sys/sockio.h> yields them on amd64/arm64.
        assert_eq!(SIOCSIFFLAGS, 0x8020_6910);
        assert_eq!(SIOCGIFFLAGS, 0xc020_6911);
        assert_eq!(SIOCSIFNAME, 0x8020_6928);
        assert_eq!(SIOCGIFMTU, 0xc020_6933);
        assert_eq!(SIOCSIFMTU, 0x8020_6934);
        assert_eq!(SIOCSIFLLADDR, 0x8020_693c);
        assert_eq!(SIOCIFDESTROY, 0x8020_6979);
        assert_eq!(SIOCSDRVSPEC, 0x8028_697b);
        assert_eq!(SIOCGDRVSPEC, 0xc028_697b);
        assert_eq!(SIOCIFCREATE2, 0xc020_697c);
        assert_eq!(SIOCGIFGMEMB, 0xc028_698a);
        assert_eq!(SIOCSIFDESCR, 0x8020_6929);
        assert_eq!(SIOCGIFDESCR, 0xc020_692a);
        assert_eq!(SIOCGETVLAN, 0xc020_693a);
        assert_eq!(iocparm_len(SIOCGDRVSPEC), 40);
        assert_eq!(SIOCGDRVSPEC & IOC_DIRMASK, IOC_INOUT);
        assert_eq!(ior(b'i', 1, 4), 0x4004_6901);
    }

    #[test]
    fn ifreq_union_accessors() {
        let mut r = IfReq::named("vtnet0");
        r.set_flags(0x0021_8843);
        let b = r.to_bytes();
        assert_eq!(&b[16..20], &[0x43, 0x88, 0x21, 0x00]);
        assert_eq!(IfReq::from_bytes(&b).unwrap().flags(), 0x0021_8843);
        r.set_mtu(9000);
        assert_eq!(r.mtu(), 9000);
        r.set_data(0xdead_beef_0000_1000);
        assert_eq!(
            i64::from_ne_bytes(r.to_bytes()[16..24].try_into().unwrap()) as u64,
            0xdead_beef_0000_1000
        );
        let sa = Sockaddr {
            sa_len: 6,
            sa_family: AF_LINK,
            sa_data: [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        };
        r.set_addr(sa);
        assert_eq!(r.addr(), sa);
        assert_eq!(&r.to_bytes()[..7], b"vtnet0\0");
        assert!(IfReq::from_bytes(&b[..31]).is_none());
    }

    #[test]
    fn vlan_requests_on_the_wire() {
        let mut r = IfBifVlanReq::named("ix0");
        r.bv_op = BRDG_VLAN_OP_ADD;
        r.bv_set[0] = 1 << 20;
        let b = r.to_bytes();
        assert_eq!(b.len(), 536);
        assert_eq!(&b[..4], b"ix0\0");
        assert_eq!(b[16], 2);
        // VID 20: byte 24 + 20 / 8, bit 20 % 8 on a little-endian machine.
        assert_eq!(b[24 + 2], 1 << 4);
        assert_eq!(IfBifVlanReq::from_bytes(&b).unwrap(), r);
        let p = IfBrParam::with_defpvid(20);
        assert_eq!(p.to_bytes(), [20, 0, 0, 0]);
        assert_eq!(p.defpvid(), 20);
        assert_eq!(
            IfBrParam {
                ifbrp_flags: 0x1_0005
            }
            .defpvid(),
            5
        );
    }

    #[test]
    fn ifbreq_bytes_put_the_name_first() {
        let b = IfBreq::named("e0a_jamulus").to_bytes();
        assert_eq!(b.len(), 80);
        assert_eq!(&b[..12], b"e0a_jamulus\0");
        assert!(b[12..].iter().all(|&c| c == 0));
    }
}
