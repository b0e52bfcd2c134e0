//! The simulated host behind `RJIB_NETSIM`: a JSON file that rjib reads,
//! changes with the kernel rules of `model`, and writes back.

pub mod faults;
pub mod file;
pub mod model;
pub mod session;
pub mod state;
pub mod validate;

use std::path::PathBuf;

use crate::host::{Host, HostError, HostResult, Priority, flags_words, pvid_words, vlanset_words};
use crate::net::{
    BridgeFlags, BridgePolicy, Cloner, Errno, IfAddr, IfName, Interface, JailInfo, LinkType, Mac,
    Vid, VlanOp, VlanSet,
};
use model::{Kernel, MEMBER_IFADDRS, OSRELDATE};
use session::SimFile;
use state::SimIf;

/// A `Host` on a simulated host file.
pub struct SimHost {
    sim: SimFile,
}

impl SimHost {
    pub fn open(path: PathBuf) -> HostResult<SimHost> {
        Ok(SimHost {
            sim: SimFile::open(path)?,
        })
    }

    /// Run one kernel operation, then deliver what faults asked for.
    fn k<T>(
        &mut self,
        f: impl FnOnce(&mut Kernel) -> Result<T, Errno>,
    ) -> (Result<T, Errno>, Option<String>) {
        let r = f(&mut self.sim.kernel);
        let detail = r
            .is_err()
            .then(|| self.sim.kernel.exterror.map(str::to_string))
            .flatten();
        self.sim.deliver_signals();
        (r, detail)
    }

    fn run(
        &mut self,
        iface: &str,
        what: impl Into<String>,
        f: impl FnOnce(&mut Kernel) -> Result<(), Errno>,
    ) -> HostResult<()> {
        let (r, detail) = self.k(f);
        r.map_err(|e| HostError::errno(iface, what, e).with_detail(detail))
    }
}

fn names(list: Vec<String>, bad: &dyn Fn(String) -> HostError) -> HostResult<Vec<IfName>> {
    list.into_iter()
        .map(|n| IfName::new(n).map_err(|e| bad(e.to_string())))
        .collect()
}

/// The listing view of a simulated interface.
pub fn to_interface(k: &Kernel, i: &SimIf) -> HostResult<Interface> {
    let bad = |why: String| HostError::other(Some(i.name.clone()), "list", why);
    let name = IfName::new(i.name.clone()).map_err(|e| bad(e.to_string()))?;
    let ether = match &i.ether {
        Some(s) => Some(s.parse::<Mac>().map_err(|e| bad(e.to_string()))?),
        None => None,
    };
    let link = match i.kind() {
        "bridge" => LinkType::Bridge,
        "ether" => LinkType::Ether,
        "l2vlan" => LinkType::L2Vlan,
        "gif" => LinkType::Gif,
        other => LinkType::Other(other.to_string()),
    };
    // A member whose name is not UTF-8 is left out, as the FreeBSD
    // backend leaves it out: rjib cannot name it.
    let mut unnamed_members = Vec::new();
    let members = if i.is_bridge() {
        let mut named = Vec::new();
        for m in k.bridge_members(&i.name).unwrap_or_default() {
            match k.by_handle(&m) {
                Some(x) if !x.nameable() => unnamed_members.push(x.wire_name().to_vec()),
                _ => named.push(m),
            }
        }
        Some(names(named, &bad)?)
    } else {
        None
    };
    let addrs = i
        .addr_list()
        .iter()
        .map(|a| a.parse::<IfAddr>().map_err(|e| bad(e.to_string())))
        .collect::<HostResult<Vec<_>>>()?;
    let vlan_parent = match &i.vlan_parent {
        Some(p) if k.by_handle(p).is_some_and(|x| !x.nameable()) => None,
        Some(p) => Some(IfName::new(p.clone()).map_err(|e| bad(e.to_string()))?),
        None => None,
    };
    Ok(Interface {
        name,
        index: i.index,
        link,
        ether,
        mtu: i.mtu,
        up: i.up,
        groups: i.groups.clone(),
        members,
        unnamed_members,
        addrs,
        vlan_parent,
        lastchange: i.lastchange,
        // A member's, as BRDGGIFS reports it; FreeBSD 14 has none.
        pvid: (k.release() >= 15 && k.bridge_of(&i.name).is_some())
            .then(|| i.pvid.and_then(Vid::new))
            .flatten(),
    })
}

impl Host for SimHost {
    fn euid(&mut self) -> HostResult<u32> {
        Ok(self.sim.kernel.euid())
    }

    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        self.sim.lock(wait)
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        let _ = self.k(Kernel::listed);
        let k = &self.sim.kernel;
        // An interface whose name is not UTF-8 is left out: rjib cannot
        // name it, and it is nothing of rjib's.
        k.interfaces()
            .into_iter()
            .filter(|i| i.nameable())
            .map(|i| to_interface(k, i))
            .collect()
    }

    fn create(&mut self, cloner: Cloner, unit: Option<u32>) -> HostResult<IfName> {
        let request = cloner.request(unit);
        let (r, detail) = self.k(|k| k.create(&request));
        let name = r.map_err(|e| HostError::errno(&request, "create", e).with_detail(detail))?;
        IfName::new(name).map_err(|e| HostError::other(None, "create", e.to_string()))
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.run(name.as_str(), format!("name {new}"), |k| {
            k.rename(name.as_str(), new.as_str())
        })
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        self.run(name.as_str(), if up { "up" } else { "down" }, |k| {
            k.set_up(name.as_str(), up)
        })
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.run(name.as_str(), format!("ether {mac}"), |k| {
            k.set_ether(name.as_str(), &mac.0)
        })
    }

    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        self.sim
            .kernel
            .mtu(name.as_str())
            .map_err(|e| HostError::errno(name, "mtu", e))
    }

    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        self.run(name.as_str(), format!("mtu {mtu}"), |k| {
            k.set_mtu(name.as_str(), mtu)
        })
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        self.run(bridge.as_str(), format!("addm {member}"), |k| {
            k.bridge_add(bridge.as_str(), member.as_str())
        })
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.run(name.as_str(), "destroy", |k| k.destroy(name.as_str()))
    }

    fn cloner_loaded(&mut self, cloner: Cloner) -> HostResult<bool> {
        Ok(self.sim.kernel.module_loaded(cloner.module()))
    }

    fn load_cloner(&mut self, cloner: Cloner) -> HostResult<()> {
        self.run(cloner.module(), "kldload", |k| k.kldload(cloner.module()))
    }

    fn bridge_policy(&mut self) -> HostResult<BridgePolicy> {
        let k = &self.sim.kernel;
        Ok(BridgePolicy::from_sysctls(
            k.sysctl(OSRELDATE),
            k.sysctl(MEMBER_IFADDRS),
            k.module_loaded(Cloner::Bridge.module()),
        ))
    }

    fn driver(&mut self, name: &IfName, index: u32) -> HostResult<Option<String>> {
        let (r, detail) = self.k(|k| k.drivername(index));
        r.map_err(|e| HostError::errno(name, "sysctl drivername", e).with_detail(detail))
    }

    fn jail(&mut self, name: &str) -> HostResult<Option<JailInfo>> {
        Ok(self.sim.kernel.jail(name).map(|j| JailInfo {
            jid: j.jid,
            dying: j.dying,
        }))
    }

    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()> {
        self.run(name.as_str(), "description", |k| {
            // As the backend sends it: the length counts the NUL, and an
            // empty text is a zero-length request, which clears.
            let len = if text.is_empty() { 0 } else { text.len() + 1 };
            k.set_description(name.as_str(), len, text)
        })
    }

    fn description(&mut self, name: &IfName) -> HostResult<Option<String>> {
        self.sim
            .kernel
            .get(name.as_str())
            .map(|i| i.description.clone())
            .map_err(|e| HostError::errno(name, "description", e))
    }

    fn bridge_flags(&mut self, bridge: &IfName) -> HostResult<BridgeFlags> {
        let (r, detail) = self.k(|k| k.bridge_flags(bridge.as_str()));
        r.map(BridgeFlags)
            .map_err(|e| HostError::errno(bridge, "bridge flags", e).with_detail(detail))
    }

    fn set_bridge_flags(&mut self, bridge: &IfName, flags: BridgeFlags) -> HostResult<()> {
        self.run(bridge.as_str(), flags_words(flags), |k| {
            k.set_bridge_flags(bridge.as_str(), flags.0)
        })
    }

    fn bridge_defpvid(&mut self, bridge: &IfName) -> HostResult<Option<Vid>> {
        let (r, detail) = self.k(|k| k.bridge_defpvid(bridge.as_str()));
        r.map(Vid::new)
            .map_err(|e| HostError::errno(bridge, "defuntagged", e).with_detail(detail))
    }

    fn set_member_pvid(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        pvid: Option<Vid>,
    ) -> HostResult<()> {
        self.run(bridge.as_str(), pvid_words(member, pvid), |k| {
            k.set_member_pvid(bridge.as_str(), member.as_str(), pvid.map_or(0, Vid::get))
        })
    }

    fn member_vlans(&mut self, bridge: &IfName, member: &IfName) -> HostResult<VlanSet> {
        let (r, detail) = self.k(|k| k.member_vlans(bridge.as_str(), member.as_str()));
        let vids = r.map_err(|e| {
            HostError::errno(bridge, format!("tagged {member}"), e).with_detail(detail)
        })?;
        VlanSet::from_vids(vids).ok_or_else(|| {
            HostError::other(Some(bridge.to_string()), "tagged", "a VID out of range")
        })
    }

    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()> {
        self.run(bridge.as_str(), vlanset_words(member, op, set), |k| {
            k.set_member_vlans(bridge.as_str(), member.as_str(), op.code(), &set.to_vec())
        })
    }

    fn syslog(&mut self, priority: Priority, message: &str) {
        self.sim.kernel.syslog(priority.as_str(), message);
    }

    fn commit(&mut self) -> HostResult<()> {
        self.sim.commit()
    }
}
