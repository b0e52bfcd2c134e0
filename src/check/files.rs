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

use std::fmt;
use std::path::{Path, PathBuf};

use super::rcconf::RcConf;
use super::sysctlconf::SysctlConf;
use crate::jailconf::{self, Jail, SyntaxError};

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
            Error::Read(p, e) => write!(f, "{}: {}", p.display(), crate::util::io_reason(e)),
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

/// The bytes of one file `check` reads (rc.conf, sysctl.conf): every such
/// file is read through here.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// The default sysctl.conf files, in the order rc.d/sysctl reads them.
const DEFAULT_SYSCTL_FILES: [&str; 2] = ["/etc/sysctl.conf", "/etc/sysctl.conf.local"];

/// Reads the sysctl.conf files: `given`, or the defaults (absent ones
/// skipped).
pub fn read_sysctl(given: &[PathBuf]) -> Result<SysctlConf, Error> {
    let (files, required) = if given.is_empty() {
        (
            DEFAULT_SYSCTL_FILES.iter().map(PathBuf::from).collect(),
            false,
        )
    } else {
        (given.to_vec(), true)
    };
    let mut conf = SysctlConf::default();
    for f in files {
        match read_file(&f) {
            Ok(bytes) => conf.read_str(&String::from_utf8_lossy(&bytes), &f),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Read(f, e)),
        }
    }
    Ok(conf)
}

/// Reads the rc.conf files: `given`, or the defaults (absent ones skipped).
pub fn read_rc(given: &[PathBuf]) -> Result<RcConf, Error> {
    let (files, required) = if given.is_empty() {
        (default_rc_files(), false)
    } else {
        (given.to_vec(), true)
    };
    let mut rc = RcConf::default();
    for f in files {
        match read_file(&f) {
            Ok(bytes) => rc
                .read_str(&String::from_utf8_lossy(&bytes), &f)
                .map_err(Error::RcSyntax)?,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Read(f, e)),
        }
    }
    Ok(rc)
}

/// The jails of every jail.conf, and every file read in reading order.
#[derive(Debug, Default)]
pub struct Loaded {
    pub jails: Vec<Jail>,
    pub files: Vec<PathBuf>,
}

impl Loaded {
    fn add(&mut self, config: jailconf::Config) {
        self.jails.extend(config.jails);
        self.files.extend(config.files);
    }

    fn has(&self, path: &Path) -> bool {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let want = canon(path);
        self.files.iter().any(|f| canon(f) == want)
    }
}

/// Reads the jail.conf files: `given`, each on its own, or rc.d/jail's.
pub fn read_jail_confs(given: &[PathBuf], rc: &RcConf) -> Result<Loaded, Error> {
    let mut loaded = Loaded::default();
    if !given.is_empty() {
        for f in given {
            loaded.add(jailconf::load(f).map_err(Error::JailConf)?);
        }
        return Ok(loaded);
    }
    let main = PathBuf::from(rc.value("jail_conf").unwrap_or("/etc/jail.conf"));
    let main_missing = match jailconf::load(&main) {
        Ok(c) => {
            loaded.add(c);
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
    for f in jailconf::glob::glob("/etc/jail.conf.d/*.conf") {
        if !loaded.has(&f) {
            loaded.add(jailconf::load(&f).map_err(Error::JailConf)?);
            any = true;
        }
    }
    match main_missing {
        Some(source) if !any => Err(Error::Read(main, source)),
        _ => Ok(loaded),
    }
}
