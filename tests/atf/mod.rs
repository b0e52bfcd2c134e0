//! The harness of the ported ATF cases (tests/atf_*.rs): one host file per
//! release and path, opened directly (`SimHost`) and through the FreeBSD
//! backend on the ioctl emulator (`emulated_host`), driven through the
//! `Host` trait where rjib has no command for the ATF case's operation.

#![allow(dead_code)]

use std::path::PathBuf;

use rjib::emulator::emulated_host;
use rjib::host::{Host, HostError, HostResult};
use rjib::net::{Errno, IfName, Interface};
use rjib::netsim::SimHost;
use serde_json::{Value, json};

use crate::common::{host_file, read_host};

pub const PATHS: [&str; 2] = ["direct", "ioctl"];

/// One host, one release, one path.
pub struct K {
    pub via: &'static str,
    pub release: u32,
    pub host: Box<dyn Host>,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl K {
    pub fn open(via: &'static str, release: u32, file: &Value) -> K {
        let mut file = file.clone();
        file["version"] = 2.into();
        file["release"] = release.into();
        let dir = tempfile::tempdir().unwrap();
        let path = host_file(&dir, &file);
        let host: Box<dyn Host> = match via {
            "direct" => Box::new(SimHost::open(path.clone()).unwrap()),
            _ => emulated_host(path.clone()).unwrap(),
        };
        K {
            via,
            release,
            host,
            path,
            _dir: dir,
        }
    }

    pub fn at(&self) -> String {
        format!("{} on FreeBSD {}", self.via, self.release)
    }

    pub fn list(&mut self) -> Vec<Interface> {
        self.host.list().unwrap()
    }

    pub fn has(&mut self, name: &str) -> bool {
        self.list().iter().any(|i| i.name.as_str() == name)
    }

    pub fn get(&mut self, name: &str) -> Interface {
        let at = self.at();
        self.list()
            .into_iter()
            .find(|i| i.name.as_str() == name)
            .unwrap_or_else(|| panic!("{at}: {name} is not listed"))
    }

    pub fn mtu(&mut self, name: &str) -> u32 {
        self.get(name).mtu
    }

    pub fn members(&mut self, bridge: &str) -> Vec<String> {
        let at = self.at();
        self.get(bridge)
            .members
            .unwrap_or_else(|| panic!("{at}: {bridge} is no bridge"))
            .iter()
            .map(|m| m.to_string())
            .collect()
    }

    pub fn addrs(&mut self, name: &str) -> Vec<String> {
        self.get(name).addrs.iter().map(|a| a.to_string()).collect()
    }

    /// `atf_check -s exit:0`: the call succeeds.
    #[track_caller]
    pub fn ok<T>(&mut self, call: impl FnOnce(&mut dyn Host) -> HostResult<T>) -> T {
        let r = call(&mut *self.host);
        r.unwrap_or_else(|e| panic!("{}: expected success, got {e}", self.at()))
    }

    /// `atf_check -s exit:1`: the call fails, with `errno` (which the ATF
    /// case does not pin: the kernel source does) and on FreeBSD 15 with
    /// the extended error `text` (none on 14).
    #[track_caller]
    pub fn refused<T: std::fmt::Debug>(
        &mut self,
        call: impl FnOnce(&mut dyn Host) -> HostResult<T>,
        errno: Errno,
        text: Option<&str>,
    ) -> HostError {
        let e = match call(&mut *self.host) {
            Ok(v) => panic!("{}: expected {errno:?}, got Ok({v:?})", self.at()),
            Err(e) => e,
        };
        assert_eq!(e.errno_value(), Some(errno), "{}: {e}", self.at());
        let want = if self.release >= 15 { text } else { None };
        assert_eq!(e.detail.as_deref(), want, "{}: {e}", self.at());
        e
    }
}

/// Run `f` on `file` for each release in `releases`, on both paths.
pub fn each(releases: &[u32], file: &Value, f: impl Fn(&mut K)) {
    for &release in releases {
        for via in PATHS {
            f(&mut K::open(via, release, file));
        }
    }
}

pub fn n(s: &str) -> IfName {
    IfName::new(s).unwrap()
}

/// A host with nothing but lo0 and `more` interfaces.
pub fn host(more: Vec<Value>) -> Value {
    let mut ifs = vec![
        json!({"name": "lo0", "index": 1, "type": "loop", "mtu": 16384,
                              "up": true, "groups": ["lo"], "addrs": ["127.0.0.1/8"]}),
    ];
    ifs.extend(more);
    json!({ "interfaces": ifs })
}

impl K {
    /// The host file as the kernel leaves it (after `commit`).
    pub fn file(&mut self) -> Value {
        self.host.commit().unwrap();
        read_host(&self.path)
    }
}
