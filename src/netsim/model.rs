//! The simulated host's state and the kernel rules it follows
//! (netsim-state.md, FreeBSD 14).
//!
//! Every operation takes and returns kernel-level values (names, errno), so
//! the direct simulated backend and the ioctl emulator share one set of
//! rules and one fault counter.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::host::{Cloner, Errno, Op};

/// The file's top level (format version 1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct State {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub euid: Option<u32>,
    pub interfaces: Vec<SimIf>,
    /// Every other field (`faults`, anything a newer writer added), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One interface of the simulated host.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SimIf {
    pub name: String,
    pub index: u32,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub cloner: Option<String>,
    #[serde(default)]
    pub unit: Option<u32>,
    #[serde(default)]
    pub peer: Option<String>,
    #[serde(default)]
    pub ether: Option<String>,
    pub mtu: u32,
    pub up: bool,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub members: Option<Vec<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SimIf {
    /// `type`, with its default.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("ether")
    }

    pub fn is_bridge(&self) -> bool {
        self.cloner.as_deref() == Some("bridge") || self.members.is_some()
    }
}

/// One entry of `faults`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub op: Op,
    pub nth: u32,
    pub errno: Errno,
}

/// Parse the `faults` field (absent means none).
pub fn parse_faults(extra: &Map<String, Value>) -> Result<Vec<Fault>, String> {
    let Some(v) = extra.get("faults") else {
        return Ok(Vec::new());
    };
    let list = v.as_array().ok_or("\"faults\" is not a list")?;
    list.iter()
        .map(|f| {
            let op = f
                .get("op")
                .and_then(Value::as_str)
                .ok_or("a fault has no \"op\"")?;
            let op = match Op::from_name(op) {
                Some(o) if !matches!(o, Op::List | Op::Lock) => o,
                _ => return Err(format!("unknown fault op {op:?}")),
            };
            let nth = f
                .get("nth")
                .and_then(Value::as_u64)
                .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
                .ok_or("a fault's \"nth\" is not a positive number")? as u32;
            let e = f
                .get("errno")
                .and_then(Value::as_str)
                .ok_or("a fault has no \"errno\"")?;
            let errno = Errno::from_name(e).ok_or_else(|| format!("unknown errno {e:?}"))?;
            Ok(Fault { op, nth, errno })
        })
        .collect()
}

/// The simulated kernel: the state plus this process's fault counters.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub state: State,
    faults: Vec<Fault>,
    calls: HashMap<Op, u32>,
    /// Whether any operation changed the state.
    pub dirty: bool,
}

const ETHERMTU: u32 = 1500;

impl Kernel {
    pub fn new(state: State) -> Result<Kernel, String> {
        let faults = parse_faults(&state.extra)?;
        Ok(Kernel {
            state,
            faults,
            calls: HashMap::new(),
            dirty: false,
        })
    }

    pub fn euid(&self) -> u32 {
        self.state.euid.unwrap_or(0)
    }

    /// Interfaces in listing order (by index).
    pub fn interfaces(&self) -> Vec<&SimIf> {
        let mut v: Vec<&SimIf> = self.state.interfaces.iter().collect();
        v.sort_by_key(|i| i.index);
        v
    }

    pub fn get(&self, name: &str) -> Result<&SimIf, Errno> {
        self.state
            .interfaces
            .iter()
            .find(|i| i.name == name)
            .ok_or(Errno::ENXIO)
    }

    fn get_mut(&mut self, name: &str) -> Result<&mut SimIf, Errno> {
        self.state
            .interfaces
            .iter_mut()
            .find(|i| i.name == name)
            .ok_or(Errno::ENXIO)
    }

    fn exists(&self, name: &str) -> bool {
        self.state.interfaces.iter().any(|i| i.name == name)
    }

    /// Count one call of `op`; fail it if a fault says so.
    fn call(&mut self, op: Op) -> Result<(), Errno> {
        let n = self.calls.entry(op).or_insert(0);
        *n += 1;
        let n = *n;
        match self.faults.iter().find(|f| f.op == op && f.nth == n) {
            Some(f) => Err(f.errno),
            None => Ok(()),
        }
    }

    /// The units clones of `cloner` hold, renamed ones included.
    pub fn held_units(&self, cloner: Cloner) -> HashSet<u32> {
        self.state
            .interfaces
            .iter()
            .filter(|i| i.cloner.as_deref() == Some(cloner.as_str()))
            .filter_map(|i| i.unit)
            .collect()
    }

    /// The unit a new clone of `cloner` gets (see `Cloner::next_unit`).
    pub fn next_unit(&self, cloner: Cloner) -> u32 {
        // One pass over the interfaces, then a lookup per candidate unit:
        // a host with 1000 epairs is not 1000 scans.
        let held = self.held_units(cloner);
        let names: HashSet<&str> = self
            .state
            .interfaces
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        cloner.next_unit(&held, |n| names.contains(n))
    }

    fn next_index(&self) -> u32 {
        self.state
            .interfaces
            .iter()
            .map(|i| i.index)
            .max()
            .unwrap_or(0)
            + 1
    }

    fn fresh(name: String, index: u32, cloner: &str, unit: u32, ether: String) -> SimIf {
        SimIf {
            name,
            index,
            kind: None,
            cloner: Some(cloner.to_string()),
            unit: Some(unit),
            peer: None,
            ether: Some(ether),
            mtu: ETHERMTU,
            up: false,
            groups: vec![cloner.to_string()],
            members: None,
            description: None,
            extra: Map::new(),
        }
    }

    /// Create a clone; returns the kernel's name for it (the `a` end of an
    /// epair).
    pub fn create(&mut self, cloner: &str) -> Result<String, Errno> {
        self.call(Op::Create)?;
        let cloner = Cloner::from_name(cloner).ok_or(Errno::EINVAL)?;
        let unit = self.next_unit(cloner);
        let index = self.next_index();
        let (hi, lo) = ((unit >> 8) & 0xff, unit & 0xff);
        let names = cloner.names(unit);
        match cloner {
            Cloner::Bridge => {
                let mac = format!("58:9c:fc:10:{hi:02x}:{lo:02x}");
                let mut b = Self::fresh(names[0].clone(), index, "bridge", unit, mac);
                b.members = Some(Vec::new());
                self.state.interfaces.push(b);
            }
            Cloner::Epair => {
                let (a, b) = (&names[0], &names[1]);
                let mac = |end: &str| format!("02:00:00:{hi:02x}:{lo:02x}:{end}");
                let mut ea = Self::fresh(a.clone(), index, "epair", unit, mac("0a"));
                let mut eb = Self::fresh(b.clone(), index + 1, "epair", unit, mac("0b"));
                ea.peer = Some(b.clone());
                eb.peer = Some(a.clone());
                self.state.interfaces.push(ea);
                self.state.interfaces.push(eb);
            }
        }
        self.dirty = true;
        Ok(names[0].clone())
    }

    pub fn rename(&mut self, name: &str, new: &str) -> Result<(), Errno> {
        self.call(Op::Rename)?;
        self.get(name)?;
        if new.is_empty() || new.contains('\0') {
            return Err(Errno::EINVAL);
        }
        if new.len() > 15 {
            return Err(Errno::ENAMETOOLONG);
        }
        if self.exists(new) {
            return Err(Errno::EEXIST);
        }
        for i in &mut self.state.interfaces {
            if i.name == name {
                i.name = new.to_string();
            }
            if i.peer.as_deref() == Some(name) {
                i.peer = Some(new.to_string());
            }
            if let Some(m) = &mut i.members {
                for x in m.iter_mut().filter(|x| *x == name) {
                    *x = new.to_string();
                }
            }
        }
        self.dirty = true;
        Ok(())
    }

    pub fn set_up(&mut self, name: &str, up: bool) -> Result<(), Errno> {
        self.call(Op::Up)?;
        self.get_mut(name)?.up = up;
        self.dirty = true;
        Ok(())
    }

    pub fn set_ether(&mut self, name: &str, mac: &[u8]) -> Result<(), Errno> {
        self.call(Op::Ether)?;
        self.get(name)?;
        if mac.len() != 6 {
            return Err(Errno::EINVAL);
        }
        let s = mac
            .iter()
            .map(|o| format!("{o:02x}"))
            .collect::<Vec<_>>()
            .join(":");
        self.get_mut(name)?.ether = Some(s);
        self.dirty = true;
        Ok(())
    }

    pub fn mtu(&self, name: &str) -> Result<u32, Errno> {
        Ok(self.get(name)?.mtu)
    }

    pub fn set_mtu(&mut self, name: &str, mtu: u32) -> Result<(), Errno> {
        self.call(Op::Mtu)?;
        self.get(name)?;
        // if_epair and if_bridge accept 576..=65535 (IF_MINMTU/IF_MAXMTU);
        // ethernet drivers less, but the simulation has no hardware.
        if !(72..=65535).contains(&mtu) {
            return Err(Errno::EINVAL);
        }
        self.get_mut(name)?.mtu = mtu;
        self.dirty = true;
        Ok(())
    }

    pub fn bridge_add(&mut self, bridge: &str, member: &str) -> Result<(), Errno> {
        self.call(Op::Addm)?;
        let br = self.get(bridge)?;
        if !br.is_bridge() {
            return Err(Errno::EINVAL);
        }
        let br_members = br.members.clone().unwrap_or_default();
        let br_mtu = br.mtu;
        let m = self
            .state
            .interfaces
            .iter()
            .find(|i| i.name == member)
            .ok_or(Errno::ENOENT)?;
        if br_members.iter().any(|x| x == member) {
            return Err(Errno::EEXIST);
        }
        let elsewhere = self.state.interfaces.iter().any(|i| {
            i.name != bridge
                && i.members
                    .as_ref()
                    .is_some_and(|ms| ms.iter().any(|x| x == member))
        });
        if elsewhere {
            return Err(Errno::EBUSY);
        }
        if m.is_bridge() || !matches!(m.kind(), "ether" | "l2vlan" | "gif") {
            return Err(Errno::EINVAL);
        }
        let m_mtu = m.mtu;
        if br_members.is_empty() {
            self.get_mut(bridge)?.mtu = m_mtu;
        } else {
            self.get_mut(member)?.mtu = br_mtu;
        }
        self.get_mut(bridge)?
            .members
            .get_or_insert_with(Vec::new)
            .push(member.to_string());
        self.dirty = true;
        Ok(())
    }

    /// A bridge's members as the kernel lists them: most recent first.
    pub fn bridge_members(&self, bridge: &str) -> Result<Vec<String>, Errno> {
        let br = self.get(bridge)?;
        match &br.members {
            Some(m) if br.is_bridge() => Ok(m.iter().rev().cloned().collect()),
            _ => Err(Errno::EINVAL),
        }
    }

    pub fn destroy(&mut self, name: &str) -> Result<(), Errno> {
        self.call(Op::Destroy)?;
        let i = self.get(name)?;
        if i.cloner.is_none() {
            return Err(Errno::EINVAL);
        }
        let mut gone = vec![name.to_string()];
        if let Some(p) = &i.peer {
            gone.push(p.clone());
        }
        self.state.interfaces.retain(|i| !gone.contains(&i.name));
        for i in &mut self.state.interfaces {
            if let Some(m) = &mut i.members {
                m.retain(|x| !gone.contains(x));
            }
        }
        self.dirty = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel(json: &str) -> Kernel {
        Kernel::new(serde_json::from_str(json).unwrap()).unwrap()
    }

    fn seed() -> Kernel {
        kernel(
            r#"{"version":1,"interfaces":[
            {"name":"vtnet0","index":2,"ether":"58:9c:fc:0a:1b:2c","mtu":1500,"up":true,"groups":[]},
            {"name":"tun0","index":3,"type":"tun","ether":null,"mtu":1500,"up":true,"groups":["tun"]},
            {"name":"vtnet0bridge","index":4,"cloner":"bridge","unit":0,"ether":"58:9c:fc:10:00:00","mtu":9000,"up":true,"groups":["bridge"],"members":[]}
            ]}"#,
        )
    }

    #[test]
    fn units_skip_held_and_spelled_names() {
        let mut k = seed();
        assert_eq!(k.create("bridge").unwrap(), "bridge1"); // unit 0 held by vtnet0bridge
        k.rename("bridge1", "bridge0").unwrap(); // spells unit 0, holds unit 1
        assert_eq!(k.create("bridge").unwrap(), "bridge2");
        assert_eq!(k.create("epair").unwrap(), "epair0a");
        let a = k.get("epair0a").unwrap();
        assert_eq!(
            (a.index, a.ether.as_deref(), a.up, a.mtu),
            (7, Some("02:00:00:00:00:0a"), false, 1500)
        );
        assert_eq!(k.get("epair0b").unwrap().index, 8);
        assert_eq!(k.get("epair0b").unwrap().peer.as_deref(), Some("epair0a"));
        assert_eq!(
            k.get("bridge2").unwrap().ether.as_deref(),
            Some("58:9c:fc:10:00:02")
        );
    }

    #[test]
    fn rename_rules_and_followers() {
        let mut k = seed();
        let a = k.create("epair").unwrap();
        k.bridge_add("vtnet0bridge", &a).unwrap();
        assert_eq!(k.rename(&a, "e0a_abcdefghijkl"), Err(Errno::ENAMETOOLONG));
        assert_eq!(k.rename(&a, "vtnet0"), Err(Errno::EEXIST));
        assert_eq!(k.rename("nope", "x"), Err(Errno::ENXIO));
        k.rename(&a, "e0a_x").unwrap();
        assert_eq!(k.get("epair0b").unwrap().peer.as_deref(), Some("e0a_x"));
        assert_eq!(k.bridge_members("vtnet0bridge").unwrap(), vec!["e0a_x"]);
    }

    #[test]
    fn bridge_add_rules() {
        let mut k = seed();
        assert_eq!(k.bridge_add("vtnet0bridge", "nope"), Err(Errno::ENOENT));
        assert_eq!(k.bridge_add("vtnet0bridge", "tun0"), Err(Errno::EINVAL));
        let b = k.create("bridge").unwrap();
        assert_eq!(k.bridge_add("vtnet0bridge", &b), Err(Errno::EINVAL));
        // first member: the bridge takes the member's MTU
        let a = k.create("epair").unwrap();
        k.bridge_add("vtnet0bridge", &a).unwrap();
        assert_eq!(k.mtu("vtnet0bridge").unwrap(), 1500);
        assert_eq!(k.bridge_add("vtnet0bridge", &a), Err(Errno::EEXIST));
        assert_eq!(k.bridge_add(&b, &a), Err(Errno::EBUSY));
        // later members: the member takes the bridge's MTU
        k.set_mtu("vtnet0bridge", 9000).unwrap();
        let c = k.create("epair").unwrap();
        k.bridge_add("vtnet0bridge", &c).unwrap();
        assert_eq!(k.mtu(&c).unwrap(), 9000);
        assert_eq!(
            k.bridge_members("vtnet0bridge").unwrap(),
            vec![c.as_str(), a.as_str()]
        );
        assert_eq!(k.bridge_add("vtnet0", &c), Err(Errno::EINVAL));
    }

    #[test]
    fn destroy_rules() {
        let mut k = seed();
        assert_eq!(k.destroy("vtnet0"), Err(Errno::EINVAL));
        let a = k.create("epair").unwrap();
        k.bridge_add("vtnet0bridge", &a).unwrap();
        k.destroy("epair0b").unwrap(); // either end takes both
        assert!(k.get(&a).is_err());
        assert!(k.bridge_members("vtnet0bridge").unwrap().is_empty());
        // a destroyed bridge releases its members
        let b = k.create("bridge").unwrap();
        k.bridge_add(&b, "vtnet0").unwrap();
        k.destroy(&b).unwrap();
        k.bridge_add("vtnet0bridge", "vtnet0").unwrap();
    }

    #[test]
    fn faults_count_calls_per_op() {
        let mut k = kernel(
            r#"{"version":1,"interfaces":[],"faults":[{"op":"create","nth":2,"errno":"EIO"}]}"#,
        );
        assert!(k.create("epair").is_ok());
        assert_eq!(k.create("epair"), Err(Errno::EIO));
        assert!(k.create("epair").is_ok());
        assert!(
            Kernel::new(
                serde_json::from_str(
                    r#"{"version":1,"interfaces":[],"faults":[{"op":"fly","nth":1,"errno":"EIO"}]}"#
                )
                .unwrap()
            )
            .is_err()
        );
        assert!(Kernel::new(serde_json::from_str(r#"{"version":1,"interfaces":[],"faults":[{"op":"up","nth":1,"errno":"EWHAT"}]}"#).unwrap()).is_err());
    }

    #[test]
    fn ether_needs_six_octets() {
        let mut k = seed();
        assert_eq!(k.set_ether("vtnet0", &[1, 2, 3]), Err(Errno::EINVAL));
        k.set_ether("vtnet0", &[2, 0, 0, 0, 0, 1]).unwrap();
        assert_eq!(
            k.get("vtnet0").unwrap().ether.as_deref(),
            Some("02:00:00:00:00:01")
        );
    }
}
