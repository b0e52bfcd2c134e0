//! jail.conf(5) tokens, as jail(8)'s scanner cuts them (`jaillex.l`).
//!
//! The text is bytes, as jail(8) reads it: nothing is decoded as UTF-8.
//!
//! - Space, tab, carriage return and newline separate (jaillex.l
//!   `[ \t\r\n]+`; FreeBSD 13's scanner had no `\r` there).
//! - Comments: `# …` and `// …` to the end of the line, `/* … */`.
//! - `+=`, `=`, `,`, `;`, `{`, `}` are tokens of their own.
//! - A bare word is a run of `A-Za-z0-9_!%&()-.:<>?@[]^`|~`; `$ * + /` and a
//!   backslash escape are one-character words of their own.
//! - `'…'` may span lines; backslash escapes are decoded, `$` is literal.
//! - `"…"` may span lines; escapes are decoded and `$name` / `${name}` are
//!   variables (a `$` not followed by a name is literal). Inside `${…}` any
//!   byte but newline, `{` and `}` (and `"` in a double-quoted string) may
//!   stand, a backslash too, and escapes are decoded there as well; see
//!   [`Lexer::braced_var_end`].
//! - Any other byte is a token of its own for the parser: a NUL or a byte
//!   ≥ 0x80 ends jail(8)'s input there on amd64 (see `parser`).
//! - Escapes: `\a \b \f \n \r \t \v`, `\` + 1–3 octal digits, `\x` + 1–2
//!   hex digits (each one byte, `\303\251` is two), backslash-newline
//!   (nothing), `\` + anything else (itself).
//! - Pieces written with nothing between them (`/jails/"$name"`) form one
//!   string: every string or variable token says whether it is `glued` to
//!   the one before it (jaillex.l's `instr`, `STR1`/`VAR1`).
//!
//! Columns count bytes from 1, except that the continuation bytes of a
//! UTF-8 sequence do not count, so a column is a character's in UTF-8 text.

use std::path::Path;
use std::sync::Arc;

use super::{Error, Loc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A piece of a string (bare word, quoted string, or part of one).
    Str {
        text: Vec<u8>,
        glued: bool,
    },
    /// A `$name` or `${name}` reference.
    Var {
        name: Vec<u8>,
        glued: bool,
    },
    PlusEq,
    Eq,
    Comma,
    Semi,
    LBrace,
    RBrace,
    /// A byte jail(8) has no rule for (jaillex.l's `<_>.`, which returns
    /// the byte itself): the parser refuses it, or, for a NUL or a byte ≥
    /// 0x80, stops there.
    Other(u8),
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
        let quoted = |b: &[u8]| crate::util::quote_bytes(b);
        match self {
            Tok::Str { text, .. } => quoted(text),
            Tok::Var { name, .. } => format!("\"${{{}}}\"", crate::util::escape_bytes(name)),
            Tok::PlusEq => "\"+=\"".into(),
            Tok::Eq => "\"=\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Semi => "\";\"".into(),
            Tok::LBrace => "\"{\"".into(),
            Tok::RBrace => "\"}\"".into(),
            // Said after "unexpected", as a noun without an article.
            Tok::Other(0) => {
                "NUL byte (jail(8) reads it as the end of the file: \"unexpected EOF\")".into()
            }
            Tok::Other(c) if c.is_ascii_graphic() => quoted(&[*c]),
            Tok::Other(c) => format!("byte \\x{c:02x}"),
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
    text: &'a [u8],
    pos: usize,
    line: u32,
    col: u32,
    instr: bool,
    state: State,
    file: Arc<Path>,
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"_!%&()-.:<>?@[]^`|~".contains(&c)
}

fn is_octal(c: u8) -> bool {
    (b'0'..=b'7').contains(&c)
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a [u8], file: Arc<Path>) -> Lexer<'a> {
        Lexer {
            text,
            pos: 0,
            line: 1,
            col: 1,
            instr: false,
            state: State::Normal,
            file,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.text.get(self.pos + ahead).copied()
    }

    /// Moves to `to`, counting lines and columns on the way.
    fn advance_to(&mut self, to: usize) {
        while self.pos < to {
            match self.text[self.pos] {
                b'\n' => {
                    self.line += 1;
                    self.col = 1;
                }
                0x80..=0xbf => {}
                _ => self.col += 1,
            }
            self.pos += 1;
        }
    }

    pub fn loc(&self, line: u32, col: u32) -> Loc {
        Loc {
            file: self.file.clone(),
            line,
            col,
        }
    }

    /// The end (exclusive, after the quote) of a quoted string whose opening
    /// quote is at `start`, skipping backslash escapes; `None` if unclosed.
    fn quoted_end(&self, start: usize, quote: u8) -> Option<usize> {
        let mut i = start + 1;
        while i < self.text.len() {
            match self.text[i] {
                b'\\' => i += 2,
                c if c == quote => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    }

    /// The end of a backslash escape at `start` (jaillex.l
    /// `\\(.|\n|[0-7]{1,3}|x[0-9A-Fa-f]{1,2})`).
    fn escape_end(&self, start: usize) -> usize {
        let at = |i: usize| self.text.get(i).copied();
        match at(start + 1) {
            None => start + 1,
            Some(c) if is_octal(c) => {
                let mut i = start + 2;
                while i < start + 4 && at(i).is_some_and(is_octal) {
                    i += 1;
                }
                i
            }
            Some(b'x') if at(start + 2).is_some_and(|c| c.is_ascii_hexdigit()) => {
                if at(start + 3).is_some_and(|c| c.is_ascii_hexdigit()) {
                    start + 4
                } else {
                    start + 3
                }
            }
            Some(_) => start + 2,
        }
    }

    /// The end of `${…}` at `start`, or `None` for an unterminated one, as
    /// flex decides between jaillex.l's variable rule
    /// `$\{([^\n{}]|\\(.|\n))*\}` and the unterminated-variable rule
    /// `$\{([^\n{}]|\\.)*` after it (inside double quotes both also
    /// exclude `"`): the longer match wins, the variable rule on a tie. A
    /// backslash may stand for itself or start a pair, so `${v\}}` is six
    /// bytes and `${v\}` five, while `${a\}b` before a newline is an
    /// unterminated variable (the second rule matches six bytes, the first
    /// five). Each rule's reachable positions are followed together (never
    /// more than two apart), so this is linear.
    fn braced_var_end(&self, start: usize, in_dq: bool) -> Option<usize> {
        let plain = |c: u8| !(c == b'\n' || c == b'{' || c == b'}' || (in_dq && c == b'"'));
        let text = self.text;
        // For each rule, reach[k]: its match may end just before i + k.
        let mut var = std::collections::VecDeque::from([true]);
        let mut unterminated = var.clone();
        let mut i = start + 2;
        let (mut closed, mut furthest) = (None, i);
        let step = |reach: &mut std::collections::VecDeque<bool>, i: usize, pair: bool| {
            let here = reach.front() == Some(&true);
            if here {
                reach.resize(3, false);
                if plain(text[i]) {
                    reach[1] = true;
                }
                if text[i] == b'\\' && pair {
                    reach[2] = true;
                }
            }
            reach.pop_front();
            while reach.back() == Some(&false) {
                reach.pop_back();
            }
            here
        };
        while (!var.is_empty() || !unterminated.is_empty()) && i < text.len() {
            let next = text.get(i + 1).copied();
            if var.front() == Some(&true) && text[i] == b'}' {
                closed = Some(i + 1);
            }
            step(&mut var, i, next.is_some());
            if step(&mut unterminated, i, next.is_some_and(|c| c != b'\n')) {
                furthest = i;
            }
            i += 1;
        }
        if unterminated.front() == Some(&true) {
            furthest = i;
        }
        // The unterminated rule's match runs from `start` to `furthest`.
        closed.filter(|&end| end >= furthest)
    }

    /// `$name` at `start`: its end, when a name follows the `$`.
    fn plain_var_end(&self, start: usize) -> Option<usize> {
        let first = *self.text.get(start + 1)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let mut i = start + 2;
        while self
            .text
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            i += 1;
        }
        Some(i)
    }

    fn piece(&mut self, text: Vec<u8>) -> Tok {
        let glued = std::mem::replace(&mut self.instr, true);
        Tok::Str { text, glued }
    }

    fn var(&mut self, name: Vec<u8>) -> Tok {
        let glued = std::mem::replace(&mut self.instr, true);
        Tok::Var { name, glued }
    }

    /// A `$…` at the current position: a variable, or a literal `$`.
    fn dollar(&mut self, line: u32, col: u32) -> Result<Tok, Error> {
        let start = self.pos;
        let in_dq = self.state == State::Dq;
        if self.peek(1) == Some(b'{') {
            let Some(end) = self.braced_var_end(start, in_dq) else {
                return Err(Error::syntax(self.loc(line, col), "unterminated variable"));
            };
            // text2lval stops before the `}`, but an escape there reads
            // on: a backslash just before it takes the `}` itself.
            let name = decode_to(&self.text[start + 2..end], end - 1 - (start + 2));
            self.advance_to(end);
            return Ok(self.var(name));
        }
        if let Some(end) = self.plain_var_end(start) {
            let name = self.text[start + 1..end].to_vec();
            self.advance_to(end);
            return Ok(self.var(name));
        }
        self.advance_to(start + 1);
        Ok(self.piece(b"$".to_vec()))
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
                    b'"' => {
                        self.advance_to(self.pos + 1);
                        self.state = State::Normal;
                        continue;
                    }
                    b'$' => self.dollar(line, col)?,
                    // The rest of the string, up to its quote or next `$`.
                    _ => self.dq_rest(),
                };
                return at(tok);
            }
            let tok = match c {
                b' ' | b'\t' | b'\r' => {
                    while matches!(self.peek(0), Some(b' ' | b'\t' | b'\r')) {
                        self.advance_to(self.pos + 1);
                    }
                    self.instr = false;
                    continue;
                }
                b'\n' => {
                    self.advance_to(self.pos + 1);
                    self.instr = false;
                    continue;
                }
                b'#' => {
                    self.skip_to_eol();
                    continue;
                }
                b'/' if self.peek(1) == Some(b'/') => {
                    self.skip_to_eol();
                    continue;
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    let body = self.pos + 2;
                    let close = self.text[body..]
                        .windows(2)
                        .position(|w| w == b"*/")
                        .map(|i| body + i);
                    let Some(close) = close else {
                        return Err(Error::syntax(self.loc(line, col), "unterminated comment"));
                    };
                    self.advance_to(close + 2);
                    self.instr = false;
                    continue;
                }
                b'+' if self.peek(1) == Some(b'=') => {
                    self.advance_to(self.pos + 2);
                    self.instr = false;
                    Tok::PlusEq
                }
                b',' | b';' | b'=' | b'{' | b'}' => {
                    self.advance_to(self.pos + 1);
                    self.instr = false;
                    match c {
                        b',' => Tok::Comma,
                        b';' => Tok::Semi,
                        b'=' => Tok::Eq,
                        b'{' => Tok::LBrace,
                        _ => Tok::RBrace,
                    }
                }
                c if is_word_byte(c) => {
                    let start = self.pos;
                    let mut end = start;
                    while self.text.get(end).copied().is_some_and(is_word_byte) {
                        end += 1;
                    }
                    let text = self.text[start..end].to_vec();
                    self.advance_to(end);
                    self.piece(text)
                }
                b'\\' => {
                    let end = self.escape_end(self.pos);
                    let text = decode(&self.text[self.pos..end]);
                    self.advance_to(end);
                    self.piece(text)
                }
                b'$' => self.dollar(line, col)?,
                b'*' | b'+' | b'/' => {
                    self.advance_to(self.pos + 1);
                    self.piece(vec![c])
                }
                b'\'' => {
                    let Some(end) = self.quoted_end(self.pos, b'\'') else {
                        return Err(Error::syntax(self.loc(line, col), "unterminated string"));
                    };
                    let text = decode(&self.text[self.pos + 1..end - 1]);
                    self.advance_to(end);
                    self.piece(text)
                }
                b'"' => {
                    if self.quoted_end(self.pos, b'"').is_none() {
                        return Err(Error::syntax(self.loc(line, col), "unterminated string"));
                    }
                    self.advance_to(self.pos + 1);
                    self.state = State::Dq;
                    // An empty string is still a piece.
                    if self.peek(0) == Some(b'"') {
                        self.advance_to(self.pos + 1);
                        self.state = State::Normal;
                        self.piece(Vec::new())
                    } else if self.peek(0) == Some(b'$') {
                        self.piece(Vec::new())
                    } else {
                        self.dq_rest()
                    }
                }
                other => {
                    self.advance_to(self.pos + 1);
                    Tok::Other(other)
                }
            };
            return at(tok);
        }
    }

    /// Inside a double-quoted string: the text up to the closing quote
    /// (which is consumed, ending the string) or up to the next `$` (where
    /// the string goes on).
    fn dq_rest(&mut self) -> Tok {
        let start = self.pos;
        let mut i = start;
        while i < self.text.len() {
            match self.text[i] {
                b'\\' => i += 2,
                b'"' | b'$' => break,
                _ => i += 1,
            }
        }
        let i = i.min(self.text.len());
        let text = decode(&self.text[start..i]);
        if self.text.get(i) == Some(&b'"') {
            self.state = State::Normal;
            self.advance_to(i + 1);
        } else {
            self.advance_to(i);
        }
        self.piece(text)
    }

    fn skip_to_eol(&mut self) {
        let end = self.text[self.pos..]
            .iter()
            .position(|c| *c == b'\n')
            .map_or(self.text.len(), |i| self.pos + i);
        self.advance_to(end);
    }
}

/// Decodes backslash escapes like jaillex.l's `text2lval`. A NUL ends the
/// text, as it ends a C string.
fn decode(s: &[u8]) -> Vec<u8> {
    decode_to(s, s.len())
}

/// [`decode`] of `s[..end]`, an escape that starts before `end` reading on
/// into `s` (text2lval's loop bound is before the trimmed bytes, its
/// escapes are not).
fn decode_to(s: &[u8], end: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < end {
        let c = s[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&e) = s.get(i) else { break };
        i += 1;
        if is_octal(e) {
            let mut v = u32::from(e - b'0');
            for _ in 0..2 {
                match s.get(i) {
                    Some(&d) if i < end && is_octal(d) => {
                        v = v * 8 + u32::from(d - b'0');
                        i += 1;
                    }
                    _ => break,
                }
            }
            out.push((v & 0xff) as u8);
            continue;
        }
        match e {
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'\n' => {}
            b'x' => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match s[..end].get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    if let Some(nul) = out.iter().position(|b| *b == 0) {
        out.truncate(nul);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexer(text: &[u8]) -> Lexer<'_> {
        Lexer::new(text, Arc::from(Path::new("t.conf")))
    }

    fn toks(text: &str) -> Vec<Tok> {
        btoks(text.as_bytes())
    }

    fn btoks(text: &[u8]) -> Vec<Tok> {
        let mut lx = lexer(text);
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

    /// jaillex.l's text2lval stores each escape's value in one `char`:
    /// `\xff` is the byte 0xff and `\303\251` two bytes, never characters.
    #[test]
    fn escapes_are_bytes_and_raw_bytes_are_kept() {
        assert_eq!(
            btoks(br#""\xff" "\303\251" "caf\xc3\xa9""#),
            vec![
                Tok::Str {
                    text: vec![0xff],
                    glued: false
                },
                Tok::Str {
                    text: vec![0xc3, 0xa9],
                    glued: false
                },
                Tok::Str {
                    text: b"caf\xc3\xa9".to_vec(),
                    glued: false
                },
            ]
        );
        assert_eq!(
            btoks(b"'\xff\xfe' \"a\xff$v\""),
            vec![
                Tok::Str {
                    text: vec![0xff, 0xfe],
                    glued: false
                },
                Tok::Str {
                    text: vec![b'a', 0xff],
                    glued: false
                },
                v("v", true),
            ]
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
        let mut lx = lexer("'a\nb' x\n  \"p\nq $v\" y 'é' z".as_bytes());
        let pos: Vec<(u32, u32)> = std::iter::from_fn(|| {
            let t = lx.next_token().unwrap();
            (t.tok != Tok::Eof).then_some((t.line, t.col))
        })
        .collect();
        assert_eq!(
            pos,
            vec![(1, 1), (2, 4), (3, 3), (4, 3), (4, 7), (4, 9), (4, 13)]
        );
    }

    /// Many variables in one long string: each piece is cut once (the
    /// string is not scanned again for each `$`).
    #[test]
    fn many_variables_in_one_string_are_linear() {
        let n = 200_000;
        let text = format!("\"{}\"", "$a.".repeat(n));
        let t = std::time::Instant::now();
        let got = toks(&text);
        assert_eq!(got.len(), 2 * n + 1, "an empty piece, then each $a and .");
        assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
    }
}
