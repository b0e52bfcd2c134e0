//! A `Host` that counts the calls made through it, per operation: how the
//! tests and benchmarks show that a command lists the host once.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::{BridgePolicy, Cloner, Host, HostResult, Interface, JailInfo, Op, Priority};
use crate::net::{BridgeFlags, IfName, Mac, Vid, VlanOp, VlanSet};

/// Calls per operation (`mtu-get` for reading an MTU).
#[derive(Clone, Debug, Default)]
pub struct Calls(pub BTreeMap<&'static str, u32>);

impl Calls {
    pub fn total(&self) -> u32 {
        self.0.values().sum()
    }

    pub fn get(&self, op: Op) -> u32 {
        self.0.get(op.as_str()).copied().unwrap_or(0)
    }
}

pub struct Counting<H> {
    inner: H,
    calls: Rc<RefCell<Calls>>,
}

impl<H: Host> Counting<H> {
    /// The counting host, and a handle that reads its counts afterwards.
    pub fn new(inner: H) -> (Counting<H>, Rc<RefCell<Calls>>) {
        let calls = Rc::new(RefCell::new(Calls::default()));
        (
            Counting {
                inner,
                calls: calls.clone(),
            },
            calls,
        )
    }

    fn count(&mut self, op: Op) {
        self.tally(op.as_str());
    }

    fn tally(&mut self, what: &'static str) {
        *self.calls.borrow_mut().0.entry(what).or_insert(0) += 1;
    }
}

impl<H: Host> Host for Counting<H> {
    fn euid(&mut self) -> HostResult<u32> {
        self.inner.euid()
    }

    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        self.count(Op::Lock);
        self.inner.lock(wait)
    }

    fn list(&mut self) -> HostResult<Vec<Interface>> {
        self.count(Op::List);
        self.inner.list()
    }

    fn create(&mut self, cloner: Cloner, unit: Option<u32>) -> HostResult<IfName> {
        self.count(Op::Create);
        self.inner.create(cloner, unit)
    }

    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        self.count(Op::Rename);
        self.inner.rename(name, new)
    }

    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        self.count(Op::Up);
        self.inner.set_up(name, up)
    }

    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        self.count(Op::Ether);
        self.inner.set_ether(name, mac)
    }

    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        self.tally("mtu-get");
        self.inner.mtu(name)
    }

    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        self.count(Op::Mtu);
        self.inner.set_mtu(name, mtu)
    }

    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        self.count(Op::Addm);
        self.inner.bridge_add(bridge, member)
    }

    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        self.count(Op::Destroy);
        self.inner.destroy(name)
    }

    fn cloner_loaded(&mut self, cloner: Cloner) -> HostResult<bool> {
        self.tally("modfind");
        self.inner.cloner_loaded(cloner)
    }

    fn load_cloner(&mut self, cloner: Cloner) -> HostResult<()> {
        self.count(Op::Kldload);
        self.inner.load_cloner(cloner)
    }

    fn bridge_policy(&mut self) -> HostResult<BridgePolicy> {
        self.tally("sysctl");
        self.inner.bridge_policy()
    }

    fn jail(&mut self, name: &str) -> HostResult<Option<JailInfo>> {
        self.tally("jail");
        self.inner.jail(name)
    }

    fn driver(&mut self, name: &IfName, index: u32) -> HostResult<Option<String>> {
        self.count(Op::Driver);
        self.inner.driver(name, index)
    }

    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()> {
        self.count(Op::Describe);
        self.inner.set_description(name, text)
    }

    fn description(&mut self, name: &IfName) -> HostResult<Option<String>> {
        self.tally("description-get");
        self.inner.description(name)
    }

    fn bridge_flags(&mut self, bridge: &IfName) -> HostResult<BridgeFlags> {
        self.tally("bridgeflags-get");
        self.inner.bridge_flags(bridge)
    }

    fn set_bridge_flags(&mut self, bridge: &IfName, flags: BridgeFlags) -> HostResult<()> {
        self.count(Op::Bridgeflags);
        self.inner.set_bridge_flags(bridge, flags)
    }

    fn bridge_defpvid(&mut self, bridge: &IfName) -> HostResult<Option<Vid>> {
        self.tally("defpvid-get");
        self.inner.bridge_defpvid(bridge)
    }

    fn set_member_pvid(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        pvid: Option<Vid>,
    ) -> HostResult<()> {
        self.count(Op::Pvid);
        self.inner.set_member_pvid(bridge, member, pvid)
    }

    fn member_vlans(&mut self, bridge: &IfName, member: &IfName) -> HostResult<VlanSet> {
        self.tally("vlanset-get");
        self.inner.member_vlans(bridge, member)
    }

    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()> {
        self.count(Op::Vlanset);
        self.inner.set_member_vlans(bridge, member, op, set)
    }

    fn syslog(&mut self, priority: Priority, message: &str) {
        self.tally("syslog");
        self.inner.syslog(priority, message)
    }

    fn commit(&mut self) -> HostResult<()> {
        self.inner.commit()
    }
}

impl<H: Host + ?Sized> Host for Box<H> {
    fn euid(&mut self) -> HostResult<u32> {
        (**self).euid()
    }
    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        (**self).lock(wait)
    }
    fn list(&mut self) -> HostResult<Vec<Interface>> {
        (**self).list()
    }
    fn create(&mut self, cloner: Cloner, unit: Option<u32>) -> HostResult<IfName> {
        (**self).create(cloner, unit)
    }
    fn rename(&mut self, name: &IfName, new: &IfName) -> HostResult<()> {
        (**self).rename(name, new)
    }
    fn set_up(&mut self, name: &IfName, up: bool) -> HostResult<()> {
        (**self).set_up(name, up)
    }
    fn set_ether(&mut self, name: &IfName, mac: Mac) -> HostResult<()> {
        (**self).set_ether(name, mac)
    }
    fn mtu(&mut self, name: &IfName) -> HostResult<u32> {
        (**self).mtu(name)
    }
    fn set_mtu(&mut self, name: &IfName, mtu: u32) -> HostResult<()> {
        (**self).set_mtu(name, mtu)
    }
    fn bridge_add(&mut self, bridge: &IfName, member: &IfName) -> HostResult<()> {
        (**self).bridge_add(bridge, member)
    }
    fn destroy(&mut self, name: &IfName) -> HostResult<()> {
        (**self).destroy(name)
    }
    fn cloner_loaded(&mut self, cloner: Cloner) -> HostResult<bool> {
        (**self).cloner_loaded(cloner)
    }
    fn load_cloner(&mut self, cloner: Cloner) -> HostResult<()> {
        (**self).load_cloner(cloner)
    }
    fn bridge_policy(&mut self) -> HostResult<BridgePolicy> {
        (**self).bridge_policy()
    }
    fn jail(&mut self, name: &str) -> HostResult<Option<JailInfo>> {
        (**self).jail(name)
    }
    fn driver(&mut self, name: &IfName, index: u32) -> HostResult<Option<String>> {
        (**self).driver(name, index)
    }
    fn set_description(&mut self, name: &IfName, text: &str) -> HostResult<()> {
        (**self).set_description(name, text)
    }
    fn description(&mut self, name: &IfName) -> HostResult<Option<String>> {
        (**self).description(name)
    }
    fn bridge_flags(&mut self, bridge: &IfName) -> HostResult<BridgeFlags> {
        (**self).bridge_flags(bridge)
    }
    fn set_bridge_flags(&mut self, bridge: &IfName, flags: BridgeFlags) -> HostResult<()> {
        (**self).set_bridge_flags(bridge, flags)
    }
    fn bridge_defpvid(&mut self, bridge: &IfName) -> HostResult<Option<Vid>> {
        (**self).bridge_defpvid(bridge)
    }
    fn set_member_pvid(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        pvid: Option<Vid>,
    ) -> HostResult<()> {
        (**self).set_member_pvid(bridge, member, pvid)
    }
    fn member_vlans(&mut self, bridge: &IfName, member: &IfName) -> HostResult<VlanSet> {
        (**self).member_vlans(bridge, member)
    }
    fn set_member_vlans(
        &mut self,
        bridge: &IfName,
        member: &IfName,
        op: VlanOp,
        set: &VlanSet,
    ) -> HostResult<()> {
        (**self).set_member_vlans(bridge, member, op, set)
    }
    fn syslog(&mut self, priority: Priority, message: &str) {
        (**self).syslog(priority, message)
    }
    fn commit(&mut self) -> HostResult<()> {
        (**self).commit()
    }
}
