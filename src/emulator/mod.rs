//! ioctl emulator: the FreeBSD backend run against the simulated host.
//!
//! `EmuSys` implements the backend's syscall seam on a simulated host file:
//! ioctls are decoded byte by byte as FreeBSD would (`ioctl`), getifaddrs is
//! encoded as FreeBSD lays it out (`link`), and every change goes through
//! the simulated kernel of `crate::netsim::model`, so its rules, its release
//! (14, 15 or 16, from the host file) and fault injection are the direct
//! simulation's. `emulated_host` puts the real backend
//! (`crate::freebsd::KernelHost`) on top.

#![forbid(unsafe_code)]

pub mod ioctl;
pub mod link;
pub mod memory;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::freebsd::KernelHost;
use crate::freebsd::sys::{IfaEntry, Sys};
use crate::host::{Host, HostResult, Priority};
use crate::net::{Errno, JailInfo};
use crate::netsim::session::SimFile;

/// The syscall seam on a simulated host file.
pub struct EmuSys {
    sim: SimFile,
    /// How many ioctls and getifaddrs calls were made (for benchmarks).
    pub ioctls: u64,
    pub listings: u64,
    /// The extended error of the last failed call (FreeBSD 15).
    exterror: Option<&'static str>,
}

impl EmuSys {
    pub fn open(path: PathBuf) -> HostResult<EmuSys> {
        Ok(EmuSys {
            sim: SimFile::open(path)?,
            ioctls: 0,
            listings: 0,
            exterror: None,
        })
    }

    /// Note the outcome of one call into the simulated kernel, and deliver
    /// the signals faults asked for.
    fn after<T>(&mut self, r: Result<T, Errno>) -> Result<T, Errno> {
        self.exterror = match r {
            Err(_) => self.sim.kernel.exterror,
            Ok(_) => None,
        };
        self.sim.deliver_signals();
        r
    }
}

impl Sys for EmuSys {
    fn ioctl(&mut self, req: u64, arg: &mut [u8], bufs: &mut [&mut [u8]]) -> Result<(), Errno> {
        self.ioctls += 1;
        self.sim.kernel.exterror = None;
        let r = ioctl::ioctl(&mut self.sim.kernel, req, arg, bufs);
        self.after(r)
    }

    fn getifaddrs(&mut self) -> Result<Vec<IfaEntry>, Errno> {
        self.listings += 1;
        self.exterror = None;
        let _ = self.sim.kernel.listed();
        self.sim.deliver_signals();
        link::entries(&self.sim.kernel)
    }

    fn geteuid(&mut self) -> u32 {
        self.sim.kernel.euid()
    }

    /// The simulated host's lock (the file beside the host file), then a
    /// fresh read of the host, as the direct simulation does.
    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        self.sim.lock(wait)
    }

    fn commit(&mut self) -> HostResult<()> {
        self.sim.commit()
    }

    fn modfind(&mut self, module: &str) -> Result<bool, Errno> {
        self.exterror = None;
        Ok(self.sim.kernel.module_loaded(module))
    }

    fn kldload(&mut self, file: &str) -> Result<(), Errno> {
        let r = self.sim.kernel.kldload(file);
        self.after(r)
    }

    fn sysctl_int(&mut self, name: &str) -> Result<Option<i64>, Errno> {
        self.exterror = None;
        Ok(self.sim.kernel.sysctl(name))
    }

    /// Only the MIB rjib reads: `net.link.generic.ifdata.INDEX.drivername`
    /// (sysctl_ifdata: ENOENT for an index no host interface has, the
    /// name and its NUL copied out, ENOMEM when they do not fit); any other
    /// MIB is ENOENT, as a node the kernel has not.
    fn sysctl(&mut self, mib: &[i32], out: &mut [u8]) -> Result<usize, Errno> {
        use crate::freebsd::abi::{
            CTL_NET, IFDATA_DRIVERNAME, IFMIB_IFDATA, NETLINK_GENERIC, PF_LINK,
        };
        self.exterror = None;
        let index = match mib {
            [
                CTL_NET,
                PF_LINK,
                NETLINK_GENERIC,
                IFMIB_IFDATA,
                i,
                IFDATA_DRIVERNAME,
            ] if *i > 0 => *i as u32,
            _ => return Err(Errno::ENOENT),
        };
        let r = self.sim.kernel.drivername(index);
        let name = self.after(r)?.ok_or(Errno::ENOENT)?;
        let bytes: Vec<u8> = name.bytes().chain([0]).collect();
        let dst = out.get_mut(..bytes.len()).ok_or(Errno::ENOMEM)?;
        dst.copy_from_slice(&bytes);
        Ok(bytes.len())
    }

    fn jail_by_name(&mut self, name: &str) -> Result<Option<JailInfo>, Errno> {
        self.exterror = None;
        Ok(self.sim.kernel.jail(name).map(|j| JailInfo {
            jid: j.jid,
            dying: j.dying,
        }))
    }

    fn syslog(&mut self, priority: Priority, message: &str) {
        self.sim.kernel.syslog(priority.as_str(), message);
    }

    fn exterror(&mut self) -> Option<String> {
        self.exterror.map(str::to_string)
    }
}

/// The FreeBSD backend on the simulated host file `path`, through the
/// emulator.
pub fn emulated_host(path: PathBuf) -> HostResult<Box<dyn Host>> {
    Ok(Box::new(KernelHost::new(EmuSys::open(path)?)))
}
