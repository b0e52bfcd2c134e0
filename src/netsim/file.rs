//! The simulated host's file: read, whole-file replace, and the lock.
//!
//! Replacing is what an administrator's editor does, and keeps what the
//! administrator set: a symlink stays a symlink (its target is replaced),
//! the file keeps its mode (and, where the system allows, its owner), and
//! a read-only file is refused before anything changes. Errors are one
//! line, without the host file's path (the caller adds it).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::state::State;
use crate::util::io_reason;

/// The format versions rjib reads (netsim-state.md): versions 2 and 3 add
/// fields and read an older file with their defaults. A file keeps the
/// version it was read with, unless rjib writes what only a later version
/// has into it (`State::needs_v3`): then it becomes that version, so that
/// an rjib that reads only older ones refuses it instead of ignoring it.
pub const VERSIONS: [u64; 3] = [1, 2, 3];

/// The largest host file rjib reads: 64 MiB, some 100,000 jails in
/// rjib's own formatting. Anything larger is refused at once, and so is
/// anything but a regular file (a directory, /dev/zero, a FIFO), so a path
/// like /dev/zero fails fast instead of filling memory or waiting forever.
pub const MAX_BYTES: u64 = 64 << 20;

/// The file's bytes, at most `MAX_BYTES` of them, from a regular file only.
fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    crate::util::read_regular(path, MAX_BYTES).map_err(|e| e.to_string())
}

/// Read and check a host file.
pub fn load(path: &Path) -> Result<State, String> {
    /// The one field judged before the rest: read without building the
    /// whole document as a `Value` (a large host is mostly interfaces).
    #[derive(serde::Deserialize)]
    struct Head {
        version: Option<serde_json::Value>,
    }
    let bytes = read_capped(path)?;
    let head: Head =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a JSON host file: {e}"))?;
    match head.version {
        None => return Err("host file has no \"version\"".to_string()),
        Some(v) => match v.as_u64() {
            Some(n) if VERSIONS.contains(&n) => {}
            Some(n) => {
                return Err(format!(
                    "host file version {n} is not supported (rjib reads versions 1, 2 and 3)"
                ));
            }
            None => return Err(format!("\"version\" must be the number 1, 2 or 3, not {v}")),
        },
    }
    let state: State =
        serde_json::from_slice(&bytes).map_err(|e| format!("malformed host file: {e}"))?;
    // Everything else is checked by `super::validate`.
    Ok(state)
}

/// The file `path` names, every symlink resolved: what is read, locked
/// and replaced, so that the symlink itself stays as it is and two paths
/// to one file share one lock.
pub fn resolve(path: &Path) -> Result<PathBuf, String> {
    fs::canonicalize(path).map_err(|e| io_reason(&e))
}

/// `path` with `suffix` appended to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The lock directory beside a host file (it stands for `/var/run/rjib`):
/// the host file itself is replaced on every write, so a lock on it would
/// not be held by the next reader.
pub fn lock_path(real: &Path) -> PathBuf {
    sibling(real, ".lock")
}

/// The file a new host is written to before it replaces the old one.
///
/// Its name is fixed, not per process: only the holder of the lock writes
/// it, so one name is enough, and a run killed while writing leaves one
/// file that the next changing run removes and creates anew (and removes
/// when it has nothing to write), where a name per process would leave a
/// new truncated copy of the host behind for every kill.
pub fn tmp_path(real: &Path) -> PathBuf {
    sibling(real, ".tmp")
}

/// Why `file` (the lock or the temporary file, beside the host file)
/// could not be opened: when it does not exist and the reason is a
/// permission, the directory is what refused.
fn beside_error(file: &Path, e: &io::Error) -> String {
    let dir_refused = matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    ) && !file.exists();
    match (dir_refused, file.parent(), file.file_name()) {
        (true, Some(dir), Some(name)) => format!(
            "directory {} is not writable ({}): rjib creates {} there",
            dir.display(),
            io_reason(e),
            name.to_string_lossy()
        ),
        _ => format!("{}: {}", file.display(), io_reason(e)),
    }
}

/// Refuse a host file that is read-only, before anything changes.
///
/// A file without any write permission (mode 0444, 0400) is one its owner
/// has frozen: a fixture, a snapshot to compare with. rjib could replace
/// it anyway (that needs only the directory), and as root it could even
/// write it, but silently changing a file marked read-only is not what
/// its owner asked for; so addm and destroy refuse it, even when they
/// would change nothing, and say how to allow it. `show` and `-n` only
/// read, and work on it.
pub fn check_writable(real: &Path) -> Result<(), String> {
    let meta = fs::metadata(real).map_err(|e| io_reason(&e))?;
    if meta.permissions().readonly() {
        return Err(format!(
            "the file is read-only (mode {:04o}); rjib changes no read-only host file (chmod u+w to allow it)",
            meta.permissions().mode() & 0o7777
        ));
    }
    Ok(())
}

/// Create the temporary file beside `real`, a new one: a file or a
/// symbolic link at its name (a file a killed run left, a link someone put
/// there) is removed, not written through, and the file is created
/// exclusively (`O_EXCL`, which follows no link). A directory there is
/// not rjib's to remove: refused, with the path. Called under the lock and
/// before anything changes, so that a directory that cannot take it is
/// found before there is anything to lose.
pub fn create_tmp(real: &Path) -> Result<File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = tmp_path(real);
    if fs::symlink_metadata(&tmp).is_ok_and(|m| m.is_dir()) {
        return Err(format!(
            "{}: is a directory, not rjib's temporary file, and rjib removes no directory; \
             move it away and run again",
            crate::util::sh_quote(&tmp.to_string_lossy())
        ));
    }
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(beside_error(&tmp, &e)),
    }
    OpenOptions::new()
        .create_new(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)
        .map_err(|e| beside_error(&tmp, &e))
}

/// Replace `real` with `state` so that a reader sees either the old or the
/// new file, never a part: write `tmp` (from `create_tmp`), give it the
/// old file's mode and owner, then rename it over `real`.
pub fn replace(real: &Path, mut tmp: File, state: &State) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(state).map_err(|e| e.to_string())?;
    text.push('\n');
    let tmp_name = tmp_path(real);
    let mut write = || -> io::Result<()> {
        let old = fs::metadata(real)?;
        tmp.set_len(0)?;
        tmp.write_all(text.as_bytes())?;
        tmp.set_permissions(old.permissions())?;
        // Only root may give a file to another owner; otherwise the new
        // file is the caller's, which it was in the usual case anyway.
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(&tmp, Some(old.uid()), Some(old.gid()));
        }
        tmp.sync_all()?;
        fs::rename(&tmp_name, real)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp_name);
        io_reason(&e)
    })
}
