//! The undo journal: what `addm` changed, so a failure can put it back.

use crate::host::{Host, HostError};
use crate::net::IfName;
use crate::util::sh_quote;

/// One change and how to reverse it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Undo {
    /// An interface this run created (by its current name).
    Destroy(IfName),
    /// A parent this run brought up.
    Down(IfName),
    /// An interface this run renamed (from, to): name it back.
    Rename(IfName, IfName),
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
            };
            if let Err(error) = result {
                left.push(Leftover { iface, error, fix });
            }
        }
        left
    }
}

/// The ifconfig(8) command that undoes `u`, its names quoted for sh(1)
/// (an administrator pastes it into a root shell).
fn fix(u: &Undo) -> String {
    let q = |n: &IfName| sh_quote(n.as_str()).into_owned();
    match u {
        Undo::Destroy(n) => format!("ifconfig {} destroy", q(n)),
        Undo::Down(n) => format!("ifconfig {} down", q(n)),
        Undo::Rename(from, to) => format!("ifconfig {} name {}", q(to), q(from)),
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
    }
}
