//! The simulated host's file: read, whole-file replace, and the lock.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::model::State;

/// The format versions rjib reads (netsim-state.md): version 2 adds
/// fields and reads a version 1 file with their defaults. A file keeps the
/// version it was read with.
pub const VERSIONS: [u64; 2] = [1, 2];

/// Read and check a host file. Errors are one line, without the path.
pub fn load(path: &Path) -> Result<State, String> {
    let text = fs::read_to_string(path).map_err(|e| crate::util::io_reason(&e))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not a JSON host file: {e}"))?;
    match value.get("version") {
        None => return Err("host file has no \"version\"".to_string()),
        Some(v) => match v.as_u64() {
            Some(n) if VERSIONS.contains(&n) => {}
            Some(n) => {
                return Err(format!(
                    "host file version {n} is not supported (rjib reads versions 1 and 2)"
                ));
            }
            None => {
                return Err(format!("\"version\" must be the number 1 or 2, not {v}"));
            }
        },
    }
    let state: State =
        serde_json::from_value(value).map_err(|e| format!("malformed host file: {e}"))?;
    let mut names: Vec<&str> = state.interfaces.iter().map(|i| i.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "malformed host file: interface {} is listed twice",
            w[0]
        ));
    }
    Ok(state)
}

/// Replace the file with `state` so that a reader sees either the old or the
/// new file, never a part: write a temporary file beside it, then rename.
pub fn store(path: &Path, state: &State) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(state).map_err(|e| e.to_string())?;
    text.push('\n');
    let tmp = sibling(path, &format!(".tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        crate::util::io_reason(&e)
    })
}

/// `path` with `suffix` appended to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The lock file beside a host file: the host file itself is replaced on
/// every write, so a lock on it would not be held by the next reader.
pub fn lock_path(path: &Path) -> PathBuf {
    sibling(path, ".lock")
}

/// Take the exclusive lock on `path`'s lock file; held until the returned
/// file is dropped.
pub fn lock(path: &Path) -> Result<File, String> {
    let lp = lock_path(path);
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lp)
        .map_err(|e| format!("{}: {}", lp.display(), crate::util::io_reason(&e)))?;
    f.lock()
        .map_err(|e| format!("{}: {}", lp.display(), crate::util::io_reason(&e)))?;
    Ok(f)
}
