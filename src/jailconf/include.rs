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
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::parser::{self, Raw};
use super::{Error, Loc, Stop, glob};

/// jail(8)'s limit on nested `.include`s (`config.c` `MAX_INCLUDE_DEPTH`).
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// What a load read, besides the jails.
#[derive(Debug, Default)]
pub struct Read {
    /// Every file read, in reading order.
    pub files: Vec<PathBuf>,
    /// Where jail(8) stops reading a file early.
    pub stops: Vec<Stop>,
}

/// How a load reads a file: its bytes, or why not.
pub type Reader<'r> = dyn FnMut(&Path) -> io::Result<Vec<u8>> + 'r;

/// One load: the parsed blocks and the files being read.
pub struct Session<'r> {
    raw: Raw,
    files: Vec<PathBuf>,
    /// The files being read, outermost first: (identity, name as given).
    stack: Vec<(PathBuf, PathBuf)>,
    read: &'r mut Reader<'r>,
}

impl<'r> Session<'r> {
    pub fn new(read: &'r mut Reader<'r>) -> Session<'r> {
        Session {
            raw: Raw::default(),
            files: Vec::new(),
            stack: Vec::new(),
            read,
        }
    }

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
        let bytes = (self.read)(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            included_at: from.cloned(),
            source,
        })?;
        self.parse_bytes(&bytes, path, identity, current)
    }

    /// Parses `text` as the file `file` (not read from disk).
    pub fn load_text(&mut self, text: &[u8], file: &Path) -> Result<(), Error> {
        let identity = fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        self.parse_bytes(text, file, identity, None)
    }

    fn parse_bytes(
        &mut self,
        text: &[u8],
        file: &Path,
        identity: PathBuf,
        current: Option<usize>,
    ) -> Result<(), Error> {
        self.stack.push((identity, file.to_path_buf()));
        self.files.push(file.to_path_buf());
        let parsed = parser::parse(self, text, Arc::from(file), current);
        self.stack.pop();
        parsed
    }

    /// The blocks parsed and the files read, in reading order.
    pub fn finish(self) -> (Raw, Vec<PathBuf>) {
        (self.raw, self.files)
    }
}

impl parser::Sink for Session<'_> {
    fn raw(&mut self) -> &mut Raw {
        &mut self.raw
    }

    /// `.include "pattern";` written in `including` at `loc`.
    fn include(
        &mut self,
        pattern: &[u8],
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
            let path = PathBuf::from(OsString::from_vec(full));
            self.load_file(&path, current, Some(loc))
        }
    }
}

/// A relative `pattern` put after the directory part of `including`'s
/// name, up to its last `/` (none: left as it is).
fn resolve(pattern: &[u8], including: &Path) -> Vec<u8> {
    if pattern.starts_with(b"/") {
        return pattern.to_vec();
    }
    let name = including.as_os_str().as_bytes();
    match name.iter().rposition(|b| *b == b'/') {
        Some(slash) => {
            let mut full = name[..=slash].to_vec();
            full.extend_from_slice(pattern);
            full
        }
        None => pattern.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;
    use std::path::Path;

    #[test]
    fn relative_to_the_including_files_directory() {
        assert_eq!(
            resolve(b"a.conf", Path::new("/etc/jail.conf")),
            b"/etc/a.conf"
        );
        assert_eq!(
            resolve(b"d/*.conf", Path::new("x/jail.conf")),
            b"x/d/*.conf"
        );
        assert_eq!(resolve(b"a.conf", Path::new("jail.conf")), b"a.conf");
        assert_eq!(resolve(b"/abs", Path::new("/etc/jail.conf")), b"/abs");
    }
}
