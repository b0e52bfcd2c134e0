//! jail.conf(5) as FreeBSD 14 and 15's jail(8) reads it: parsing, includes,
//! wildcards, parameter merging and variable expansion.
//!
//! A general library: it knows jail(8)'s configuration language and nothing
//! of rjib. The rules were learnt from jail(8)'s sources (`jaillex.l`,
//! `jailparse.y`, `config.c`); each function names the one it follows.
//!
//! - `lexer`: tokens, quoting, escapes and comments (`jaillex.l`).
//! - `parser`: statements, blocks, nested blocks and `.include` (`jailparse.y`).
//! - `include`: reading files, `.include` paths, loop detection
//!   (`config.c` `include_config`, `parse_config`); [`glob`]: glob(3) as
//!   `.include` uses it.
//! - `eval`: wildcards, the global jail, `+=`, `no` prefixes and `$variables`
//!   (`config.c` `load_config`, `add_param`).
//! - [`names`]: jail(8)'s name rules (`equalopts`, `wild_jail_match`,
//!   `wild_jail_name`, `bool_param`).
//!
//! What fails where, as in jail(8):
//! - A syntax error, an unreadable file or an include loop stops everything:
//!   [`Error`]. jail(8) exits 1 before touching any jail.
//! - A problem in one jail's parameters (an undefined `$variable`, a variable
//!   loop, a list substituted inside a string, a variable named like a
//!   parameter, a second `name`) is that jail's [`Problem`]: jail(8) warns and
//!   does not create that jail, and goes on with the others.
//! - A NUL or a byte ≥ 0x80 outside quotes between two statements at a
//!   file's top level ends that file for jail(8) on amd64: a [`Stop`]; the
//!   jails after it do not exist.
//!
//! Nothing here recurses on the input: open blocks are a list, `.include`
//! goes 32 files deep at most, variables are resolved in a loop. Limits
//! keep a hostile file from taking unbounded memory or time where jail(8)
//! would (jail(8) has none of them): the file reader ([`Reader`]; [`load`]
//! reads regular files of at most [`MAX_FILE_BYTES`]), 3332 nested blocks
//! per file (jail(8)'s own), 64 MiB of block names and 256 MiB of variable
//! expansion in all. Each step is linear in what is written and what it
//! expands to.
//!
//! Text is bytes, as jail(8) reads it: names and values are kept byte for
//! byte (`"\\xff"` is one byte, raw non-UTF-8 bytes stay as they are) and
//! compared as bytes; [`show`] writes one for a message. Columns count
//! characters from 1 (bytes, except UTF-8 continuation bytes), a tab being
//! one.

mod eval;
pub mod glob;
mod include;
mod lexer;
pub mod names;
mod parser;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::util::io_reason;

/// A name or value from jail.conf as a message shows it: UTF-8 as it is,
/// control characters escaped, other bytes as `\\xNN`.
pub fn show(bytes: &[u8]) -> Cow<'_, str> {
    crate::util::escape_bytes(bytes)
}

/// A path as a message shows it, escaped like [`show`].
pub fn show_path(path: &Path) -> Cow<'_, str> {
    crate::util::escape_bytes(path.as_os_str().as_bytes())
}

/// Where something was written: file, line and column (both from 1). The
/// file's name is shared by every location in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: Arc<Path>,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    /// `FILE:LINE`, without the column (what a checker reports).
    pub fn file_line(&self) -> String {
        format!("{}:{}", show_path(&self.file), self.line)
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", show_path(&self.file), self.line, self.col)
    }
}

/// One element of a parameter's value list, fully expanded.
///
/// `loc` is where the string was written (its first character), even when
/// the statement came from a wildcard block and the expansion is this jail's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: Vec<u8>,
    pub loc: Loc,
    /// A `$variable` in it could not be substituted (a [`Problem`] of the
    /// jail says why): `text` lacks that part, and jail(8) does not create
    /// the jail.
    pub incomplete: bool,
}

impl Value {
    /// The text as a message shows it.
    pub fn show(&self) -> Cow<'_, str> {
        show(&self.text)
    }
}

/// One effective parameter of a jail.
///
/// `name` is as last written: `allow.nomount` and `allow.mount` are one
/// parameter in jail(8) (`equalopts`), and the later statement's spelling
/// wins. `values` is empty for a valueless statement (`persist;`,
/// `exec.clean;`). `loc` is the last statement that set or appended to it
/// (the jail's name for the implicit `name`/`jid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: Vec<u8>,
    pub values: Vec<Value>,
    pub loc: Loc,
}

impl Param {
    /// The value jail(8) uses for a scalar parameter: the last one
    /// (`config.c` `string_param`).
    pub fn last(&self) -> Option<&Value> {
        self.values.last()
    }

    /// Whether jail(8) takes this parameter as a true boolean
    /// (`config.c` `bool_param`): see [`names::bool_value`].
    pub fn is_true(&self) -> bool {
        names::bool_value(&self.name, self.last().map(|v| v.text.as_slice()))
    }
}

/// A problem jail(8) reports for one jail while computing its parameters
/// (`config.c` `load_config`, `add_param`); jail(8) then does not create
/// that jail. `Display` is `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub loc: Loc,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// One jail with its effective parameters.
///
/// `params` are in jail(8)'s order: first `name` (or `jid` for a numeric
/// jail name), then each parameter where it first appeared, taking the
/// global parameters, the matching wildcard blocks and the jail's own block
/// in file order (`config.c` `load_config`). Variables (`$var = …;`) are
/// not listed: they only serve substitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jail {
    pub name: Vec<u8>,
    /// The jail's name in its `NAME {` block.
    pub loc: Loc,
    pub params: Vec<Param>,
    /// Empty unless jail(8) would refuse this jail; see [`Problem`].
    pub problems: Vec<Problem>,
    /// Values that a later `=` (or valueless) statement threw away, each
    /// with that statement's place: what was written but never runs.
    pub replaced: Vec<Replaced>,
}

/// A value of parameter `param` that the statement at `by` replaced. Its
/// `text` is as written, variables as `${name}` (they were never
/// substituted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub param: Vec<u8>,
    pub value: Value,
    pub by: Loc,
    /// `by` is in a wildcard block or among the global parameters, not in
    /// the jail's own block.
    pub by_other_block: bool,
}

impl Jail {
    /// The jail's name as a message shows it.
    pub fn show_name(&self) -> Cow<'_, str> {
        show(&self.name)
    }

    /// The parameter `name`, also found under its `no` form
    /// (`allow.mount` finds `allow.nomount`, as jail(8)'s `equalopts`).
    pub fn get(&self, name: &str) -> Option<&Param> {
        let name = name.as_bytes();
        self.params
            .iter()
            .find(|p| p.name == name)
            .or_else(|| self.params.iter().find(|p| names::equalopts(&p.name, name)))
    }

    /// Whether the boolean `name` is on for this jail, as jail(8)'s
    /// `bool_param` decides it: `exec.clean;`, `exec.clean = true;`,
    /// `exec.clean = 1;` are on; `noexec.clean;`, `exec.clean = false;`, an
    /// absent parameter are off; `nopersist = false;` is on. (`vnet` is no
    /// boolean for jail(8): libjail reads it, see `check`.)
    pub fn is_set(&self, bool_param: &str) -> bool {
        self.get(bool_param).is_some_and(Param::is_true)
    }
}

/// A whole configuration: every jail, in the order jail(8) lists them
/// (block order, nested and included blocks where they appear), wildcard
/// blocks and global parameters already applied. Two blocks with the same
/// name are two jails, as in jail(8).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    pub jails: Vec<Jail>,
    /// Every file read, in reading order (includes where they were included).
    pub files: Vec<PathBuf>,
    /// Where jail(8) stops reading a file early; see [`Stop`].
    pub stops: Vec<Stop>,
}

/// A NUL byte, or a byte ≥ 0x80, outside quotes between two statements at
/// a file's top level: jail(8)'s parser takes it as the end of the file
/// (on amd64; on arm64 a byte ≥ 0x80 is a syntax error), accepts what came
/// before and reads nothing after it, so the jails after it are not
/// defined. The file including this one, if any, goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub loc: Loc,
    pub byte: u8,
}

impl Config {
    /// The first jail named `name`.
    pub fn jail(&self, name: &str) -> Option<&Jail> {
        self.jails.iter().find(|j| j.name == name.as_bytes())
    }
}

/// A text jail(8) would refuse, with its place. `Display` is
/// `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub loc: Loc,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// Why a configuration could not be loaded at all.
#[derive(Debug)]
pub enum Error {
    /// The text is not jail.conf(5).
    Syntax(SyntaxError),
    /// A file could not be read: the one given, or one named by `.include`
    /// without glob characters (`included_at` is that statement).
    Read {
        path: PathBuf,
        included_at: Option<Loc>,
        source: std::io::Error,
    },
    /// `.include` leads back to a file it is already reading; `chain` runs
    /// from the outermost file to the repeated one.
    IncludeLoop { loc: Loc, chain: Vec<PathBuf> },
    /// `.include`s nest deeper than jail(8)'s 32 levels (`config.c`
    /// `MAX_INCLUDE_DEPTH`).
    IncludeDepth { loc: Loc },
    /// Variables expand to more than rjib computes (`eval::MAX_EXPANSION`
    /// bytes in all); `loc` is the reference that would pass it.
    Expansion { loc: Loc },
}

impl Error {
    /// Where the error is, when it is in a file's text.
    pub fn loc(&self) -> Option<&Loc> {
        match self {
            Error::Syntax(e) => Some(&e.loc),
            Error::Read { included_at, .. } => included_at.as_ref(),
            Error::IncludeLoop { loc, .. }
            | Error::IncludeDepth { loc }
            | Error::Expansion { loc } => Some(loc),
        }
    }

    pub(crate) fn syntax(loc: Loc, message: impl Into<String>) -> Error {
        Error::Syntax(SyntaxError {
            loc,
            message: message.into(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax(e) => e.fmt(f),
            Error::Read {
                path,
                included_at: None,
                source,
            } => write!(f, "{}: {}", show_path(path), io_reason(source)),
            Error::Read {
                path,
                included_at: Some(loc),
                source,
            } => write!(
                f,
                "{loc}: .include {}: {}",
                show_path(path),
                io_reason(source)
            ),
            Error::IncludeLoop { loc, chain } => {
                let chain: Vec<String> = chain.iter().map(|p| show_path(p).into_owned()).collect();
                write!(f, "{loc}: include loop: {}", chain.join(" -> "))
            }
            Error::IncludeDepth { loc } => write!(
                f,
                "{loc}: maximum include depth exceeded ({} levels)",
                include::MAX_INCLUDE_DEPTH
            ),
            Error::Expansion { loc } => write!(
                f,
                "{loc}: variables expand to more than {} MiB in all, the most rjib computes",
                eval::MAX_EXPANSION >> 20
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub use include::{Read, Reader};

/// The largest file [`load`] reads.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Reads a regular file of at most [`MAX_FILE_BYTES`]: what [`load`]
/// reads with when the caller has no reader of its own.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    Ok(crate::util::read_regular(path, MAX_FILE_BYTES)?)
}

/// Reads the file `path` and every file it includes, as `jail -f path` does.
pub fn load(path: &Path) -> Result<Config, Error> {
    load_all(&[path.to_path_buf()], &mut read_file)
}

/// Reads several files as one configuration, in order, as if a file had
/// `.include`d each of them: global parameters, wildcards and jails of all
/// of them meet (jail.conf followed by jail.conf.d/*.conf). Every file is
/// read with `read`.
pub fn load_all(paths: &[PathBuf], read: &mut Reader<'_>) -> Result<Config, Error> {
    let mut session = include::Session::new(read);
    for path in paths {
        session.load_file(path, None, None)?;
    }
    finish(session)
}

/// As [`load_all`], handing each jail to `each` as soon as it is computed
/// instead of keeping them all; what was read besides the jails.
pub fn load_each(
    paths: &[PathBuf],
    read: &mut Reader<'_>,
    each: &mut dyn FnMut(Jail),
) -> Result<Read, Error> {
    let mut session = include::Session::new(read);
    for path in paths {
        session.load_file(path, None, None)?;
    }
    finish_each(session, each)
}

/// The configuration of everything a session read: parsed and included
/// first, evaluated last.
fn finish(session: include::Session<'_>) -> Result<Config, Error> {
    let mut jails = Vec::new();
    let read = finish_each(session, &mut |j| jails.push(j))?;
    Ok(Config {
        jails,
        files: read.files,
        stops: read.stops,
    })
}

/// Every jail a session read, each computed when it is handed to `each`
/// (so that a caller that keeps less than the whole jail keeps less); what
/// was read besides.
fn finish_each(session: include::Session<'_>, each: &mut dyn FnMut(Jail)) -> Result<Read, Error> {
    let (mut raw, files) = session.finish();
    eval::evaluate(&raw, each)?;
    Ok(Read {
        files,
        stops: std::mem::take(&mut raw.stops),
    })
}

/// Parses `text` as if it were the file `file`. `.include` statements are
/// followed, relative to `file`'s directory as jail(8) does (a `file` with
/// no directory part means the current directory, like `jail -f jail.conf`).
pub fn parse_str(text: &str, file: &Path) -> Result<Config, Error> {
    parse_bytes(text.as_bytes(), file)
}

/// [`parse_str`] for any bytes.
pub fn parse_bytes(text: &[u8], file: &Path) -> Result<Config, Error> {
    let mut read = read_file;
    let mut session = include::Session::new(&mut read);
    session.load_text(text, file)?;
    finish(session)
}
