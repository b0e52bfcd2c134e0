//! The undo journal: what `addm` changed, so a failure can put it back.
//!
//! What a run does to an interface it created is undone by destroying it:
//! a bridge's flags and members, an epair end's membership, its untagged
//! VLAN and its tagged set go with it (`bridge_clone_destroy`,
//! `bridge_delete_member`). What it does to interfaces that were there
//! (a parent brought up, named aside, or given tagged VLANs; a reused
//! end given other VLANs) has an entry of its own.

use crate::host::{Host, HostError};
use crate::net::{IfName, Vid, VlanOp, VlanSet};
use crate::util::{ifconfig_iface, sh_quote};

/// One change and how to reverse it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Undo {
    /// An interface this run created (by its current name).
    Destroy(IfName),
    /// A parent this run brought up.
    Down(IfName),
    /// An interface this run renamed (from, to): name it back.
    Rename(IfName, IfName),
    /// VLANs this run added to a member's tagged set that were not in it
    /// (bridge, member, VIDs): take exactly those away again. The kernel
    /// keeps no record of who added a VID (`bridge_ioctl_sifvlanset`).
    Untag(IfName, IfName, Box<VlanSet>),
    /// A member's untagged VLAN this run changed (bridge, member, the one
    /// it had): set it back.
    Pvid(IfName, IfName, Option<Vid>),
    /// A member's tagged set this run replaced (bridge, member, the one it
    /// had): set it back, exactly.
    Tagged(IfName, IfName, Box<VlanSet>),
}

/// Something the undo could not put back.
#[derive(Debug)]
pub struct Leftover {
    pub iface: IfName,
    pub error: HostError,
    /// The ifconfig(8) command that finishes the job by hand.
    pub fix: String,
}

#[derive(Debug, Default)]
pub struct Journal(Vec<Undo>);

impl Journal {
    pub fn created(&mut self, name: &IfName) {
        self.0.push(Undo::Destroy(name.clone()));
    }

    pub fn raised(&mut self, name: &IfName) {
        self.0.push(Undo::Down(name.clone()));
    }

    /// VLANs this run added to an existing member's tagged set, none of
    /// which it had.
    pub fn tagged(&mut self, bridge: &IfName, member: &IfName, added: &VlanSet) {
        self.0.push(Undo::Untag(
            bridge.clone(),
            member.clone(),
            Box::new(*added),
        ));
    }

    /// The untagged VLAN of an existing member, which this run changed
    /// from `had`.
    pub fn pvid(&mut self, bridge: &IfName, member: &IfName, had: Option<Vid>) {
        self.0.push(Undo::Pvid(bridge.clone(), member.clone(), had));
    }

    /// The tagged set of an existing member, which this run replaced; it
    /// was `had`.
    pub fn vlanset(&mut self, bridge: &IfName, member: &IfName, had: &VlanSet) {
        self.0
            .push(Undo::Tagged(bridge.clone(), member.clone(), Box::new(*had)));
    }

    /// An existing interface this run renamed.
    pub fn moved(&mut self, from: &IfName, to: &IfName) {
        self.0.push(Undo::Rename(from.clone(), to.clone()));
    }

    /// Forget the move of an existing interface to `to`: it was destroyed
    /// on purpose, and there is nothing left to name back.
    pub fn forget_move(&mut self, to: &IfName) {
        self.0
            .retain(|u| !matches!(u, Undo::Rename(_, t) if t == to));
    }

    /// Follow a rename of something this run created (searched newest
    /// first: it is almost always the last entry).
    pub fn renamed(&mut self, old: &IfName, new: &IfName) {
        if let Some(Undo::Destroy(n)) = self
            .0
            .iter_mut()
            .rev()
            .find(|u| matches!(u, Undo::Destroy(n) if n == old))
        {
            *n = new.clone();
        }
    }

    pub fn steps(&self) -> usize {
        self.0.len()
    }

    /// What the undo does, newest first, as ifconfig(8) would say it.
    pub fn describe(&self) -> Vec<String> {
        self.0.iter().rev().map(fix).collect()
    }

    /// Undo everything, newest first; go on past failures and return them.
    pub fn rollback(self, host: &mut dyn Host) -> Vec<Leftover> {
        let mut left = Vec::new();
        for u in self.0.into_iter().rev() {
            let fix = fix(&u);
            let (iface, result) = match u {
                Undo::Destroy(n) => {
                    let r = host.destroy(&n);
                    (n, r)
                }
                Undo::Down(n) => {
                    let r = host.set_up(&n, false);
                    (n, r)
                }
                Undo::Rename(from, to) => {
                    let r = host.rename(&to, &from);
                    (to, r)
                }
                Undo::Untag(bridge, member, set) => {
                    let r = host.set_member_vlans(&bridge, &member, VlanOp::Del, &set);
                    (member, r)
                }
                Undo::Pvid(bridge, member, had) => {
                    let r = host.set_member_pvid(&bridge, &member, had);
                    (member, r)
                }
                Undo::Tagged(bridge, member, had) => {
                    let r = host.set_member_vlans(&bridge, &member, VlanOp::Set, &had);
                    (member, r)
                }
            };
            if let Err(error) = result {
                left.push(Leftover { iface, error, fix });
            }
        }
        left
    }
}

/// The ifconfig(8) command that undoes `u`, its names quoted for sh(1)
/// (an administrator pastes it into a root shell), the interface word as
/// `util::ifconfig_iface` writes it.
fn fix(u: &Undo) -> String {
    let q = |n: &IfName| sh_quote(n.as_str()).into_owned();
    let i = |n: &IfName| ifconfig_iface(n.as_str());
    match u {
        Undo::Destroy(n) => format!("ifconfig {} destroy", i(n)),
        Undo::Down(n) => format!("ifconfig {} down", i(n)),
        Undo::Rename(from, to) => format!("ifconfig {} name {}", i(to), q(from)),
        Undo::Untag(bridge, member, set) => format!(
            "ifconfig {} -iftagged {} {}",
            i(bridge),
            q(member),
            sh_quote(&set.to_string())
        ),
        Undo::Pvid(bridge, member, had) => format!(
            "ifconfig {} {}",
            i(bridge),
            crate::host::pvid_words(q(member), *had)
        ),
        Undo::Tagged(bridge, member, had) => format!(
            "ifconfig {} iftagged {} {}",
            i(bridge),
            q(member),
            sh_quote(&had.to_string())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_are_quoted() {
        let n = |s: &str| IfName::new(s).unwrap();
        assert_eq!(
            fix(&Undo::Destroy(n("x;idbridge"))),
            "ifconfig 'x;idbridge' destroy"
        );
        assert_eq!(fix(&Undo::Down(n("em0"))), "ifconfig em0 down");
        assert_eq!(
            fix(&Undo::Rename(n("e0a_x"), n("rjibstale0"))),
            "ifconfig rjibstale0 name e0a_x"
        );
        let set = Box::new(VlanSet::parse("20,30-31").unwrap());
        assert_eq!(
            fix(&Undo::Untag(n("a'b"), n("ix0"), set)),
            "ifconfig 'a'\\''b' -iftagged ix0 20,30-31"
        );
        assert_eq!(
            fix(&Undo::Pvid(n("br"), n("e0a_x"), Vid::new(20))),
            "ifconfig br ifuntagged e0a_x 20"
        );
        assert_eq!(
            fix(&Undo::Pvid(n("br"), n("a b"), None)),
            "ifconfig br -ifuntagged 'a b'"
        );
        assert_eq!(
            fix(&Undo::Tagged(n("br"), n("e0a_x"), Box::default())),
            "ifconfig br iftagged e0a_x none"
        );
        // ifconfig(8) would read a first word `-x…` as options
        assert_eq!(fix(&Undo::Down(n("-x"))), "ifconfig -- -x down");
        assert_eq!(
            fix(&Undo::Rename(n("-a"), n("rjibstale0"))),
            "ifconfig rjibstale0 name -a"
        );
        assert_eq!(
            fix(&Undo::Untag(n("-xbridge"), n("-x"), Box::default())),
            "ifconfig -- -xbridge -iftagged -x none"
        );
        assert_eq!(
            fix(&Undo::Pvid(n("-xbridge"), n("e0a_x"), Vid::new(20))),
            "ifconfig -- -xbridge ifuntagged e0a_x 20"
        );
    }
}
