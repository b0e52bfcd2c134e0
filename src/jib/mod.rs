//! jib's semantics, as pure code: names, MACs, what `show` selects and what
//! `addm` will do. Nothing here touches a host.

pub mod collide;
pub mod descr;
pub mod inventory;
pub mod mac;
pub mod name;
pub mod pairing;
pub mod plan;
pub mod prune;
pub mod show;
pub mod sum;
pub mod vlan;
