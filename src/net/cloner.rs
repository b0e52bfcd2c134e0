//! The interface cloners rjib creates from (bridge, epair) and the names
//! the kernel gives their clones.

use super::IfName;

/// The interface cloners rjib creates from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cloner {
    Bridge,
    Epair,
}

impl Cloner {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloner::Bridge => "bridge",
            Cloner::Epair => "epair",
        }
    }

    pub fn from_name(s: &str) -> Option<Cloner> {
        [Cloner::Bridge, Cloner::Epair]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    /// The name SIOCIFCREATE2 is given: `epair`, or `epair7` for unit 7.
    pub fn request(self, unit: Option<u32>) -> String {
        match unit {
            Some(u) => format!("{}{u}", self.as_str()),
            None => self.as_str().to_string(),
        }
    }

    /// The kernel module that provides this cloner (`DECLARE_MODULE`
    /// names in if_bridge.c and if_epair.c).
    pub fn module(self) -> &'static str {
        match self {
            Cloner::Bridge => "if_bridge",
            Cloner::Epair => "if_epair",
        }
    }

    /// The names a new clone with `unit` gets: `bridge3`, or `epair3a`
    /// and `epair3b` (the `a` end first).
    pub fn names(self, unit: u32) -> Vec<String> {
        match self {
            Cloner::Bridge => vec![format!("bridge{unit}")],
            Cloner::Epair => vec![format!("epair{unit}a"), format!("epair{unit}b")],
        }
    }

    /// The units free for a new clone, lowest first, from `from` on (a
    /// caller that knows no unit below it is free): those no clone of this
    /// cloner holds and whose bare name `bridgeN` / `epairN` no interface
    /// has. The kernel picks the first (if_clone.c `ifc_alloc_unit_next`,
    /// which checks `"%s%d"` of the cloner name). For an epair it then
    /// checks the end names `epairNa`/`epairNb` and fails with EEXIST
    /// instead of moving on (`epair_handle_unit`); see `unit_blocked`.
    pub fn free_units(
        self,
        from: u32,
        held: impl Fn(u32) -> bool,
        taken: impl Fn(&str) -> bool,
    ) -> impl Iterator<Item = u32> {
        (from..).filter(move |&u| !held(u) && !taken(&self.request(Some(u))))
    }

    /// Whether the kernel refuses `unit` with EEXIST because one of the
    /// names it would give is taken (if_epair.c `epair_handle_unit`; for a
    /// bridge the one name is the bare name, which `free_units` skips).
    pub fn unit_blocked(self, unit: u32, taken: impl Fn(&str) -> bool) -> bool {
        self.names(unit).iter().any(|n| taken(n))
    }
}

/// The peer of an epair end the kernel named `epairNa`: `epairNb`.
pub fn epair_peer(a: &IfName) -> Option<IfName> {
    let stem = a.as_str().strip_suffix('a')?;
    IfName::new(format!("{stem}b")).ok()
}

/// The epair unit of a driver name as sysctl `ifdata.INDEX.drivername`
/// gives it (if_mib.c `sysctl_ifdata`: `"%s%d"` of `if_dname` and
/// `if_dunit`): `epair3` is 3; anything else is no epair's.
pub fn epair_unit(driver: &str) -> Option<u32> {
    let digits = driver.strip_prefix(Cloner::Epair.as_str())?;
    match digits.bytes().all(|b| b.is_ascii_digit()) {
        true => digits.parse().ok(),
        false => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epair_units_from_driver_names() {
        assert_eq!(epair_unit("epair0"), Some(0));
        assert_eq!(epair_unit("epair32767"), Some(32767));
        for not in [
            "epair", "epair-1", "epair3a", "bridge0", "vtnet0", "epair+1",
        ] {
            assert_eq!(epair_unit(not), None, "{not}");
        }
    }

    #[test]
    fn free_units_skip_held_units_and_taken_bare_names() {
        let taken = |n: &str| ["epair1", "epair2a", "bridge0"].contains(&n);
        let free: Vec<u32> = Cloner::Epair
            .free_units(0, |u| u == 0, taken)
            .take(4)
            .collect();
        // 2 is free of its bare name: only the EEXIST of its end blocks it
        assert_eq!(free, [2, 3, 4, 5]);
        assert!(Cloner::Epair.unit_blocked(2, taken));
        assert!(!Cloner::Epair.unit_blocked(3, taken));
        assert_eq!(
            Cloner::Bridge.free_units(0, |_| false, taken).next(),
            Some(1)
        );
        assert_eq!(
            Cloner::Bridge.free_units(7, |_| false, taken).next(),
            Some(7)
        );
    }

    #[test]
    fn epair_peer_name() {
        let a = IfName::new("epair12a").unwrap();
        assert_eq!(epair_peer(&a).unwrap().as_str(), "epair12b");
        assert!(epair_peer(&IfName::new("bridge0").unwrap()).is_none());
    }
}
