//! FreeBSD kernel backend (ioctl ABI, syscall seam, Host implementation).
//!
//! `unsafe` is denied here and allowed only in `sys`, the one module that
//! makes system calls.

#![deny(unsafe_code)]

pub mod abi;
pub mod abicheck;
pub mod backend;
pub mod exterr;
pub mod iftype;
pub mod sys;
pub mod wire;

pub use backend::KernelHost;

/// The running FreeBSD kernel as a `Host` (the lock is the directory
/// `/var/run/rjib`).
#[cfg(target_os = "freebsd")]
pub fn kernel_host() -> crate::host::HostResult<Box<dyn crate::host::Host>> {
    Ok(Box::new(KernelHost::new(sys::FreeBsdSys::new())))
}
