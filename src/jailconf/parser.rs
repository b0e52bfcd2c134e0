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

use std::path::Path;

use super::lexer::{Lexer, Tok, Token};
use super::{Error, Loc};

/// One piece of a string as written: literal text or a variable reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    Var { name: String, loc: Loc },
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
    pub name: String,
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
    pub name: String,
    pub loc: Loc,
    pub params: Vec<RawParam>,
}

/// Everything parsed so far, blocks in jail(8)'s `cfjails` order.
#[derive(Debug, Default)]
pub struct Raw {
    pub jails: Vec<RawJail>,
    /// The index of the global pseudo-jail, once a global parameter exists.
    pub global: Option<usize>,
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
        pattern: &str,
        including: &Path,
        current: Option<usize>,
        loc: &Loc,
    ) -> Result<(), Error>;
}

/// Parses one file's text into `session`. `current` is the block that
/// encloses the `.include` that brought this file in, if any.
pub fn parse(
    session: &mut dyn Sink,
    text: &str,
    file: &Path,
    current: Option<usize>,
) -> Result<(), Error> {
    let mut p = Parser {
        lexer: Lexer::new(text, file),
        peeked: None,
        session,
        file,
    };
    p.conf(current, None)
}

struct Parser<'a, 's> {
    lexer: Lexer<'a>,
    peeked: Option<Token>,
    session: &'s mut dyn Sink,
    file: &'a Path,
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
            file: self.file.to_path_buf(),
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

    /// Statements up to the end of the file (`open` is `None`) or to the
    /// `}` of the block opened at `open`.
    fn conf(&mut self, current: Option<usize>, open: Option<&Token>) -> Result<(), Error> {
        loop {
            let t = self.next()?;
            match &t.tok {
                Tok::Semi => {}
                Tok::RBrace if open.is_some() => return Ok(()),
                Tok::Eof if open.is_none() => return Ok(()),
                Tok::Eof => {
                    let open = open.expect("inside a block");
                    let at = self.loc(open);
                    return Err(self.unexpected(
                        &t,
                        &format!("the block opened at {}:{} is not closed", at.line, at.col),
                    ));
                }
                Tok::Str { glued: false, .. } | Tok::Var { glued: false, .. } => {
                    self.statement(t, current)?
                }
                _ => return Err(self.unexpected(&t, "expected a parameter or a jail block")),
            }
        }
    }

    /// A statement starting with the name token `first`: a block or a
    /// parameter.
    fn statement(&mut self, first: Token, current: Option<usize>) -> Result<(), Error> {
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
            Tok::LBrace if !is_var => return self.block(param.name, param.loc, current, &t),
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
        if name_value && !is_var && param.name == ".include" {
            return self.include(param, current);
        }
        let raw = self.session.raw();
        let target = match current {
            Some(j) => j,
            None => *raw.global.get_or_insert_with(|| {
                raw.jails.push(RawJail {
                    name: "*".into(),
                    loc: param.loc.clone(),
                    params: Vec::new(),
                });
                raw.jails.len() - 1
            }),
        };
        raw.jails[target].params.push(param);
        Ok(())
    }

    /// `NAME { … }`, the `{` already read.
    fn block(
        &mut self,
        name: String,
        loc: Loc,
        current: Option<usize>,
        open: &Token,
    ) -> Result<(), Error> {
        let raw = self.session.raw();
        let full = match current {
            Some(parent) => format!("{}.{}", raw.jails[parent].name, name),
            None => name,
        };
        raw.jails.push(RawJail {
            name: full,
            loc,
            params: Vec::new(),
        });
        let idx = raw.jails.len() - 1;
        self.conf(Some(idx), Some(open))
    }

    /// A value list starting with `first`, and the `;` after it.
    fn values(&mut self, first: Token, param: &str) -> Result<Vec<RawString>, Error> {
        let mut out = Vec::new();
        let mut t = first;
        loop {
            if !matches!(
                t.tok,
                Tok::Str { glued: false, .. } | Tok::Var { glued: false, .. }
            ) {
                return Err(self.unexpected(&t, &format!("expected a value for {param:?}")));
            }
            out.push(self.string(t)?);
            let sep = self.next()?;
            match sep.tok {
                Tok::Comma => t = self.next()?,
                Tok::Semi => return Ok(out),
                _ => {
                    return Err(self.unexpected(
                        &sep,
                        &format!("expected \",\" or \";\" after a value of {param:?}"),
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
                return Ok(RawString { pieces, loc });
            }
        }
    }

    /// `.include "pattern", …;`
    fn include(&mut self, param: RawParam, current: Option<usize>) -> Result<(), Error> {
        for value in &param.values {
            let mut pattern = String::new();
            for piece in &value.pieces {
                match piece {
                    Piece::Lit(text) => pattern.push_str(text),
                    Piece::Var { loc, .. } => {
                        return Err(Error::syntax(
                            loc.clone(),
                            "variables not permitted in '.include' filename",
                        ));
                    }
                }
            }
            self.session
                .include(&pattern, self.file, current, &value.loc)?;
        }
        Ok(())
    }
}
