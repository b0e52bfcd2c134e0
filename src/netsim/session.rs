//! One process's use of a simulated host file: the simulated kernel read
//! from it, the lock, and the write-back. Shared by the direct simulated
//! host and the ioctl emulator, so both read, lock and write alike.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::file;
use super::model::Kernel;
use super::state::State;
use crate::host::{HostError, HostResult};

pub struct SimFile {
    /// The path as given (`RJIB_NETSIM`), for messages.
    path: PathBuf,
    /// The file it names, symlinks resolved: what is read, locked and
    /// replaced.
    real: PathBuf,
    pub kernel: Kernel,
    /// How many syslog records the host had when it was read.
    log_at_load: usize,
    /// The host as read under the lock: a run that ends with the host as
    /// it started writes nothing.
    loaded: Option<State>,
    lock: Option<crate::lock::Held>,
    /// The temporary file the next host is written to (created under the
    /// lock; removed if there is nothing to write).
    tmp: Option<File>,
}

fn log_len(k: &Kernel) -> usize {
    k.state.log.as_ref().map_or(0, Vec::len)
}

fn file_error(path: &Path, why: String) -> HostError {
    HostError::other(None, format!("simulated host {}", path.display()), why)
}

/// Load `real` (named `path` in messages) into a simulated kernel.
fn load(path: &Path, real: &Path) -> HostResult<Kernel> {
    let state = file::load(real).map_err(|e| file_error(path, e))?;
    super::validate::check(&state)
        .map_err(|e| file_error(path, format!("malformed host file: {e}")))?;
    Kernel::new(state).map_err(|e| file_error(path, format!("malformed host file: {e}")))
}

impl SimFile {
    pub fn open(path: PathBuf) -> HostResult<SimFile> {
        let real = file::resolve(&path).map_err(|e| file_error(&path, e))?;
        let kernel = load(&path, &real)?;
        Ok(SimFile {
            path,
            real,
            log_at_load: log_len(&kernel),
            kernel,
            loaded: None,
            lock: None,
            tmp: None,
        })
    }

    /// Take the lock beside the file, make sure the host can be written
    /// back (the file is not read-only, the directory takes the temporary
    /// file), then read the host again: what was read before the lock may
    /// be stale. All of it before anything changes.
    pub fn lock(&mut self, wait: &mut crate::host::LockWait<'_>) -> HostResult<()> {
        if self.lock.is_none() {
            let spec = crate::lock::Spec {
                dir: file::lock_path(&self.real),
            };
            // The directory is the real process's, whatever euid the
            // simulated host plays.
            let euid = nix::unistd::geteuid().as_raw();
            let f = crate::lock::acquire(&spec, euid, wait).map_err(|e| e.into_host_error())?;
            // A host that cannot be written back is not locked for a change
            // (and then records no syslog records either).
            file::check_writable(&self.real).map_err(|e| file_error(&self.path, e))?;
            let tmp = file::create_tmp(&self.real).map_err(|e| file_error(&self.path, e))?;
            self.lock = Some(f);
            self.tmp = Some(tmp);
            let fresh = load(&self.path, &self.real)?;
            let before = std::mem::replace(&mut self.kernel, fresh).state;
            // The copy to compare with at the end: the host read before the
            // lock is almost always the same, and comparing costs less than
            // copying (a third of it, on 1000 jails).
            self.loaded = Some(if before == self.kernel.state {
                before
            } else {
                self.kernel.state.clone()
            });
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

    /// Write the host back (whole-file replace) if it differs from what was
    /// read: a run whose undo put everything back leaves the file as it
    /// was, byte for byte, however it was formatted.
    pub fn commit(&mut self) -> HostResult<()> {
        if !self.kernel.dirty && !self.kernel.logged {
            return Ok(());
        }
        if self.lock.is_none() && !self.kernel.dirty {
            // Only syslog records (a refusal before the lock): add them to
            // the host as it is now, under the lock.
            let new: Vec<_> = self
                .kernel
                .state
                .log
                .iter()
                .flatten()
                .skip(self.log_at_load)
                .cloned()
                .collect();
            // If another rjib holds the lock (this one gave up waiting for
            // it), the records cannot be kept: the simulation's one
            // difference from syslog(3), which needs no lock.
            let holder = format!("{} rjib (syslog records)", std::process::id());
            self.lock(&mut crate::host::LockWait {
                holder: &holder,
                timeout: std::time::Duration::ZERO,
                stop: &crate::signals::Never,
                notice: &mut |_| {},
            })?;
            for r in new {
                self.kernel.syslog(&r.priority, &r.message);
            }
        }
        self.kernel.logged = false;
        self.kernel.dirty = false;
        let state = &mut self.kernel.state;
        if state.version < 3 && state.needs_v3() {
            state.version = 3;
        }
        if self.loaded.as_ref() == Some(&self.kernel.state) {
            return Ok(());
        }
        let tmp = match self.tmp.take() {
            Some(f) => f,
            None => file::create_tmp(&self.real).map_err(|e| file_error(&self.path, e))?,
        };
        file::replace(&self.real, tmp, &self.kernel.state)
            .map_err(|e| file_error(&self.path, e))?;
        // What is on file now is no longer what was read: a later commit
        // writes whenever something changed (no copy kept for one).
        self.loaded = None;
        Ok(())
    }
}

impl Drop for SimFile {
    /// A temporary file that was not needed goes (while the lock, a later
    /// field, is still held).
    fn drop(&mut self) {
        if self.tmp.take().is_some() {
            let _ = std::fs::remove_file(file::tmp_path(&self.real));
        }
    }
}
