//! Values: what a FreeBSD network stack names and reports — interface
//! names, MAC and IP addresses, errno, VLANs, and the records of a listing
//! (an interface, a jail, a bridge policy, a cloner).
//!
//! The bottom layer: plain data and the kernel's rules about it, imported
//! by jib's semantics, the host interface and everything above, and
//! importing nothing of the crate (see doc/architecture.md).

mod addr;
mod cloner;
mod errno;
mod iface;
mod ifname;
mod jail;
mod mac;
mod policy;
mod vlan;

pub use addr::IfAddr;
pub use cloner::{Cloner, epair_peer, epair_unit};
pub use errno::Errno;
pub use iface::{Interface, LinkType};
pub use ifname::{IFNAME_MAX, IfName, IfNameError};
pub use jail::JailInfo;
pub use mac::{BadMac, Mac};
pub use policy::{Basis, BridgePolicy, MEMBER_IFADDRS, MemberAddrs, Verdict};
pub use vlan::{
    BadSet, BridgeFlags, PortVlans, VID_MAX, VID_MIN, VLAN_SET_WORDS, VLAN_SETSIZE, Vid, VidError,
    VlanArgs, VlanOp, VlanSet,
};
