//! Which files `check` reads, and reading them.
//!
//! rc.conf: the `-r` files in order; by default the files `/etc/rc`
//! sources for rc.d/netif and rc.d/jail: `/etc/defaults/rc.conf`,
//! `/etc/rc.conf`, `/etc/rc.conf.local`, then `/etc/rc.conf.d/netif` and
//! `/etc/rc.conf.d/jail` (a file, or every file in such a directory),
//! each skipped when absent.
//!
//! jail.conf: each `-f` file, read on its own as `jail -f FILE` reads it.
//! By default, the file rc.d/jail runs jail(8) on (`jail_conf` in
//! rc.conf, else `/etc/jail.conf`), then every `/etc/jail.conf.d/*.conf`
//! it does not `.include`, each on its own, as rc.d/jail reads
//! `/etc/jail.conf.d/NAME.conf` for a NAME in `jail_list`.
//!
//! Every file is read through one [`Reader`]: regular files only (a
//! directory, a device such as /dev/zero or a FIFO is refused without
//! waiting on it), at most [`MAX_FILE_BYTES`] each and [`MAX_TOTAL_BYTES`]
//! and [`MAX_FILES`] reads in all, so that no file and no `.include` tree
//! can make `check` read without end.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::rcconf::RcConf;
use super::sysctlconf::SysctlConf;
use crate::jailconf::{self, Jail, SyntaxError, show_path};

/// The largest file `check` reads.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The most bytes `check` reads from all its files together.
pub const MAX_TOTAL_BYTES: u64 = 256 << 20;

/// The most files `check` reads (a file `.include`d twice counts twice).
pub const MAX_FILES: usize = 100_000;

/// The one way `check` reads a file: jail.conf and its includes, rc.conf
/// and its companions, and any file a check adds.
#[derive(Debug, Default)]
pub struct Reader {
    bytes: u64,
    files: usize,
}

impl Reader {
    /// The bytes of the regular file `path`, within the limits. Errors are
    /// `io::Error`s whose message is the reason (`not a regular file`,
    /// `larger than 64 MiB, the most rjib reads`, …).
    pub fn read(&mut self, path: &Path) -> io::Result<Vec<u8>> {
        if self.files >= MAX_FILES {
            return Err(io::Error::other(format!(
                "more than {MAX_FILES} files read, the most rjib check reads"
            )));
        }
        let left = MAX_TOTAL_BYTES - self.bytes;
        let bytes =
            crate::util::read_regular(path, MAX_FILE_BYTES.min(left)).map_err(|e| match e {
                crate::util::ReadError::TooLarge(_) if left < MAX_FILE_BYTES => {
                    io::Error::other(format!(
                        "more than {} MiB read from all files, the most rjib check reads",
                        MAX_TOTAL_BYTES >> 20
                    ))
                }
                e => io::Error::from(e),
            })?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        Ok(bytes)
    }
}

/// Why the files cannot be checked (exit status 2).
#[derive(Debug)]
pub enum Error {
    JailConf(jailconf::Error),
    RcSyntax(SyntaxError),
    Read(PathBuf, std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::JailConf(e) => e.fmt(f),
            Error::RcSyntax(e) => e.fmt(f),
            Error::Read(p, e) => write!(f, "{}: {}", show_path(p), crate::util::io_reason(e)),
        }
    }
}

/// The default rc.conf files, in the order `/etc/rc` reads them.
fn default_rc_files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = [
        "/etc/defaults/rc.conf",
        "/etc/rc.conf",
        "/etc/rc.conf.local",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    for name in ["netif", "jail"] {
        let p = Path::new("/etc/rc.conf.d").join(name);
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                .unwrap_or_default();
            inside.retain(|f| f.is_file());
            inside.sort();
            out.extend(inside);
        } else {
            out.push(p);
        }
    }
    out
}

/// The default sysctl.conf files, in the order rc.d/sysctl reads them.
const DEFAULT_SYSCTL_FILES: [&str; 2] = ["/etc/sysctl.conf", "/etc/sysctl.conf.local"];

/// The sysctl files boot applies, in order: for each word of `kld_list`
/// that loads if_bridge, `/etc/sysctl.kld.d/WORD.conf`, which rc.subr's
/// `load_kld` applies with `sysctl -f` right after rc.d/kld loads the
/// module (freebsd/freebsd-src 02274513, `libexec/rc/rc.subr`); then
/// sysctl.conf(5), which rc.d/sysctl_lastload applies later.
fn default_sysctl_files(rc: &RcConf) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for word in rc.value("kld_list").unwrap_or_default().split_whitespace() {
        if super::boot::is_if_bridge(word) {
            out.push(PathBuf::from(format!("/etc/sysctl.kld.d/{word}.conf")));
        }
    }
    out.extend(DEFAULT_SYSCTL_FILES.iter().map(PathBuf::from));
    out
}

/// Reads the sysctl.conf files: `given`, or the defaults for `rc` (absent
/// ones skipped).
pub fn read_sysctl(
    given: &[PathBuf],
    rc: &RcConf,
    reader: &mut Reader,
) -> Result<SysctlConf, Error> {
    let (files, required) = if given.is_empty() {
        (default_sysctl_files(rc), false)
    } else {
        (given.to_vec(), true)
    };
    let mut conf = SysctlConf::default();
    for f in files {
        match reader.read(&f) {
            Ok(bytes) => conf.read_bytes(&bytes, &f),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Read(f, e)),
        }
    }
    Ok(conf)
}

/// Reads the rc.conf files: `given`, or the defaults (absent ones skipped).
pub fn read_rc(given: &[PathBuf], reader: &mut Reader) -> Result<RcConf, Error> {
    let (files, required) = if given.is_empty() {
        (default_rc_files(), false)
    } else {
        (given.to_vec(), true)
    };
    let mut rc = RcConf::default();
    for f in files {
        match reader.read(&f) {
            Ok(bytes) => rc.read_bytes(&bytes, &f).map_err(Error::RcSyntax)?,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Read(f, e)),
        }
    }
    Ok(rc)
}

/// Every jail.conf file read in reading order, and where jail(8) stops
/// reading one early.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<PathBuf>,
    pub stops: Vec<jailconf::Stop>,
}

impl Loaded {
    fn add(&mut self, read: jailconf::Read) {
        self.files.extend(read.files);
        self.stops.extend(read.stops);
    }

    fn has(&self, path: &Path) -> bool {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let want = canon(path);
        self.files.iter().any(|f| canon(f) == want)
    }
}

/// Reads the jail.conf files: `given`, each on its own, or rc.d/jail's;
/// each jail is handed to `each` as soon as it is computed.
pub fn read_jail_confs(
    given: &[PathBuf],
    rc: &RcConf,
    reader: &mut Reader,
    each: &mut dyn FnMut(Jail),
) -> Result<Loaded, Error> {
    let mut loaded = Loaded::default();
    let mut load = |f: &Path, each: &mut dyn FnMut(Jail)| {
        jailconf::load_each(&[f.to_path_buf()], &mut |p| reader.read(p), each)
    };
    if !given.is_empty() {
        for f in given {
            loaded.add(load(f, each).map_err(Error::JailConf)?);
        }
        return Ok(loaded);
    }
    let main = PathBuf::from(rc.value("jail_conf").unwrap_or("/etc/jail.conf"));
    let main_missing = match load(&main, each) {
        Ok(read) => {
            loaded.add(read);
            None
        }
        Err(jailconf::Error::Read {
            included_at: None,
            source,
            ..
        }) if source.kind() == std::io::ErrorKind::NotFound => Some(source),
        Err(e) => return Err(Error::JailConf(e)),
    };
    let mut any = main_missing.is_none();
    for f in jailconf::glob::glob(b"/etc/jail.conf.d/*.conf") {
        if !loaded.has(&f) {
            loaded.add(load(&f, each).map_err(Error::JailConf)?);
            any = true;
        }
    }
    match main_missing {
        Some(source) if !any => Err(Error::Read(main, source)),
        _ => Ok(loaded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limits in all: the files together, and the number of reads.
    #[test]
    fn the_reader_counts_bytes_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"x = 1;\n").unwrap();
        let mut r = Reader::default();
        assert_eq!(r.read(&f).unwrap(), b"x = 1;\n");
        r.bytes = MAX_TOTAL_BYTES - 3;
        let e = r.read(&f).unwrap_err();
        assert_eq!(
            e.to_string(),
            "more than 256 MiB read from all files, the most rjib check reads"
        );
        let mut r = Reader {
            bytes: 0,
            files: MAX_FILES,
        };
        assert!(
            r.read(&f)
                .unwrap_err()
                .to_string()
                .contains("more than 100000 files")
        );
        let e = Reader::default().read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file");
    }
}
