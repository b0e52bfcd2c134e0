//! Choosing the host rjib works on: the simulated host named by
//! `RJIB_NETSIM` (directly, or through the FreeBSD backend and the ioctl
//! emulator with `RJIB_NETSIM_VIA=ioctl`), else this machine's kernel.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::host::{Host, HostError, HostResult};
use crate::netsim::SimHost;

/// The environment that picks a backend.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub netsim: Option<OsString>,
    pub via: Option<OsString>,
}

impl Selection {
    pub fn from_env() -> Selection {
        Selection {
            netsim: std::env::var_os("RJIB_NETSIM").filter(|v| !v.is_empty()),
            via: std::env::var_os("RJIB_NETSIM_VIA").filter(|v| !v.is_empty()),
        }
    }
}

fn config_error(why: String) -> HostError {
    HostError::other(None, "RJIB_NETSIM_VIA", why)
}

/// Open the selected host.
pub fn open(sel: &Selection) -> HostResult<Box<dyn Host>> {
    match &sel.netsim {
        Some(path) => {
            let path = PathBuf::from(path);
            match sel.via.as_ref().map(|v| v.to_string_lossy()) {
                None => Ok(Box::new(SimHost::open(path)?)),
                Some(v) if v == "direct" => Ok(Box::new(SimHost::open(path)?)),
                Some(v) if v == "ioctl" => crate::emulator::emulated_host(path),
                Some(v) => Err(config_error(format!(
                    "unknown value {}; use \"ioctl\" or \"direct\"",
                    crate::util::quote(&v)
                ))),
            }
        }
        None => kernel(),
    }
}

#[cfg(target_os = "freebsd")]
fn kernel() -> HostResult<Box<dyn Host>> {
    crate::freebsd::kernel_host()
}

#[cfg(not(target_os = "freebsd"))]
fn kernel() -> HostResult<Box<dyn Host>> {
    Err(HostError::other(
        None,
        "kernel",
        format!(
            "rjib needs FreeBSD and this is {}; set RJIB_NETSIM to a simulated host file to try it here",
            std::env::consts::OS
        ),
    ))
}
