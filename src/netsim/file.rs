//! The simulated host's file: read, whole-file replace, and the lock.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::state::State;

/// The newest format version; rjib reads 1 and 2, and writes back the
/// version it read.
pub const VERSION: u32 = 2;

/// Read and check a host file. Errors are one line, without the path.
pub fn load(path: &Path) -> Result<State, String> {
    let text = fs::read_to_string(path).map_err(|e| crate::util::io_reason(&e))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not a JSON host file: {e}"))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if (1..=u64::from(VERSION)).contains(&v) => {}
        Some(v) => {
            return Err(format!(
                "host file version {v} is not supported (rjib reads versions 1 to {VERSION})"
            ));
        }
        None => return Err("host file has no \"version\"".to_string()),
    }
    let state: State =
        serde_json::from_value(value).map_err(|e| format!("malformed host file: {e}"))?;
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
