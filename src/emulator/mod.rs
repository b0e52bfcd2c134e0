//! ioctl emulator: the FreeBSD backend run against the simulated host.
//!
//! `EmuSys` implements the backend's syscall seam on a simulated host file:
//! ioctls are decoded byte by byte as FreeBSD would (`ioctl`), getifaddrs is
//! encoded as FreeBSD lays it out (`link`), and every change goes through
//! the simulated kernel of `crate::netsim::model`, so its rules and fault
//! injection are the direct simulation's. `emulated_host` puts the real
//! backend (`crate::freebsd::KernelHost`) on top.

#![forbid(unsafe_code)]

pub mod ioctl;
pub mod link;
pub mod memory;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::freebsd::KernelHost;
use crate::freebsd::sys::{LinkEntry, Sys};
use crate::host::{Errno, Host, HostResult};
use crate::netsim::session::SimFile;
pub use ioctl::Release;

/// The syscall seam on a simulated host file.
pub struct EmuSys {
    sim: SimFile,
    release: Release,
    /// How many ioctls and getifaddrs calls were made (for benchmarks).
    pub ioctls: u64,
    pub listings: u64,
}

impl EmuSys {
    pub fn open(path: PathBuf, release: Release) -> HostResult<EmuSys> {
        Ok(EmuSys {
            sim: SimFile::open(path)?,
            release,
            ioctls: 0,
            listings: 0,
        })
    }
}

impl Sys for EmuSys {
    fn ioctl(&mut self, req: u64, arg: &mut [u8], bufs: &mut [&mut [u8]]) -> Result<(), Errno> {
        self.ioctls += 1;
        ioctl::ioctl(&mut self.sim.kernel, self.release, req, arg, bufs)
    }

    fn link_entries(&mut self) -> Result<Vec<LinkEntry>, Errno> {
        self.listings += 1;
        link::link_entries(&self.sim.kernel)
    }

    fn geteuid(&mut self) -> u32 {
        self.sim.kernel.euid()
    }

    /// The simulated host's lock (the file beside the host file), then a
    /// fresh read of the host, as the direct simulation does.
    fn lock(&mut self) -> HostResult<()> {
        self.sim.lock()
    }

    fn commit(&mut self) -> HostResult<()> {
        self.sim.commit()
    }
}

/// The FreeBSD backend on the simulated host file `path`, through the
/// emulator (FreeBSD 14's `struct ifbreq`, like the simulation's rules).
pub fn emulated_host(path: PathBuf) -> HostResult<Box<dyn Host>> {
    emulated_host_as(path, Release::FreeBsd14)
}

/// `emulated_host` playing a given FreeBSD release.
pub fn emulated_host_as(path: PathBuf, release: Release) -> HostResult<Box<dyn Host>> {
    Ok(Box::new(KernelHost::new(EmuSys::open(path, release)?)))
}
