//! The simulated host behind `RJIB_NETSIM`: a JSON file that rjib reads,
//! changes with the kernel rules of `model`, and writes back.

pub mod file;
pub mod model;
pub mod session;

use std::path::PathBuf;

use crate::host::{Cloner, Host, HostError, HostResult, Interface, LinkType};
use crate::jib::mac::Mac;
use crate::jib::name::IfName;
use model::{Kernel, SimIf};
use session::SimFile;

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
}

/// The listing view of a simulated interface.
pub fn to_interface(k: &Kernel, i: &SimIf) -> HostResult<Interface> {
    let bad = |why: String| HostError::other(Some(i.name.clone()), "list", why);
    let name = IfName::new(i.name.clone()).map_err(|e| bad(e.to_string()))?;
    let ether = match &i.ether {
        Some(s) => Some(s.parse::<Mac>().map_err(|e| bad(e.to_string()))?),
        None => None,
    };
    let link = if i.is_bridge() {
        LinkType::Bridge
    } else {
        match i.kind() {
            "ether" => LinkType::Ether,
            "l2vlan" => LinkType::L2Vlan,
            "gif" => LinkType::Gif,
            other => LinkType::Other(other.to_string()),
        }
    };
    let members = if i.is_bridge() {
        let m = k.bridge_members(&i.name).unwrap_or_default();
        Some(
            m.into_iter()
                .map(|n| IfName::new(n).map_err(|e| bad(e.to_string())))
                .collect::<HostResult<Vec<_>>>()?,
        )
    } else {
        None
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
    })
}

impl Host for SimHost {
    fn euid(&mut self) -> HostResult<u32> {
        Ok(self.sim.kernel.euid())
    }

    fn lock(&mut self) -> HostResult<()> {
        self.sim.lock()
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        let k = &self.sim.kernel;
        k.interfaces()
            .into_iter()
            .map(|i| to_interface(k, i))
            .collect()
    }

    fn create(&mut self, cloner: Cloner) -> HostResult<IfName> {
        let name = self
            .sim
            .kernel
            .create(cloner.as_str())
            .map_err(|e| HostError::errno(cloner.as_str(), "create", e))?;
        IfName::new(name).map_err(|e| HostError::other(None, "create", e.to_string()))
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.sim
            .kernel
            .rename(name.as_str(), new.as_str())
            .map_err(|e| HostError::errno(name, format!("name {new}"), e))
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        self.sim
            .kernel
            .set_up(name.as_str(), up)
            .map_err(|e| HostError::errno(name, if up { "up" } else { "down" }, e))
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.sim
            .kernel
            .set_ether(name.as_str(), &mac.0)
            .map_err(|e| HostError::errno(name, format!("ether {mac}"), e))
    }

    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        self.sim
            .kernel
            .mtu(name.as_str())
            .map_err(|e| HostError::errno(name, "mtu", e))
    }

    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        self.sim
            .kernel
            .set_mtu(name.as_str(), mtu)
            .map_err(|e| HostError::errno(name, format!("mtu {mtu}"), e))
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        self.sim
            .kernel
            .bridge_add(bridge.as_str(), member.as_str())
            .map_err(|e| HostError::errno(bridge, format!("addm {member}"), e))
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.sim
            .kernel
            .destroy(name.as_str())
            .map_err(|e| HostError::errno(name, "destroy", e))
    }

    fn units(&mut self, cloner: Cloner) -> HostResult<Option<Vec<u32>>> {
        Ok(Some(
            self.sim.kernel.held_units(cloner).into_iter().collect(),
        ))
    }

    fn commit(&mut self) -> HostResult<()> {
        self.sim.commit()
    }
}
