//! The syscall seam: the raw operations the FreeBSD backend needs, as a
//! trait, and their one real implementation (FreeBSD only). This is the only
//! module of rjib with `unsafe`; each block says why it is sound.
//!
//! ioctl requests travel as bytes. A request struct that points to other
//! memory (`ifr_data`, `ifd_data`, `ifbic_buf`, `ifgr_groups`) holds the
//! address of one of the `bufs` passed with it, taken with `addr_of`; the
//! kernel reads and writes through those addresses, and the emulator finds
//! the buffer by comparing the address with each buffer's, so it never
//! dereferences a pointer.

#![allow(unsafe_code)]

use crate::host::{Errno, HostResult};

/// One interface as getifaddrs(3) lists its AF_LINK entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkEntry {
    pub name: String,
    /// `ifa_flags` (IFF_*).
    pub flags: u32,
    /// The `struct sockaddr_dl` bytes (`sdl_len` of them).
    pub sdl: Vec<u8>,
    /// The `struct if_data` bytes (`ifi_datalen` of them).
    pub data: Vec<u8>,
}

/// The raw operations the backend needs from a kernel.
pub trait Sys {
    /// ioctl(2) on a datagram socket. `arg` holds the request struct (at
    /// least `IOCPARM_LEN(req)` bytes); every address stored in it is
    /// `addr_of` one of `bufs`, and no other memory is reachable from it.
    fn ioctl(&mut self, req: u64, arg: &mut [u8], bufs: &mut [&mut [u8]]) -> Result<(), Errno>;

    /// getifaddrs(3), AF_LINK entries only: one per interface.
    fn link_entries(&mut self) -> Result<Vec<LinkEntry>, Errno>;

    /// geteuid(2).
    fn geteuid(&mut self) -> u32;

    /// Take rjib's exclusive host lock, held until this value is dropped.
    fn lock(&mut self) -> HostResult<()>;

    /// Make the changes durable (the kernel applies each at once).
    fn commit(&mut self) -> HostResult<()> {
        Ok(())
    }
}

/// The address to store in a request struct for `buf`, which must then be
/// passed in the same `Sys::ioctl` call's `bufs`.
pub fn addr_of(buf: &mut [u8]) -> u64 {
    buf.as_mut_ptr().expose_provenance() as u64
}

#[cfg(all(target_os = "freebsd", not(target_pointer_width = "64")))]
compile_error!("rjib's FreeBSD ABI (src/freebsd/abi.rs) is LP64: x86_64 or aarch64");

#[cfg(target_os = "freebsd")]
pub use real::{FreeBsdSys, LOCK_PATH};

#[cfg(target_os = "freebsd")]
mod real {
    use std::ffi::CStr;
    use std::fs::{File, OpenOptions};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    use super::{LinkEntry, Sys};
    use crate::freebsd::abi::{IfData, iocparm_len};
    use crate::host::{Errno, HostError, HostResult};

    /// The lock every rjib `addm` and `destroy` on this host takes.
    pub const LOCK_PATH: &str = "/var/run/rjib.lock";

    /// The running FreeBSD kernel.
    #[derive(Default)]
    pub struct FreeBsdSys {
        sock: Option<OwnedFd>,
        lock: Option<File>,
    }

    impl FreeBsdSys {
        pub fn new() -> FreeBsdSys {
            FreeBsdSys::default()
        }

        /// The datagram socket the interface ioctls go to, opened once.
        fn socket(&mut self) -> Result<i32, Errno> {
            if let Some(s) = &self.sock {
                return Ok(s.as_raw_fd());
            }
            let mut last = Errno(libc::EPROTONOSUPPORT);
            for domain in [libc::AF_LOCAL, libc::AF_INET] {
                // SAFETY: socket(2) takes no pointers; it returns a new
                // descriptor or -1.
                let fd = unsafe { libc::socket(domain, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
                if fd >= 0 {
                    // SAFETY: `fd` was just returned by socket(2) and is
                    // owned by nothing else.
                    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
                    let raw = owned.as_raw_fd();
                    self.sock = Some(owned);
                    return Ok(raw);
                }
                last = last_errno();
            }
            Err(last)
        }
    }

    fn last_errno() -> Errno {
        Errno(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }

    /// Frees a getifaddrs(3) list when dropped, also on a panic.
    struct IfAddrs(*mut libc::ifaddrs);

    impl Drop for IfAddrs {
        fn drop(&mut self) {
            if !self.0.is_null() {
                // SAFETY: the list came from getifaddrs(3), is freed only
                // here, and nothing borrowed from it outlives this guard.
                unsafe { libc::freeifaddrs(self.0) };
            }
        }
    }

    impl Sys for FreeBsdSys {
        fn ioctl(&mut self, req: u64, arg: &mut [u8], bufs: &mut [&mut [u8]]) -> Result<(), Errno> {
            // The kernel copies IOCPARM_LEN(req) bytes in and out of `arg`.
            if arg.len() < iocparm_len(req) {
                return Err(Errno::EFAULT);
            }
            let fd = self.socket()?;
            // The addresses in `arg` were taken from these buffers; expose
            // the live borrows' provenance so the kernel's accesses through
            // those addresses are to memory we hold uniquely for the call.
            for b in bufs.iter_mut() {
                let _ = b.as_mut_ptr().expose_provenance();
            }
            // SAFETY: `arg` is valid for IOCPARM_LEN(req) bytes (checked
            // above) and uniquely borrowed for the call; the only other
            // memory the request reaches is `bufs`, uniquely borrowed too,
            // with their lengths written into the request by the backend
            // (ifd_len, ifbic_len, ifgr_len, IFNAMSIZ for ifr_data). The
            // kernel keeps no reference after returning.
            let r = unsafe { libc::ioctl(fd, req as libc::c_ulong, arg.as_mut_ptr()) };
            if r < 0 { Err(last_errno()) } else { Ok(()) }
        }

        fn link_entries(&mut self) -> Result<Vec<LinkEntry>, Errno> {
            let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
            // SAFETY: getifaddrs(3) only writes the list head through the
            // pointer it is given.
            if unsafe { libc::getifaddrs(&mut head) } != 0 {
                return Err(last_errno());
            }
            let list = IfAddrs(head);
            let mut out = Vec::new();
            let mut p = list.0;
            while !p.is_null() {
                // SAFETY: `p` is a node of the list, which lives until
                // `list` is dropped at the end of this function.
                let ifa = unsafe { &*p };
                p = ifa.ifa_next;
                if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
                    continue;
                }
                // SAFETY: a non-null ifa_addr points to a sockaddr, which
                // starts with sa_len and sa_family.
                let (sa_len, family) =
                    unsafe { ((*ifa.ifa_addr).sa_len, (*ifa.ifa_addr).sa_family) };
                if i32::from(family) != libc::AF_LINK {
                    continue;
                }
                // SAFETY: a sockaddr is sa_len bytes long.
                let sdl = unsafe {
                    std::slice::from_raw_parts(ifa.ifa_addr.cast::<u8>(), usize::from(sa_len))
                };
                let data = if ifa.ifa_data.is_null() {
                    Vec::new()
                } else {
                    let at = core::mem::offset_of!(IfData, ifi_datalen);
                    // SAFETY: an AF_LINK entry's ifa_data points to a struct
                    // if_data, whose fixed header holds ifi_datalen.
                    let hdr =
                        unsafe { std::slice::from_raw_parts(ifa.ifa_data.cast::<u8>(), at + 2) };
                    let len = usize::from(u16::from_ne_bytes([hdr[at], hdr[at + 1]])).max(at + 2);
                    // SAFETY: the struct if_data is ifi_datalen bytes long.
                    unsafe { std::slice::from_raw_parts(ifa.ifa_data.cast::<u8>(), len) }.to_vec()
                };
                // SAFETY: ifa_name is a non-null, NUL-terminated string that
                // lives as long as the list.
                let name = unsafe { CStr::from_ptr(ifa.ifa_name) };
                out.push(LinkEntry {
                    name: name.to_string_lossy().into_owned(),
                    flags: ifa.ifa_flags,
                    sdl: sdl.to_vec(),
                    data,
                });
            }
            drop(list);
            Ok(out)
        }

        fn geteuid(&mut self) -> u32 {
            // SAFETY: geteuid(2) takes no arguments and cannot fail.
            unsafe { libc::geteuid() }
        }

        fn lock(&mut self) -> HostResult<()> {
            if self.lock.is_some() {
                return Ok(());
            }
            let bad = |e: std::io::Error| {
                HostError::other(
                    None,
                    "lock",
                    format!("{LOCK_PATH}: {}", crate::util::io_reason(&e)),
                )
            };
            let f = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(LOCK_PATH)
                .map_err(bad)?;
            f.lock().map_err(bad)?;
            self.lock = Some(f);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_of_is_the_buffer_address() {
        let mut v = vec![0u8; 8];
        assert_eq!(addr_of(&mut v), v.as_ptr() as usize as u64);
        let mut a = [0u8; 4];
        assert_ne!(addr_of(&mut a), addr_of(&mut v));
    }
}
