//! The syscall seam: the raw operations the FreeBSD backend needs, as a
//! trait, and their one real implementation (FreeBSD only). With
//! `crate::inherited` (two POSIX reads of what the process inherited,
//! made on Linux too), this is the only module of rjib with `unsafe`;
//! each block says why it is sound.
//!
//! nix does the calls it has safe wrappers for: socket(2), geteuid(2) and
//! syslog(3); the lock is `crate::lock` (std's flock(2)). What stays
//! `unsafe` has no safe wrapper that fits: ioctl(2) with rjib's own request
//! structs; getifaddrs(3), whose `ifa_data` (`struct if_data`) nix's
//! wrapper drops; modfind(2) and kldload(2) (nix's kmod is Linux-only);
//! sysctlbyname(3), sysctl(3) by MIB, jail_get(2) and exterrctl(2), which
//! nix lacks;
//! openlog(3), whose nix wrapper leaves a dangling ident on FreeBSD; and
//! sigaction(2), which nix marks `unsafe`.
//!
//! ioctl requests travel as bytes. A request struct that points to other
//! memory (`ifr_data`, `ifd_data`, `ifbic_buf`, `ifgr_groups`) holds the
//! address of one of the `bufs` passed with it, taken with `addr_of`; the
//! kernel reads and writes through those addresses, and the emulator finds
//! the buffer by comparing the address with each buffer's, so it never
//! dereferences a pointer.

#![allow(unsafe_code)]

use crate::host::{HostResult, Priority};
use crate::net::{Errno, JailInfo};

/// One entry of getifaddrs(3): an interface's AF_LINK address (one per
/// interface, with its `struct if_data`), or one of its AF_INET/AF_INET6
/// addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfaEntry {
    /// `ifa_name`, as the bytes the kernel gives (any but NUL).
    pub name: Vec<u8>,
    /// `ifa_flags` (IFF_*).
    pub flags: u32,
    /// The `ifa_addr` sockaddr bytes (`sa_len` of them).
    pub addr: Vec<u8>,
    /// The `ifa_netmask` sockaddr bytes (empty if none).
    pub netmask: Vec<u8>,
    /// For AF_LINK, the `struct if_data` bytes (`ifi_datalen` of them).
    pub data: Vec<u8>,
}

impl IfaEntry {
    /// `sa_family` of the address.
    pub fn family(&self) -> u8 {
        self.addr.get(1).copied().unwrap_or(0)
    }
}

/// The raw operations the backend needs from a kernel.
pub trait Sys {
    /// ioctl(2) on a datagram socket. `arg` holds the request struct (at
    /// least `IOCPARM_LEN(req)` bytes); every address stored in it is
    /// `addr_of` one of `bufs`, and no other memory is reachable from it.
    fn ioctl(&mut self, req: u64, arg: &mut [u8], bufs: &mut [&mut [u8]]) -> Result<(), Errno>;

    /// getifaddrs(3): the AF_LINK, AF_INET and AF_INET6 entries.
    fn getifaddrs(&mut self) -> Result<Vec<IfaEntry>, Errno>;

    /// modfind(2): whether a kernel module of this name is loaded or
    /// compiled in.
    fn modfind(&mut self, module: &str) -> Result<bool, Errno>;

    /// kldload(2) of the file of that name (`if_epair`).
    fn kldload(&mut self, file: &str) -> Result<(), Errno>;

    /// sysctlbyname(3) of an integer (or boolean) sysctl; `None` if the
    /// kernel has no such sysctl.
    fn sysctl_int(&mut self, name: &str) -> Result<Option<i64>, Errno>;

    /// sysctl(3) by MIB, reading only: the bytes the kernel wrote into
    /// `out`, which it fills up to its length; ENOMEM when they do not fit,
    /// ENOENT when there is no such node (or no such interface).
    fn sysctl(&mut self, mib: &[i32], out: &mut [u8]) -> Result<usize, Errno>;

    /// jail_get(2) by name, dying jails included.
    fn jail_by_name(&mut self, name: &str) -> Result<Option<JailInfo>, Errno>;

    /// syslog(3), facility LOG_DAEMON, ident `rjib`.
    fn syslog(&mut self, priority: Priority, message: &str);

    /// The kernel's extended error text (FreeBSD 15 EXTERROR) for the last
    /// system call that failed, if it gave one.
    fn exterror(&mut self) -> Option<String> {
        None
    }

    /// geteuid(2).
    fn geteuid(&mut self) -> u32;

    /// Take rjib's exclusive host lock, held until this value is dropped.
    fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()>;

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
pub use real::{FreeBsdSys, LOCK_DIR};

#[cfg(target_os = "freebsd")]
mod real {
    use std::ffi::{CStr, CString};
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::ptr::NonNull;

    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};
    use nix::syslog::Severity;

    use super::{IfaEntry, Sys};
    use crate::freebsd::abi::{
        EXTERRCTL_ENABLE, IfData, JAIL_DYING, P_OSREL_EXTERRCTL, SYS_EXTERRCTL, UEXTERROR_MAXLEN,
        UExtError, iocparm_len,
    };
    use crate::freebsd::exterr;
    use crate::host::{HostResult, Priority};
    use crate::net::{Errno, JailInfo};

    // FreeBSD's libc has these system calls; the libc crate does not
    // declare them.
    unsafe extern "C" {
        fn kldload(file: *const libc::c_char) -> libc::c_int;
        fn modfind(modname: *const libc::c_char) -> libc::c_int;
    }

    /// The lock every rjib `addm`, `destroy` and `prune` on this host
    /// takes: a directory only root can open (`crate::lock`).
    pub const LOCK_DIR: &str = "/var/run/rjib";

    /// FreeBSD 15's extended error buffer for this thread.
    #[derive(Clone, Copy, Debug, Default)]
    enum ExtErr {
        /// Not looked at yet.
        #[default]
        Untried,
        /// The kernel has none (FreeBSD 14), or refused it, or libc's is
        /// registered and this libc cannot read it.
        Off,
        /// rjib's own, registered with exterrctl(2) because none was;
        /// never freed.
        On(NonNull<UExtError>),
        /// libc's (a 15 libc registers one for the main thread at start-up),
        /// read with its uexterr_gettext(3).
        Libc(UexterrGettext),
    }

    /// uexterr_gettext(3): the text of the extended error of this thread's
    /// last system call, from the buffer libc registered.
    type UexterrGettext = unsafe extern "C" fn(*mut libc::c_char, libc::size_t) -> libc::c_int;

    // A weak reference to uexterr_gettext(3): 0 where the libc rjib is
    // linked with (statically) or runs with (dynamically) has none, as
    // FreeBSD 14's has not. A plain reference would not link against 14's
    // libc; dlsym(3) answers nothing in a static binary, whose libc 15
    // registers its buffer all the same. The address is kept in a data word
    // of its own, so that no compiler assumes a function's address is
    // never 0.
    core::arch::global_asm!(
        ".weak uexterr_gettext",
        ".pushsection .data.rjib_uexterr_gettext,\"aw\"",
        ".p2align 3",
        ".globl rjib_uexterr_gettext",
        ".hidden rjib_uexterr_gettext",
        "rjib_uexterr_gettext:",
        ".quad uexterr_gettext",
        ".popsection",
    );

    unsafe extern "C" {
        /// The address of uexterr_gettext(3), or 0 (see the assembly above).
        static rjib_uexterr_gettext: usize;
    }

    /// libc's uexterr_gettext(3), if it has one.
    fn libc_uexterr_gettext() -> Option<UexterrGettext> {
        // SAFETY: the word is defined above, 8 bytes, aligned, and written
        // only by the linker or the run-time linker (a relocation) before
        // main; the read is volatile so that it is not folded away.
        let addr = unsafe { core::ptr::read_volatile(&raw const rjib_uexterr_gettext) };
        if addr == 0 {
            return None;
        }
        // SAFETY: a non-zero word is the address of libc's
        // uexterr_gettext, whose C signature is `int uexterr_gettext(char
        // *, size_t)` (lib/libc/gen/uexterr_gettext.c).
        Some(unsafe { core::mem::transmute::<usize, UexterrGettext>(addr) })
    }

    /// The running FreeBSD kernel.
    #[derive(Default)]
    pub struct FreeBsdSys {
        sock: Option<OwnedFd>,
        lock: Option<crate::lock::Held>,
        syslog_open: bool,
        exterr: ExtErr,
        /// The extended error text of the last system call, if it failed
        /// with one.
        last_exterr: Option<String>,
    }

    impl FreeBsdSys {
        pub fn new() -> FreeBsdSys {
            FreeBsdSys::default()
        }

        /// The outcome of a system call that returns -1 on failure. A
        /// failure's errno comes with the kernel's extended error, copied
        /// out of the buffer before any other system call can overwrite it
        /// (the kernel rewrites it after every call, `exterr_copyout`).
        fn outcome(&mut self, r: libc::c_int) -> Result<libc::c_int, Errno> {
            if r >= 0 {
                self.last_exterr = None;
                return Ok(r);
            }
            let e = last_errno();
            self.last_exterr = match self.exterr {
                ExtErr::On(p) => {
                    // SAFETY: the pointer is to the registered buffer,
                    // which is never freed, and no reference to it exists;
                    // the read is volatile because the kernel writes it
                    // behind the compiler's back, and any bytes are a valid
                    // UExtError (integers and a byte array).
                    let ue = unsafe { p.as_ptr().read_volatile() };
                    exterr::text(&ue, e)
                }
                ExtErr::Libc(gettext) => {
                    let mut buf = [0u8; UEXTERROR_MAXLEN];
                    // SAFETY: libc's uexterr_gettext writes at most `len`
                    // bytes, NUL included, into the buffer it is given,
                    // which is that long and ours; it makes no system
                    // call, so libc's buffer still holds what the kernel
                    // wrote after the call that just failed.
                    let r = unsafe { gettext(buf.as_mut_ptr().cast(), buf.len()) };
                    (r == 0).then(|| exterr::libc_text(&buf)).flatten()
                }
                ExtErr::Untried | ExtErr::Off => None,
            };
            Err(e)
        }

        /// Find this thread's extended error buffer once, on a kernel that
        /// has exterrctl(2): `kern.osreldate` at least `P_OSREL_EXTERRCTL`,
        /// so FreeBSD 14 never sees the unknown system call. rjib never
        /// takes over a buffer someone registered (no EXTERRCTLF_FORCE): a
        /// 15 libc registers its own for the main thread at start-up
        /// (lib/libc/gen/uexterr_gettext.c `uexterr_ctr`), and exterrctl(2)
        /// then answers EXTERRCTL_ENABLE with EBUSY (sys_generic.c
        /// `sys_exterrctl`: "TDP2_UEXTERR set and no EXTERRCTLF_FORCE"); rjib
        /// then reads libc's with uexterr_gettext(3). Only where none is
        /// registered (a libc without it, FreeBSD 14's, running on 15) is
        /// rjib's own registered.
        fn exterr_register(&mut self) {
            if !matches!(self.exterr, ExtErr::Untried) {
                return;
            }
            self.exterr = ExtErr::Off;
            match self.sysctl_int("kern.osreldate") {
                Ok(Some(d)) if d >= P_OSREL_EXTERRCTL => {}
                _ => return,
            }
            // Once registered, the kernel writes to the buffer after every
            // later system call of this thread, and a write that faults is
            // a SIGSEGV: it must outlive the thread, so it is never freed.
            let buf = NonNull::from(Box::leak(Box::new(UExtError::new())));
            let enable = || {
                // SAFETY: exterrctl(2) reads the `ver` field of the buffer
                // and keeps its address for later writes of
                // size_of::<UExtError>() bytes; the buffer is that size,
                // writable and never freed once registered. The kernel has
                // the call (kern.osreldate above), and if it has not after
                // all, SIGSYS is ignored and the call fails with ENOSYS.
                let r = unsafe {
                    libc::syscall(
                        SYS_EXTERRCTL,
                        EXTERRCTL_ENABLE as libc::c_uint,
                        0 as libc::c_uint,
                        buf.as_ptr(),
                    )
                };
                if r == 0 { Ok(()) } else { Err(last_errno()) }
            };
            match sigsys_ignored(enable) {
                Some(Ok(())) => self.exterr = ExtErr::On(buf),
                failed => {
                    // SAFETY: the kernel refused the buffer, so it kept no
                    // pointer to it; it came from Box::leak above and
                    // nothing else refers to it.
                    drop(unsafe { Box::from_raw(buf.as_ptr()) });
                    if failed == Some(Err(Errno::EBUSY))
                        && let Some(gettext) = libc_uexterr_gettext()
                    {
                        self.exterr = ExtErr::Libc(gettext);
                    }
                }
            }
        }

        /// The datagram socket the interface ioctls go to, opened once.
        fn socket(&mut self) -> Result<i32, Errno> {
            if let Some(s) = &self.sock {
                return Ok(s.as_raw_fd());
            }
            let mut last = Errno(libc::EPROTONOSUPPORT);
            for domain in [AddressFamily::Unix, AddressFamily::Inet] {
                match socket(domain, SockType::Datagram, SockFlag::SOCK_CLOEXEC, None) {
                    Ok(owned) => {
                        let raw = owned.as_raw_fd();
                        self.sock = Some(owned);
                        return Ok(raw);
                    }
                    Err(e) => last = Errno(e as i32),
                }
            }
            Err(last)
        }
    }

    /// Run `f` with SIGSYS ignored, so that a system call the kernel does
    /// not have fails with ENOSYS instead of killing rjib (`nosys` sends
    /// SIGSYS); `None` if the disposition could not be changed.
    fn sigsys_ignored<T>(f: impl FnOnce() -> T) -> Option<T> {
        let ignore = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
        // SAFETY: SIG_IGN installs no handler, so no code of ours can run
        // in signal context.
        let old = unsafe { sigaction(Signal::SIGSYS, &ignore) }.ok()?;
        let r = f();
        // SAFETY: this puts back the disposition sigaction returned, which
        // was valid before.
        let _ = unsafe { sigaction(Signal::SIGSYS, &old) };
        Some(r)
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
            self.exterr_register();
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
            self.outcome(r).map(drop)
        }

        fn getifaddrs(&mut self) -> Result<Vec<IfaEntry>, Errno> {
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
                // SAFETY: a non-null sockaddr pointer from getifaddrs points
                // to a sockaddr of sa_len bytes, which starts with sa_len and
                // sa_family.
                let sockaddr = |sa: *const libc::sockaddr| unsafe {
                    std::slice::from_raw_parts(sa.cast::<u8>(), usize::from((*sa).sa_len)).to_vec()
                };
                let addr = sockaddr(ifa.ifa_addr);
                let family = i32::from(addr.get(1).copied().unwrap_or(0));
                if ![libc::AF_LINK, libc::AF_INET, libc::AF_INET6].contains(&family) {
                    continue;
                }
                let netmask = if ifa.ifa_netmask.is_null() {
                    Vec::new()
                } else {
                    sockaddr(ifa.ifa_netmask)
                };
                let data = if family != libc::AF_LINK || ifa.ifa_data.is_null() {
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
                out.push(IfaEntry {
                    name: name.to_bytes().to_vec(),
                    flags: ifa.ifa_flags,
                    addr,
                    netmask,
                    data,
                });
            }
            drop(list);
            Ok(out)
        }

        fn modfind(&mut self, module: &str) -> Result<bool, Errno> {
            let name = CString::new(module).map_err(|_| Errno::EINVAL)?;
            // SAFETY: modfind(2) reads the NUL-terminated name it is given.
            let r = unsafe { modfind(name.as_ptr()) };
            match self.outcome(r) {
                Ok(_) => Ok(true),
                Err(Errno::ENOENT) => Ok(false),
                Err(e) => Err(e),
            }
        }

        fn kldload(&mut self, file: &str) -> Result<(), Errno> {
            let name = CString::new(file).map_err(|_| Errno::EINVAL)?;
            self.exterr_register();
            // SAFETY: kldload(2) reads the NUL-terminated name it is given.
            let r = unsafe { kldload(name.as_ptr()) };
            self.outcome(r).map(drop)
        }

        fn sysctl_int(&mut self, name: &str) -> Result<Option<i64>, Errno> {
            let cname = CString::new(name).map_err(|_| Errno::EINVAL)?;
            let mut buf = [0u8; 8];
            let mut len: libc::size_t = buf.len();
            // SAFETY: sysctlbyname(3) writes at most `len` bytes to `buf`
            // and the size it wrote to `len`; it reads the NUL-terminated
            // name and no new value (NULL, 0).
            let r = unsafe {
                libc::sysctlbyname(
                    cname.as_ptr(),
                    buf.as_mut_ptr().cast(),
                    &mut len,
                    std::ptr::null(),
                    0,
                )
            };
            match self.outcome(r) {
                Ok(_) => {}
                Err(Errno::ENOENT) => return Ok(None),
                Err(e) => return Err(e),
            }
            // A bool sysctl is one byte, an int four, a long eight.
            Ok(Some(match len {
                1 => i64::from(buf[0]),
                2 => i64::from(i16::from_ne_bytes([buf[0], buf[1]])),
                4 => i64::from(i32::from_ne_bytes(buf[..4].try_into().expect("4 bytes"))),
                8 => i64::from_ne_bytes(buf),
                _ => return Err(Errno::EINVAL),
            }))
        }

        fn sysctl(&mut self, mib: &[i32], out: &mut [u8]) -> Result<usize, Errno> {
            let mut len: libc::size_t = out.len();
            let n = libc::c_uint::try_from(mib.len()).map_err(|_| Errno::EINVAL)?;
            // SAFETY: sysctl(3) reads `n` ints of `mib`, writes at most
            // `len` bytes into `out` (both ours, and that long) and the
            // length it wrote into `len`; no new value is given (NULL, 0).
            let r = unsafe {
                libc::sysctl(
                    mib.as_ptr(),
                    n,
                    out.as_mut_ptr().cast(),
                    &mut len,
                    std::ptr::null(),
                    0,
                )
            };
            self.outcome(r).map(|_| len.min(out.len()))
        }

        fn jail_by_name(&mut self, name: &str) -> Result<Option<JailInfo>, Errno> {
            let key = |s: &'static [u8]| libc::iovec {
                iov_base: s.as_ptr() as *mut libc::c_void,
                iov_len: s.len(),
            };
            let mut cname = CString::new(name)
                .map_err(|_| Errno::EINVAL)?
                .into_bytes_with_nul();
            let mut jid: libc::c_int = 0;
            let mut dying: libc::c_int = 0;
            let mut iov = [
                key(b"name\0"),
                libc::iovec {
                    iov_base: cname.as_mut_ptr().cast(),
                    iov_len: cname.len(),
                },
                key(b"jid\0"),
                libc::iovec {
                    iov_base: (&raw mut jid).cast(),
                    iov_len: size_of::<libc::c_int>(),
                },
                key(b"dying\0"),
                libc::iovec {
                    iov_base: (&raw mut dying).cast(),
                    iov_len: size_of::<libc::c_int>(),
                },
            ];
            // SAFETY: every iovec points to memory that lives across the
            // call: the parameter names are static, `cname` is read (the
            // key), and `jid`/`dying` are written, each its full size.
            let r = unsafe { libc::jail_get(iov.as_mut_ptr(), iov.len() as u32, JAIL_DYING) };
            match self.outcome(r) {
                Ok(_) => {}
                Err(Errno::ENOENT) => return Ok(None),
                Err(e) => return Err(e),
            }
            Ok(Some(JailInfo {
                jid,
                dying: dying != 0,
            }))
        }

        fn syslog(&mut self, priority: Priority, message: &str) {
            let severity = match priority {
                Priority::Notice => Severity::LOG_NOTICE,
                Priority::Warning => Severity::LOG_WARNING,
                Priority::Err => Severity::LOG_ERR,
            };
            if !self.syslog_open {
                // Not nix's openlog: on FreeBSD it hands openlog(3) a copy
                // of the ident on its own stack, and libc keeps that
                // pointer for every later syslog(3).
                // SAFETY: the ident is a static NUL-terminated string, as
                // openlog(3) keeps the pointer.
                unsafe { libc::openlog(c"rjib".as_ptr(), libc::LOG_PID, libc::LOG_DAEMON) };
                self.syslog_open = true;
            }
            // nix passes the message as the argument of a "%s" format. A
            // NUL could not be passed at all; logging never fails a command.
            let _ = nix::syslog::syslog(severity, message.replace('\0', "\\0").as_str());
        }

        fn exterror(&mut self) -> Option<String> {
            self.last_exterr.clone()
        }

        fn geteuid(&mut self) -> u32 {
            nix::unistd::geteuid().as_raw()
        }

        /// `/var/run/rjib`, a directory only root can open.
        fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
            if self.lock.is_some() {
                return Ok(());
            }
            let spec = crate::lock::Spec {
                dir: LOCK_DIR.into(),
            };
            let euid = self.geteuid();
            let held = crate::lock::acquire(&spec, euid, wait).map_err(|e| e.into_host_error())?;
            self.lock = Some(held);
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
