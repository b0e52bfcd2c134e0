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
//!
//! Text is read as UTF-8 (invalid bytes become U+FFFD); columns count
//! characters from 1, a tab being one.

mod eval;
pub mod glob;
mod include;
mod lexer;
pub mod names;
mod parser;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::util::io_reason;

/// Where something was written: file, line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: PathBuf,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    /// `FILE:LINE`, without the column (what a checker reports).
    pub fn file_line(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// One element of a parameter's value list, fully expanded.
///
/// `loc` is where the string was written (its first character), even when
/// the statement came from a wildcard block and the expansion is this jail's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub loc: Loc,
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
    pub name: String,
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
        names::bool_value(&self.name, self.last().map(|v| v.text.as_str()))
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
    pub name: String,
    /// The jail's name in its `NAME {` block.
    pub loc: Loc,
    pub params: Vec<Param>,
    /// Empty unless jail(8) would refuse this jail; see [`Problem`].
    pub problems: Vec<Problem>,
}

impl Jail {
    /// The parameter `name`, also found under its `no` form
    /// (`allow.mount` finds `allow.nomount`, as jail(8)'s `equalopts`).
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .or_else(|| self.params.iter().find(|p| names::equalopts(&p.name, name)))
    }

    /// Whether the boolean `name` is on for this jail, as jail(8)'s
    /// `bool_param` decides it: `vnet;`, `vnet = true;`, `vnet = 1;` are on;
    /// `novnet;`, `vnet = false;`, an absent parameter are off; `nopersist =
    /// false;` is on. A value that is neither `true`, `false` nor a number
    /// counts as off, so `vnet = new;` is off here even though the kernel
    /// makes a VNET jail of it: jail(8) itself asks `bool_param(vnet)`
    /// before it moves `vnet.interface` (`jail.c`).
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
}

impl Config {
    /// The first jail named `name`.
    pub fn jail(&self, name: &str) -> Option<&Jail> {
        self.jails.iter().find(|j| j.name == name)
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
}

impl Error {
    /// Where the error is, when it is in a file's text.
    pub fn loc(&self) -> Option<&Loc> {
        match self {
            Error::Syntax(e) => Some(&e.loc),
            Error::Read { included_at, .. } => included_at.as_ref(),
            Error::IncludeLoop { loc, .. } | Error::IncludeDepth { loc } => Some(loc),
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
            } => write!(f, "{}: {}", path.display(), io_reason(source)),
            Error::Read {
                path,
                included_at: Some(loc),
                source,
            } => write!(
                f,
                "{loc}: .include {}: {}",
                path.display(),
                io_reason(source)
            ),
            Error::IncludeLoop { loc, chain } => {
                let chain: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
                write!(f, "{loc}: include loop: {}", chain.join(" -> "))
            }
            Error::IncludeDepth { loc } => write!(
                f,
                "{loc}: maximum include depth exceeded ({} levels)",
                include::MAX_INCLUDE_DEPTH
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

/// Reads the file `path` and every file it includes, as `jail -f path` does.
pub fn load(path: &Path) -> Result<Config, Error> {
    load_all(&[path.to_path_buf()])
}

/// Reads several files as one configuration, in order, as if a file had
/// `.include`d each of them: global parameters, wildcards and jails of all
/// of them meet (jail.conf followed by jail.conf.d/*.conf).
pub fn load_all(paths: &[PathBuf]) -> Result<Config, Error> {
    let mut session = include::Session::default();
    for path in paths {
        session.load_file(path, None, None)?;
    }
    Ok(finish(session))
}

/// The configuration of everything a session read: parsed and included
/// first, evaluated last.
fn finish(session: include::Session) -> Config {
    let (raw, files) = session.finish();
    Config {
        jails: eval::evaluate(&raw),
        files,
    }
}

/// Parses `text` as if it were the file `file`. `.include` statements are
/// followed, relative to `file`'s directory as jail(8) does (a `file` with
/// no directory part means the current directory, like `jail -f jail.conf`).
pub fn parse_str(text: &str, file: &Path) -> Result<Config, Error> {
    let mut session = include::Session::default();
    session.load_text(text, file)?;
    Ok(finish(session))
}
