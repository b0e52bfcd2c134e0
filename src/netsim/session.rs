//! One process's use of a simulated host file: the simulated kernel read
//! from it, the lock, and the write-back. Shared by the direct simulated
//! host and the ioctl emulator, so both read, lock and write alike.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::file;
use super::model::Kernel;
use crate::host::{HostError, HostResult};

pub struct SimFile {
    path: PathBuf,
    pub kernel: Kernel,
    lock: Option<File>,
}

fn file_error(path: &Path, why: String) -> HostError {
    HostError::other(None, format!("simulated host {}", path.display()), why)
}

/// Load `path` into a simulated kernel.
fn load(path: &Path) -> HostResult<Kernel> {
    let state = file::load(path).map_err(|e| file_error(path, e))?;
    super::validate::check(&state)
        .map_err(|e| file_error(path, format!("malformed host file: {e}")))?;
    Kernel::new(state).map_err(|e| file_error(path, format!("malformed host file: {e}")))
}

impl SimFile {
    pub fn open(path: PathBuf) -> HostResult<SimFile> {
        let kernel = load(&path)?;
        Ok(SimFile {
            path,
            kernel,
            lock: None,
        })
    }

    /// Take the lock beside the file, then read the host again: what was
    /// read before the lock may be stale.
    pub fn lock(&mut self) -> HostResult<()> {
        if self.lock.is_none() {
            let f = file::lock(&self.path).map_err(|e| HostError::other(None, "lock", e))?;
            self.lock = Some(f);
            self.kernel = load(&self.path)?;
        }
        Ok(())
    }

    /// Deliver the signals injected faults asked for, to this process, as
    /// if someone had sent them at this moment.
    pub fn deliver_signals(&mut self) {
        for s in self.kernel.take_signals() {
            // raise(3) fails only for an invalid signal number.
            let _ = signal_hook::low_level::raise(s.number());
        }
    }

    /// Write the host back (whole-file replace) if anything changed.
    pub fn commit(&mut self) -> HostResult<()> {
        if self.kernel.dirty {
            file::store(&self.path, &self.kernel.state).map_err(|e| file_error(&self.path, e))?;
            self.kernel.dirty = false;
        }
        Ok(())
    }
}
