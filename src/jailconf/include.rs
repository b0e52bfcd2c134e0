//! Reading files and following `.include` (`config.c` `include_config`,
//! `parse_config`).
//!
//! - A relative pattern is taken relative to the directory of the file
//!   that holds the `.include`, as that file was named (`jail -f jail.conf`
//!   names no directory, so its includes are relative to the current one).
//! - A pattern with glob characters (`*`, `?`, `[…]`) reads every match in
//!   sorted order, and none is fine; one without must name a readable file.
//! - Each file is parsed on its own: its blocks must close in it.
//! - jail(8) stops at 32 nested includes ("maximum include depth
//!   exceeded"); this reader also stops as soon as a file would include
//!   itself again, naming the chain.

use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::parser::{self, Raw};
use super::{Error, Loc, glob};

/// jail(8)'s limit on nested `.include`s (`config.c` `MAX_INCLUDE_DEPTH`).
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// One load: the parsed blocks and the files being read.
#[derive(Default)]
pub struct Session {
    pub raw: Raw,
    files: Vec<PathBuf>,
    /// The files being read, outermost first: (identity, name as given).
    stack: Vec<(PathBuf, PathBuf)>,
}

impl Session {
    /// Reads and parses `path`. `current` is the enclosing block of the
    /// `.include` at `from`, if it came from one.
    pub fn load_file(
        &mut self,
        path: &Path,
        current: Option<usize>,
        from: Option<&Loc>,
    ) -> Result<(), Error> {
        let identity = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let (Some(loc), Some(_)) = (from, self.stack.iter().find(|(id, _)| *id == identity)) {
            let mut chain: Vec<PathBuf> = self.stack.iter().map(|(_, p)| p.clone()).collect();
            chain.push(path.to_path_buf());
            return Err(Error::IncludeLoop {
                loc: loc.clone(),
                chain,
            });
        }
        let bytes = fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            included_at: from.cloned(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        self.stack.push((identity, path.to_path_buf()));
        self.files.push(path.to_path_buf());
        let parsed = parser::parse(self, &text, path, current);
        self.stack.pop();
        parsed
    }

    /// Parses `text` as the file `file` (not read from disk).
    pub fn load_text(&mut self, text: &str, file: &Path) -> Result<(), Error> {
        let identity = fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        self.stack.push((identity, file.to_path_buf()));
        self.files.push(file.to_path_buf());
        let parsed = parser::parse(self, text, file, None);
        self.stack.pop();
        parsed
    }

    /// The blocks parsed and the files read, in reading order.
    pub fn finish(self) -> (Raw, Vec<PathBuf>) {
        (self.raw, self.files)
    }
}

impl parser::Sink for Session {
    fn raw(&mut self) -> &mut Raw {
        &mut self.raw
    }

    /// `.include "pattern";` written in `including` at `loc`.
    fn include(
        &mut self,
        pattern: &str,
        including: &Path,
        current: Option<usize>,
        loc: &Loc,
    ) -> Result<(), Error> {
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            return Err(Error::IncludeDepth { loc: loc.clone() });
        }
        let full = resolve(pattern, including);
        if glob::has_magic(&full) {
            for path in glob::glob(&full) {
                self.load_file(&path, current, Some(loc))?;
            }
            Ok(())
        } else {
            self.load_file(Path::new(&full), current, Some(loc))
        }
    }
}

/// A relative `pattern` put after the directory part of `including`'s
/// name, up to its last `/` (none: left as it is).
fn resolve(pattern: &str, including: &Path) -> String {
    if pattern.starts_with('/') {
        return pattern.to_string();
    }
    let name = including.as_os_str().as_bytes();
    match name.iter().rposition(|b| *b == b'/') {
        Some(slash) => {
            let mut full = name[..=slash].to_vec();
            full.extend_from_slice(pattern.as_bytes());
            OsString::from_vec(full).to_string_lossy().into_owned()
        }
        None => pattern.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;
    use std::path::Path;

    #[test]
    fn relative_to_the_including_files_directory() {
        assert_eq!(
            resolve("a.conf", Path::new("/etc/jail.conf")),
            "/etc/a.conf"
        );
        assert_eq!(resolve("d/*.conf", Path::new("x/jail.conf")), "x/d/*.conf");
        assert_eq!(resolve("a.conf", Path::new("jail.conf")), "a.conf");
        assert_eq!(resolve("/abs", Path::new("/etc/jail.conf")), "/abs");
    }
}
