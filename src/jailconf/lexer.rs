//! jail.conf(5) tokens, as jail(8)'s scanner cuts them (`jaillex.l`).
//!
//! - Space and tab separate; a newline too. `\r` is not white space (a CRLF
//!   file is a syntax error in jail(8)).
//! - Comments: `# …` and `// …` to the end of the line, `/* … */`.
//! - `+=`, `=`, `,`, `;`, `{`, `}` are tokens of their own.
//! - A bare word is a run of `A-Za-z0-9_!%&()-.:<>?@[]^`|~`; `$ * + /` and a
//!   backslash escape are one-character words of their own.
//! - `'…'` may span lines; backslash escapes are decoded, `$` is literal.
//! - `"…"` may span lines; escapes are decoded and `$name` / `${name}` are
//!   variables (a `$` not followed by a name is literal).
//! - Escapes: `\a \b \f \n \r \t \v`, `\` + 1–3 octal digits, `\x` + 1–2
//!   hex digits, backslash-newline (nothing), `\` + anything else (itself).
//! - Pieces written with nothing between them (`/jails/"$name"`) form one
//!   string: every string or variable token says whether it is `glued` to
//!   the one before it (jaillex.l's `instr`, `STR1`/`VAR1`).

use std::path::Path;

use super::{Error, Loc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A piece of a string (bare word, quoted string, or part of one).
    Str {
        text: String,
        glued: bool,
    },
    /// A `$name` or `${name}` reference.
    Var {
        name: String,
        glued: bool,
    },
    PlusEq,
    Eq,
    Comma,
    Semi,
    LBrace,
    RBrace,
    /// A character jail(8) has no rule for (returned to the parser, which
    /// refuses it).
    Other(char),
    Eof,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub col: u32,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Str { text, .. } => format!("{text:?}"),
            Tok::Var { name, .. } => format!("\"${{{name}}}\""),
            Tok::PlusEq => "\"+=\"".into(),
            Tok::Eq => "\"=\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Semi => "\";\"".into(),
            Tok::LBrace => "\"{\"".into(),
            Tok::RBrace => "\"}\"".into(),
            Tok::Other('\r') => "a carriage return (CRLF line ends?)".into(),
            Tok::Other(c) => format!("{:?}", c.to_string()),
            Tok::Eof => "end of file".into(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Normal,
    /// Inside a double-quoted string, after its first `$`.
    Dq,
}

pub struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    line: u32,
    col: u32,
    instr: bool,
    state: State,
    file: &'a Path,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_!%&()-.:<>?@[]^`|~".contains(c)
}

fn is_octal(c: char) -> bool {
    ('0'..='7').contains(&c)
}

impl<'a> Lexer<'a> {
    pub fn new(text: &str, file: &'a Path) -> Lexer<'a> {
        Lexer {
            chars: text.chars().collect(),
            pos: 0,
            line: 1,
            col: 1,
            instr: false,
            state: State::Normal,
            file,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    /// Moves to `to`, counting lines and columns on the way.
    fn advance_to(&mut self, to: usize) {
        while self.pos < to {
            if self.chars[self.pos] == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
            self.pos += 1;
        }
    }

    fn loc(&self, line: u32, col: u32) -> Loc {
        Loc {
            file: self.file.to_path_buf(),
            line,
            col,
        }
    }

    /// The end (exclusive, after the quote) of a quoted string whose opening
    /// quote is at `start`, skipping backslash escapes; `None` if unclosed.
    fn quoted_end(&self, start: usize, quote: char) -> Option<usize> {
        let mut i = start + 1;
        while i < self.chars.len() {
            match self.chars[i] {
                '\\' => i += 2,
                c if c == quote => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    }

    /// The end of a backslash escape at `start` (jaillex.l
    /// `\\(.|\n|[0-7]{1,3}|x[0-9A-Fa-f]{1,2})`).
    fn escape_end(&self, start: usize) -> usize {
        let at = |i: usize| self.chars.get(i).copied();
        match at(start + 1) {
            None => start + 1,
            Some(c) if is_octal(c) => {
                let mut i = start + 2;
                while i < start + 4 && at(i).is_some_and(is_octal) {
                    i += 1;
                }
                i
            }
            Some('x') if at(start + 2).is_some_and(|c| c.is_ascii_hexdigit()) => {
                if at(start + 3).is_some_and(|c| c.is_ascii_hexdigit()) {
                    start + 4
                } else {
                    start + 3
                }
            }
            Some(_) => start + 2,
        }
    }

    /// The end of `${…}` at `start`, or `None` for an unterminated one. The
    /// name holds no newline, `{` or `}` (and, inside double quotes, no `"`)
    /// unless escaped.
    fn braced_var_end(&self, start: usize, in_dq: bool) -> Option<usize> {
        let mut i = start + 2;
        while i < self.chars.len() {
            match self.chars[i] {
                '\\' if i + 1 < self.chars.len() => i += 2,
                '}' => return Some(i + 1),
                '\n' | '{' => return None,
                '"' if in_dq => return None,
                _ => i += 1,
            }
        }
        None
    }

    /// `$name` at `start`: its end, when a name follows the `$`.
    fn plain_var_end(&self, start: usize) -> Option<usize> {
        let first = self.chars.get(start + 1)?;
        if !(first.is_ascii_alphabetic() || *first == '_') {
            return None;
        }
        let mut i = start + 2;
        while self
            .chars
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            i += 1;
        }
        Some(i)
    }

    fn piece(&mut self, text: String) -> Tok {
        let glued = std::mem::replace(&mut self.instr, true);
        Tok::Str { text, glued }
    }

    fn var(&mut self, name: String) -> Tok {
        let glued = std::mem::replace(&mut self.instr, true);
        Tok::Var { name, glued }
    }

    /// A `$…` at the current position: a variable, or a literal `$`.
    fn dollar(&mut self, line: u32, col: u32) -> Result<Tok, Error> {
        let start = self.pos;
        let in_dq = self.state == State::Dq;
        if self.peek(1) == Some('{') {
            let Some(end) = self.braced_var_end(start, in_dq) else {
                return Err(Error::syntax(self.loc(line, col), "unterminated variable"));
            };
            let (name, _) = decode(&self.chars[start + 2..end - 1], false);
            self.advance_to(end);
            return Ok(self.var(name));
        }
        if let Some(end) = self.plain_var_end(start) {
            let name: String = self.chars[start + 1..end].iter().collect();
            self.advance_to(end);
            return Ok(self.var(name));
        }
        self.advance_to(start + 1);
        Ok(self.piece("$".into()))
    }

    pub fn next_token(&mut self) -> Result<Token, Error> {
        loop {
            let (line, col) = (self.line, self.col);
            let at = |tok| Ok(Token { tok, line, col });
            let Some(c) = self.peek(0) else {
                return at(Tok::Eof);
            };
            if self.state == State::Dq {
                let tok = match c {
                    '"' => {
                        self.advance_to(self.pos + 1);
                        self.state = State::Normal;
                        continue;
                    }
                    '$' => self.dollar(line, col)?,
                    '\\' => {
                        let end = self.escape_end(self.pos);
                        let (text, _) = decode(&self.chars[self.pos..end], false);
                        self.advance_to(end);
                        self.piece(text)
                    }
                    // The rest of the string, up to its quote or next `$`.
                    _ => self.dq_rest(),
                };
                return at(tok);
            }
            let tok = match c {
                ' ' | '\t' => {
                    while matches!(self.peek(0), Some(' ' | '\t')) {
                        self.advance_to(self.pos + 1);
                    }
                    self.instr = false;
                    continue;
                }
                '\n' => {
                    self.advance_to(self.pos + 1);
                    self.instr = false;
                    continue;
                }
                '#' => {
                    self.skip_to_eol();
                    continue;
                }
                '/' if self.peek(1) == Some('/') => {
                    self.skip_to_eol();
                    continue;
                }
                '/' if self.peek(1) == Some('*') => {
                    let body = self.pos + 2;
                    let close = (body..self.chars.len().saturating_sub(1))
                        .find(|&i| self.chars[i] == '*' && self.chars[i + 1] == '/');
                    let Some(close) = close else {
                        return Err(Error::syntax(self.loc(line, col), "unterminated comment"));
                    };
                    self.advance_to(close + 2);
                    self.instr = false;
                    continue;
                }
                '+' if self.peek(1) == Some('=') => {
                    self.advance_to(self.pos + 2);
                    self.instr = false;
                    Tok::PlusEq
                }
                ',' | ';' | '=' | '{' | '}' => {
                    self.advance_to(self.pos + 1);
                    self.instr = false;
                    match c {
                        ',' => Tok::Comma,
                        ';' => Tok::Semi,
                        '=' => Tok::Eq,
                        '{' => Tok::LBrace,
                        _ => Tok::RBrace,
                    }
                }
                c if is_word_char(c) => {
                    let start = self.pos;
                    let mut end = start;
                    while self.chars.get(end).copied().is_some_and(is_word_char) {
                        end += 1;
                    }
                    let text: String = self.chars[start..end].iter().collect();
                    self.advance_to(end);
                    self.piece(text)
                }
                '\\' => {
                    let end = self.escape_end(self.pos);
                    let (text, _) = decode(&self.chars[self.pos..end], false);
                    self.advance_to(end);
                    self.piece(text)
                }
                '$' => self.dollar(line, col)?,
                '*' | '+' | '/' => {
                    self.advance_to(self.pos + 1);
                    self.piece(c.to_string())
                }
                '\'' => {
                    let Some(end) = self.quoted_end(self.pos, '\'') else {
                        return Err(Error::syntax(self.loc(line, col), "unterminated string"));
                    };
                    let (text, _) = decode(&self.chars[self.pos + 1..end - 1], false);
                    self.advance_to(end);
                    self.piece(text)
                }
                '"' => {
                    if self.quoted_end(self.pos, '"').is_none() {
                        return Err(Error::syntax(self.loc(line, col), "unterminated string"));
                    }
                    self.dq_open()
                }
                other => {
                    self.advance_to(self.pos + 1);
                    Tok::Other(other)
                }
            };
            return at(tok);
        }
    }

    /// A double-quoted string at its opening quote (known to be closed):
    /// its text up to the closing quote, or up to its first `$`, after
    /// which the string goes on in the `Dq` state.
    fn dq_open(&mut self) -> Tok {
        let start = self.pos;
        let end = self.quoted_end(start, '"').expect("caller checked");
        let (text, dollar) = decode(&self.chars[start + 1..end - 1], true);
        match dollar {
            Some(i) => {
                self.state = State::Dq;
                self.advance_to(start + 1 + i);
            }
            None => self.advance_to(end),
        }
        self.piece(text)
    }

    /// Inside a double-quoted string, after a variable: the text up to the
    /// closing quote or the next `$`.
    fn dq_rest(&mut self) -> Tok {
        let start = self.pos;
        let mut i = start;
        while i < self.chars.len() {
            match self.chars[i] {
                '\\' => i += 2,
                '"' => break,
                _ => i += 1,
            }
        }
        let end = (i + 1).min(self.chars.len());
        let (text, dollar) = decode(&self.chars[start..i.min(self.chars.len())], true);
        match dollar {
            Some(d) => self.advance_to(start + d),
            None => {
                self.state = State::Normal;
                self.advance_to(end);
            }
        }
        self.piece(text)
    }

    fn skip_to_eol(&mut self) {
        let mut end = self.pos;
        while self.chars.get(end).is_some_and(|c| *c != '\n') {
            end += 1;
        }
        self.advance_to(end);
    }
}

/// Decodes backslash escapes like jaillex.l's `text2lval`; with `to_var`,
/// stops at the first unescaped `$` and says where it is. A NUL ends the
/// text, as it ends a C string.
fn decode(s: &[char], to_var: bool) -> (String, Option<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut dollar = None;
    while i < s.len() {
        let c = s[i];
        if c != '\\' {
            if to_var && c == '$' {
                dollar = Some(i);
                break;
            }
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&e) = s.get(i) else { break };
        i += 1;
        if is_octal(e) {
            let mut v = e as u32 - '0' as u32;
            for _ in 0..2 {
                match s.get(i) {
                    Some(&d) if is_octal(d) => {
                        v = v * 8 + (d as u32 - '0' as u32);
                        i += 1;
                    }
                    _ => break,
                }
            }
            out.push(char::from((v & 0xff) as u8));
            continue;
        }
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\n' => {}
            'x' => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match s.get(i).and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(char::from(v as u8));
            }
            other => out.push(other),
        }
    }
    if let Some(nul) = out.find('\0') {
        out.truncate(nul);
    }
    (out, dollar)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        let file = Path::new("t.conf");
        let mut lx = Lexer::new(text, file);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().expect("lexes");
            if t.tok == Tok::Eof {
                return out;
            }
            out.push(t.tok);
        }
    }

    fn s(text: &str, glued: bool) -> Tok {
        Tok::Str {
            text: text.into(),
            glued,
        }
    }

    fn v(name: &str, glued: bool) -> Tok {
        Tok::Var {
            name: name.into(),
            glued,
        }
    }

    #[test]
    fn words_quotes_and_variables_glue_when_adjacent() {
        assert_eq!(
            toks("path = /jails/\"$name\"x;"),
            vec![
                s("path", false),
                Tok::Eq,
                s("/", false),
                s("jails", true),
                s("/", true),
                s("", true),
                v("name", true),
                s("x", true),
                Tok::Semi,
            ]
        );
    }

    #[test]
    fn double_quoted_string_with_variables_inside() {
        assert_eq!(
            toks("\"rjib addm $name ${if.x}0\""),
            vec![
                s("rjib addm ", false),
                v("name", true),
                s(" ", true),
                v("if.x", true),
                s("0", true),
            ]
        );
    }

    #[test]
    fn escapes_decode_like_text2lval() {
        assert_eq!(
            toks(r#""a\tb\101\x41\$x\q" 'c\n$d'"#),
            vec![s("a\tbAA$xq", false), s("c\n$d", false)]
        );
        assert_eq!(toks("\"a\\\nb\""), vec![s("ab", false)]);
        assert_eq!(
            toks("a\\ b"),
            vec![s("a", false), s(" ", true), s("b", true)]
        );
    }

    #[test]
    fn lone_dollar_and_operators() {
        assert_eq!(
            toks("a+=$ \"$\" +"),
            vec![
                s("a", false),
                Tok::PlusEq,
                s("$", false),
                s("", false),
                s("$", true),
                s("+", false),
            ]
        );
    }

    #[test]
    fn comments_and_block_comment_ends_a_string() {
        assert_eq!(
            toks("a # x\nb // y\nc/* z\n */d /jails//x"),
            vec![
                s("a", false),
                s("b", false),
                s("c", false),
                s("d", false),
                s("/", false),
                s("jails", true),
            ]
        );
    }

    #[test]
    fn lines_and_columns_count_through_strings() {
        let file = Path::new("t.conf");
        let mut lx = Lexer::new("'a\nb' x\n  \"p\nq $v\" y", file);
        let pos: Vec<(u32, u32)> = std::iter::from_fn(|| {
            let t = lx.next_token().unwrap();
            (t.tok != Tok::Eof).then_some((t.line, t.col))
        })
        .collect();
        assert_eq!(pos, vec![(1, 1), (2, 4), (3, 3), (4, 3), (4, 7)]);
    }
}
