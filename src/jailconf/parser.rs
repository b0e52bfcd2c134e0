//! jail.conf(5) statements, as jail(8)'s grammar takes them (`jailparse.y`).
//!
//! ```text
//! conf   : (jail | param ';' | ';')*
//! jail   : STR '{' conf '}'            nested blocks name "parent.child"
//! param  : name | name '=' value | name '+=' value | name value
//! name   : STR | VAR                   one piece: `$var` declares a variable
//! value  : string (',' string)*
//! string : (STR | VAR) (STR1 | VAR1)*  glued pieces
//! ```
//!
//! - A parameter outside any block goes to the one global pseudo-jail `*`,
//!   created where the first such parameter is (jailparse.y `global_jail`).
//! - A parameter inside a block goes to that block, also after a nested
//!   block has closed.
//! - `.include "pattern", …;` (name-value form only, no variables in the
//!   pattern) reads files right there: their top-level parameters go where
//!   the `.include` statement's would, their blocks nest in the enclosing
//!   block (jailparse.y `special_param`). `.include = "x";` is an ordinary
//!   parameter named `.include`, as in jail(8).
//! - A jail name and a parameter name are one piece: `foo.* {` is a syntax
//!   error (`*` is a piece of its own), `"foo.*" {` is a wildcard block.
//! - A NUL byte, or a byte ≥ 0x80, outside quotes is the end of input for
//!   jail(8)'s parser on amd64 (jaillex.l's `<_>.` returns the byte as a
//!   signed `char`, and byacc takes a token ≤ 0 as the end). Between two
//!   statements at a file's top level it accepts: the rest of the file is
//!   not read, which is recorded as a [`Stop`]. Anywhere else it is a syntax
//!   error.
//! - Blocks nest at most [`MAX_NESTING`] deep in one file, as far as
//!   byacc's stack of 10,000 entries holds them. An `.include` is read by a
//!   new `yyparse` (config.c `include_config` → `parse_config`), and
//!   jailparse.y is a `%pure-parser`, whose stack is a local of `yyparse`
//!   (byacc skeleton.c `body_vars`, freebsd/freebsd-src 6073506a), so each
//!   included file starts with an empty stack: the blocks around the
//!   `.include` do not count. The parser keeps its open blocks in a list,
//!   not on the call stack, so no input can overflow the stack; the
//!   names of all blocks together (a nested block's name holds its
//!   parents') are at most [`MAX_NAME_BYTES`], which bounds the depth
//!   across 32 levels of includes.

use std::path::Path;
use std::sync::Arc;

use super::lexer::{Lexer, Tok, Token};
use super::{Error, Loc, Stop};

/// The deepest nesting of blocks: byacc's parser stack (YYMAXDEPTH, 10,000
/// entries) holds two for the top level and three for each open block, so
/// jail(8) reports "yacc stack overflow" at the next `{`.
pub const MAX_NESTING: usize = 3332;

/// The most bytes the names of all blocks may take together.
pub const MAX_NAME_BYTES: usize = 64 << 20;

/// One piece of a string as written: literal text or a variable reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(Vec<u8>),
    Var { name: Vec<u8>, loc: Loc },
}

/// One string of a value list, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawString {
    pub pieces: Vec<Piece>,
    pub loc: Loc,
}

/// One parameter or variable statement, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawParam {
    /// Without the `$` of a variable.
    pub name: Vec<u8>,
    pub loc: Loc,
    pub is_var: bool,
    /// `+=`
    pub append: bool,
    pub values: Vec<RawString>,
}

/// A block (or the global pseudo-jail `*`) with its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJail {
    /// Full name: a nested block's name is prefixed with its parent's.
    pub name: Vec<u8>,
    pub loc: Loc,
    pub params: Vec<RawParam>,
}

/// Everything parsed so far, blocks in jail(8)'s `cfjails` order.
#[derive(Debug, Default)]
pub struct Raw {
    pub jails: Vec<RawJail>,
    /// The index of the global pseudo-jail, once a global parameter exists.
    pub global: Option<usize>,
    /// The bytes of all block names so far.
    pub name_bytes: usize,
    /// Where jail(8) stops reading a file early.
    pub stops: Vec<Stop>,
}

/// Where the parser puts what it reads, and who follows an `.include`
/// (the include reader implements it): the parser knows statements, not
/// files.
pub trait Sink {
    /// The blocks parsed so far, to which the parser adds.
    fn raw(&mut self) -> &mut Raw;

    /// Follow `.include "pattern";`, written in `including` at `loc`
    /// inside the block `current` (if any).
    fn include(
        &mut self,
        pattern: &[u8],
        including: &Path,
        current: Option<usize>,
        loc: &Loc,
    ) -> Result<(), Error>;
}

/// Parses one file's text into `session`. `current` is the block that
/// encloses the `.include` that brought this file in, if any.
pub fn parse(
    session: &mut dyn Sink,
    text: &[u8],
    file: Arc<Path>,
    current: Option<usize>,
) -> Result<(), Error> {
    let mut p = Parser {
        lexer: Lexer::new(text, file.clone()),
        peeked: None,
        session,
        file,
    };
    p.conf(current)
}

struct Parser<'a, 's> {
    lexer: Lexer<'a>,
    peeked: Option<Token>,
    session: &'s mut dyn Sink,
    file: Arc<Path>,
}

impl Parser<'_, '_> {
    fn next(&mut self) -> Result<Token, Error> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lexer.next_token(),
        }
    }

    fn peek(&mut self) -> Result<&Token, Error> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lexer.next_token()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn loc(&self, t: &Token) -> Loc {
        Loc {
            file: self.file.clone(),
            line: t.line,
            col: t.col,
        }
    }

    fn unexpected(&self, t: &Token, what: &str) -> Error {
        let message = match t.tok {
            Tok::Eof => format!("unexpected end of file, {what}"),
            _ => format!("unexpected {}, {what}", t.tok.describe()),
        };
        Error::syntax(self.loc(t), message)
    }

    /// Statements up to the end of the file, blocks opening and closing on
    /// the way. `current` is the block enclosing this file's text.
    fn conf(&mut self, outer: Option<usize>) -> Result<(), Error> {
        // The blocks open in this file: (index, its `{` token).
        let mut open: Vec<(usize, Token)> = Vec::new();
        loop {
            let current = open.last().map(|(j, _)| *j).or(outer);
            let t = self.next()?;
            match &t.tok {
                Tok::Semi => {}
                Tok::RBrace if !open.is_empty() => {
                    let raw = self.session.raw();
                    if let Some((j, _)) = open.pop() {
                        raw.jails[j].params.shrink_to_fit();
                    }
                }
                Tok::Eof => {
                    let Some((_, brace)) = open.last() else {
                        return Ok(());
                    };
                    let at = self.loc(brace);
                    let what = format!("the block opened at {}:{} is not closed", at.line, at.col);
                    return Err(self.unexpected(&t, &what));
                }
                Tok::Str { glued: false, .. } | Tok::Var { glued: false, .. } => {
                    if let Some(block) = self.statement(t, current, open.len())? {
                        open.push(block);
                    }
                }
                Tok::Other(byte) if open.is_empty() && (*byte == 0 || *byte >= 0x80) => {
                    let stop = Stop {
                        loc: self.loc(&t),
                        byte: *byte,
                    };
                    self.session.raw().stops.push(stop);
                    return Ok(());
                }
                _ => return Err(self.unexpected(&t, "expected a parameter or a jail block")),
            }
        }
    }

    /// A statement starting with the name token `first`: a parameter, or
    /// the start of a block (its index and `{`, for the caller to keep
    /// open). `depth` blocks of this file are open.
    fn statement(
        &mut self,
        first: Token,
        current: Option<usize>,
        depth: usize,
    ) -> Result<Option<(usize, Token)>, Error> {
        let loc = self.loc(&first);
        let (name, is_var) = match first.tok {
            Tok::Str { text, .. } => (text, false),
            Tok::Var { name, .. } => (name, true),
            _ => unreachable!("conf() passes names only"),
        };
        let t = self.next()?;
        let mut param = RawParam {
            name,
            loc,
            is_var,
            append: false,
            values: Vec::new(),
        };
        let mut name_value = false;
        match t.tok {
            Tok::LBrace if !is_var => {
                let idx = self.block(param.name, param.loc, current, depth, &t)?;
                return Ok(Some((idx, t)));
            }
            Tok::Semi => {}
            Tok::Eq | Tok::PlusEq => {
                param.append = t.tok == Tok::PlusEq;
                let first = self.next()?;
                param.values = self.values(first, &param.name)?;
            }
            Tok::Str { glued: false, .. } | Tok::Var { glued: false, .. } => {
                name_value = true;
                param.values = self.values(t, &param.name)?;
            }
            _ => {
                let what = if is_var {
                    "expected \"=\", \"+=\", a value or \";\" after a variable name"
                } else {
                    "expected \"=\", \"+=\", a value, \";\" or \"{\" after a name"
                };
                return Err(self.unexpected(&t, what));
            }
        }
        if name_value && !is_var && param.name == b".include" {
            self.include(param, current)?;
            return Ok(None);
        }
        let raw = self.session.raw();
        let target = match current {
            Some(j) => j,
            None => *raw.global.get_or_insert_with(|| {
                raw.jails.push(RawJail {
                    name: b"*".to_vec(),
                    loc: param.loc.clone(),
                    params: Vec::new(),
                });
                raw.jails.len() - 1
            }),
        };
        raw.jails[target].params.push(param);
        Ok(None)
    }

    /// `NAME {`, the `{` already read, with `depth` blocks of this file
    /// open: the new block's index.
    fn block(
        &mut self,
        name: Vec<u8>,
        loc: Loc,
        current: Option<usize>,
        depth: usize,
        brace: &Token,
    ) -> Result<usize, Error> {
        if depth >= MAX_NESTING {
            return Err(Error::syntax(
                self.loc(brace),
                format!(
                    "blocks nest deeper than {MAX_NESTING} levels in this file: jail(8)'s parser \
                     runs out of stack here (\"{{: yacc stack overflow\") and refuses the file"
                ),
            ));
        }
        let raw = self.session.raw();
        let full = match current {
            Some(parent) => {
                let mut full = raw.jails[parent].name.clone();
                full.push(b'.');
                full.extend_from_slice(&name);
                full
            }
            None => name,
        };
        raw.name_bytes += full.len();
        if raw.name_bytes > MAX_NAME_BYTES {
            return Err(Error::syntax(
                self.loc(brace),
                format!(
                    "the names of the blocks (a nested block's with its parents') take more than \
                     {} MiB in all, the most rjib reads",
                    MAX_NAME_BYTES >> 20
                ),
            ));
        }
        raw.jails.push(RawJail {
            name: full,
            loc,
            params: Vec::new(),
        });
        Ok(raw.jails.len() - 1)
    }

    /// A value list starting with `first`, and the `;` after it.
    fn values(&mut self, first: Token, param: &[u8]) -> Result<Vec<RawString>, Error> {
        let param = super::show(param);
        let mut out = Vec::new();
        let mut t = first;
        loop {
            if !matches!(
                t.tok,
                Tok::Str { glued: false, .. } | Tok::Var { glued: false, .. }
            ) {
                return Err(self.unexpected(&t, &format!("expected a value for \"{param}\"")));
            }
            out.push(self.string(t)?);
            let sep = self.next()?;
            match sep.tok {
                Tok::Comma => t = self.next()?,
                Tok::Semi => {
                    // Kept until every jail is computed: no spare room.
                    out.shrink_to_fit();
                    return Ok(out);
                }
                _ => {
                    return Err(self.unexpected(
                        &sep,
                        &format!("expected \",\" or \";\" after a value of \"{param}\""),
                    ));
                }
            }
        }
    }

    /// One string: `first` and the pieces glued to it.
    fn string(&mut self, first: Token) -> Result<RawString, Error> {
        let loc = self.loc(&first);
        let mut pieces = Vec::new();
        let mut t = first;
        loop {
            let at = self.loc(&t);
            match t.tok {
                Tok::Str { text, .. } => pieces.push(Piece::Lit(text)),
                Tok::Var { name, .. } => pieces.push(Piece::Var { name, loc: at }),
                _ => unreachable!("only pieces get here"),
            }
            if matches!(
                self.peek()?.tok,
                Tok::Str { glued: true, .. } | Tok::Var { glued: true, .. }
            ) {
                t = self.next()?;
            } else {
                pieces.shrink_to_fit();
                return Ok(RawString { pieces, loc });
            }
        }
    }

    /// `.include "pattern", …;`
    fn include(&mut self, param: RawParam, current: Option<usize>) -> Result<(), Error> {
        for value in &param.values {
            let mut pattern = Vec::new();
            for piece in &value.pieces {
                match piece {
                    Piece::Lit(text) => pattern.extend_from_slice(text),
                    Piece::Var { loc, .. } => {
                        return Err(Error::syntax(
                            loc.clone(),
                            "variables not permitted in '.include' filename",
                        ));
                    }
                }
            }
            let file = self.file.clone();
            self.session.include(&pattern, &file, current, &value.loc)?;
        }
        Ok(())
    }
}
