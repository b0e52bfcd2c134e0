//! The simulated host behind `RJIB_NETSIM`: a JSON file that rjib reads,
//! changes with the kernel rules of `model`, and writes back.

pub mod file;
pub mod model;

use std::fs::File;
use std::path::PathBuf;

use crate::host::{Cloner, Host, HostError, HostResult, Interface, LinkType};
use crate::jib::mac::Mac;
use crate::jib::name::IfName;
use model::{Kernel, SimIf};

/// A `Host` on a simulated host file.
pub struct SimHost {
    path: PathBuf,
    kernel: Kernel,
    lock: Option<File>,
}

fn file_error(path: &std::path::Path, why: String) -> HostError {
    HostError::other(None, format!("simulated host {}", path.display()), why)
}

/// Load `path` into a simulated kernel.
pub fn open_kernel(path: &std::path::Path) -> HostResult<Kernel> {
    let state = file::load(path).map_err(|e| file_error(path, e))?;
    Kernel::new(state).map_err(|e| file_error(path, format!("malformed host file: {e}")))
}

impl SimHost {
    pub fn open(path: PathBuf) -> HostResult<SimHost> {
        let kernel = open_kernel(&path)?;
        Ok(SimHost {
            path,
            kernel,
            lock: None,
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
        Ok(self.kernel.euid())
    }

    fn lock(&mut self) -> HostResult<()> {
        if self.lock.is_none() {
            let f = file::lock(&self.path).map_err(|e| HostError::other(None, "lock", e))?;
            self.lock = Some(f);
            // What was read before the lock may be stale.
            self.kernel = open_kernel(&self.path)?;
        }
        Ok(())
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        let k = &self.kernel;
        k.interfaces()
            .into_iter()
            .map(|i| to_interface(k, i))
            .collect()
    }

    fn create(&mut self, cloner: Cloner) -> HostResult<IfName> {
        let name = self
            .kernel
            .create(cloner.as_str())
            .map_err(|e| HostError::errno(cloner.as_str(), "create", e))?;
        IfName::new(name).map_err(|e| HostError::other(None, "create", e.to_string()))
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.kernel
            .rename(name.as_str(), new.as_str())
            .map_err(|e| HostError::errno(name, format!("name {new}"), e))
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        self.kernel
            .set_up(name.as_str(), up)
            .map_err(|e| HostError::errno(name, if up { "up" } else { "down" }, e))
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.kernel
            .set_ether(name.as_str(), &mac.0)
            .map_err(|e| HostError::errno(name, format!("ether {mac}"), e))
    }

    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        self.kernel
            .mtu(name.as_str())
            .map_err(|e| HostError::errno(name, "mtu", e))
    }

    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        self.kernel
            .set_mtu(name.as_str(), mtu)
            .map_err(|e| HostError::errno(name, format!("mtu {mtu}"), e))
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        self.kernel
            .bridge_add(bridge.as_str(), member.as_str())
            .map_err(|e| HostError::errno(bridge, format!("addm {member}"), e))
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.kernel
            .destroy(name.as_str())
            .map_err(|e| HostError::errno(name, "destroy", e))
    }

    fn units(&mut self, cloner: Cloner) -> HostResult<Option<Vec<u32>>> {
        let held = self
            .kernel
            .state
            .interfaces
            .iter()
            .filter(|i| i.cloner.as_deref() == Some(cloner.as_str()))
            .filter_map(|i| i.unit)
            .collect();
        Ok(Some(held))
    }

    fn commit(&mut self) -> HostResult<()> {
        if self.kernel.dirty {
            file::store(&self.path, &self.kernel.state).map_err(|e| file_error(&self.path, e))?;
            self.kernel.dirty = false;
        }
        Ok(())
    }
}
