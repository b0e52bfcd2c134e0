//! sh(1) words as the shell splits them, without running anything: what
//! reading rc.conf's assignments and jail(8)'s `/bin/sh -c` commands needs.
//!
//! Quotes (`'…'`, `"…"`, backslash), line continuations, comments,
//! operators (`;`, `&`, `&&`, `|`, `||`, `(`, `)`, newline) and
//! redirections are POSIX sh's (XCU 2.2–2.4, 2.10.1). `$NAME` and `${NAME}`
//! are expanded through a caller's lookup; every other expansion (`$(…)`,
//! backquotes, `${NAME:-…}`, `$1`, …) is kept as written and flagged, since
//! only a running shell can do it. Field splitting and pathname expansion
//! are not done: a word is what the quotes make of it.
//!
//! The text is bytes (sh(1) reads bytes; every byte that means something to
//! it is ASCII), and so are the words.

/// One word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal and the expansions the lookup did.
    pub text: Vec<u8>,
    /// `NAME=…` written unquoted: the NAME (the value is the rest of
    /// `text`). Only an assignment when it leads a simple command.
    pub assign: Option<String>,
    /// An expansion the lookup could not do is in `text` as written.
    pub unexpanded: bool,
    /// Some part was quoted or escaped (so it is not a reserved word).
    pub quoted: bool,
    pub line: u32,
    pub col: u32,
}

impl Word {
    /// The value of an assignment word.
    pub fn value(&self) -> &[u8] {
        match &self.assign {
            Some(name) => &self.text[name.len() + 1..],
            None => &self.text,
        }
    }
}

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Word(Word),
    /// A command separator or control operator: `;`, `;;`, `&`, `&&`,
    /// `|`, `||`, `(`, `)` or a newline (`"\n"`).
    Sep(&'static str),
    /// A redirection operator (`>`, `2>>`, `<&`, …); its target is the
    /// next word.
    Redir(String),
}

/// Text sh cannot split: an unterminated quote or expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// What a lookup says about `$NAME`: its value, or `None` when it cannot
/// be known here (the word keeps `$NAME` and is flagged).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

pub struct Lexer<'t> {
    text: &'t [u8],
    pos: usize,
    line: u32,
    col: u32,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Bytes that end an unquoted word.
fn ends_word(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t [u8]) -> Lexer<'t> {
        Lexer {
            text,
            pos: 0,
            line: 1,
            col: 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.text.get(self.pos + ahead).copied()
    }

    /// Takes one byte; columns count characters (UTF-8 continuation bytes
    /// do not count).
    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        match c {
            b'\n' => {
                self.line += 1;
                self.col = 1;
            }
            0x80..=0xbf => {}
            _ => self.col += 1,
        }
        Some(c)
    }

    /// Where the next byte is: line and column.
    pub fn at(&self) -> (u32, u32) {
        (self.line, self.col)
    }

    fn error(line: u32, col: u32, message: &str) -> LexError {
        LexError {
            line,
            col,
            message: message.to_string(),
        }
    }

    /// The next token, or `None` at the end of the text.
    pub fn next_token(&mut self, lookup: Lookup<'_>) -> Result<Option<Token>, LexError> {
        loop {
            match self.peek() {
                None => return Ok(None),
                Some(b' ' | b'\t') => {
                    self.bump();
                }
                Some(b'\\') => {
                    // A line continuation between words is nothing.
                    if self.peek_at(1) == Some(b'\n') {
                        self.bump();
                        self.bump();
                    } else {
                        return self.word(lookup).map(Some);
                    }
                }
                Some(b'#') => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.bump();
                    }
                }
                Some(b'\n') => {
                    self.bump();
                    return Ok(Some(Token::Sep("\n")));
                }
                Some(c @ (b';' | b'&' | b'|')) => {
                    self.bump();
                    let double = self.peek() == Some(c);
                    if double {
                        self.bump();
                    }
                    return Ok(Some(Token::Sep(match (c, double) {
                        (b';', false) => ";",
                        (b';', true) => ";;",
                        (b'&', false) => "&",
                        (b'&', true) => "&&",
                        (b'|', false) => "|",
                        _ => "||",
                    })));
                }
                Some(c @ (b'(' | b')')) => {
                    self.bump();
                    return Ok(Some(Token::Sep(if c == b'(' { "(" } else { ")" })));
                }
                Some(b'<' | b'>') => return Ok(Some(self.redirection(String::new()))),
                Some(_) => return self.word(lookup).map(Some),
            }
        }
    }

    /// A redirection operator, after its optional IO number.
    fn redirection(&mut self, mut op: String) -> Token {
        let first = self.bump().expect("a redirection character");
        op.push(char::from(first));
        if let Some(c) = self.peek()
            && matches!(
                (first, c),
                (b'>', b'>' | b'&' | b'|') | (b'<', b'<' | b'&' | b'>')
            )
        {
            op.push(char::from(c));
            self.bump();
            if op.ends_with("<<") && self.peek() == Some(b'-') {
                op.push('-');
                self.bump();
            }
        }
        Token::Redir(op)
    }

    fn word(&mut self, lookup: Lookup<'_>) -> Result<Token, LexError> {
        let (line, col) = (self.line, self.col);
        let mut w = Word {
            text: Vec::new(),
            assign: None,
            unexpanded: false,
            quoted: false,
            line,
            col,
        };
        // NAME= at the start, unquoted.
        if self.peek().is_some_and(is_name_start) {
            let mut n = 1;
            while self.peek_at(n).is_some_and(is_name_char) {
                n += 1;
            }
            if self.peek_at(n) == Some(b'=') {
                let name: Vec<u8> = (0..n).filter_map(|_| self.bump()).collect();
                self.bump();
                w.text.extend_from_slice(&name);
                w.text.push(b'=');
                w.assign = Some(String::from_utf8(name).expect("ASCII"));
            }
        }
        while let Some(c) = self.peek() {
            match c {
                c if ends_word(c) => {
                    // An all-digit word right before < or > is an IO number.
                    if matches!(c, b'<' | b'>')
                        && !w.quoted
                        && w.assign.is_none()
                        && !w.text.is_empty()
                        && w.text.iter().all(u8::is_ascii_digit)
                    {
                        let digits = String::from_utf8(w.text).expect("ASCII digits");
                        return Ok(self.redirection(digits));
                    }
                    break;
                }
                b'\\' => {
                    self.bump();
                    w.quoted = true;
                    match self.bump() {
                        Some(b'\n') => {}
                        Some(e) => w.text.push(e),
                        None => w.text.push(b'\\'),
                    }
                }
                b'\'' => {
                    let (l, k) = (self.line, self.col);
                    self.bump();
                    w.quoted = true;
                    loop {
                        match self.bump() {
                            Some(b'\'') => break,
                            Some(ch) => w.text.push(ch),
                            None => {
                                return Err(Self::error(l, k, "unterminated single-quoted string"));
                            }
                        }
                    }
                }
                b'"' => {
                    let (l, k) = (self.line, self.col);
                    self.bump();
                    w.quoted = true;
                    loop {
                        match self.peek() {
                            Some(b'"') => {
                                self.bump();
                                break;
                            }
                            Some(b'\\') => {
                                self.bump();
                                match self.peek() {
                                    Some(b'\n') => {
                                        self.bump();
                                    }
                                    Some(e @ (b'$' | b'`' | b'"' | b'\\')) => {
                                        self.bump();
                                        w.text.push(e);
                                    }
                                    _ => w.text.push(b'\\'),
                                }
                            }
                            Some(b'$') => self.dollar(&mut w, lookup)?,
                            Some(b'`') => self.backquote(&mut w)?,
                            Some(_) => {
                                let ch = self.bump().expect("peeked");
                                w.text.push(ch);
                            }
                            None => {
                                return Err(Self::error(l, k, "unterminated double-quoted string"));
                            }
                        }
                    }
                }
                b'$' => self.dollar(&mut w, lookup)?,
                b'`' => self.backquote(&mut w)?,
                _ => {
                    self.bump();
                    w.text.push(c);
                }
            }
        }
        Ok(Token::Word(w))
    }

    /// `` `…` ``: kept as written.
    fn backquote(&mut self, w: &mut Word) -> Result<(), LexError> {
        let (l, k) = (self.line, self.col);
        self.bump();
        w.text.push(b'`');
        w.unexpanded = true;
        loop {
            match self.bump() {
                Some(b'`') => {
                    w.text.push(b'`');
                    return Ok(());
                }
                Some(b'\\') => {
                    w.text.push(b'\\');
                    if let Some(e) = self.bump() {
                        w.text.push(e);
                    }
                }
                Some(ch) => w.text.push(ch),
                None => return Err(Self::error(l, k, "unterminated command substitution (`)")),
            }
        }
    }

    /// A `$` expansion at the cursor.
    fn dollar(&mut self, w: &mut Word, lookup: Lookup<'_>) -> Result<(), LexError> {
        let (l, k) = (self.line, self.col);
        self.bump();
        match self.peek() {
            Some(c) if is_name_start(c) => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|&c| is_name_char(c)) {
                    name.push(char::from(c));
                    self.bump();
                }
                self.expand(w, &name, format!("${name}").as_bytes(), lookup);
            }
            Some(b'{') => {
                self.bump();
                let mut inner = Vec::new();
                let mut depth = 1usize;
                loop {
                    match self.bump() {
                        Some(b'}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            inner.push(b'}');
                        }
                        Some(b'{') => {
                            depth += 1;
                            inner.push(b'{');
                        }
                        Some(ch) => inner.push(ch),
                        None => return Err(Self::error(l, k, "unterminated ${")),
                    }
                }
                let mut written = b"${".to_vec();
                written.extend_from_slice(&inner);
                written.push(b'}');
                let simple = inner.first().copied().is_some_and(is_name_start)
                    && inner.iter().copied().all(is_name_char);
                if simple {
                    let name = String::from_utf8(inner).expect("ASCII");
                    self.expand(w, &name, &written, lookup);
                } else {
                    w.text.extend_from_slice(&written);
                    w.unexpanded = true;
                }
            }
            Some(b'(') => {
                let mut depth = 0usize;
                w.text.push(b'$');
                w.unexpanded = true;
                loop {
                    match self.bump() {
                        Some(b'(') => {
                            depth += 1;
                            w.text.push(b'(');
                        }
                        Some(b')') => {
                            depth = depth.saturating_sub(1);
                            w.text.push(b')');
                            if depth == 0 {
                                break;
                            }
                        }
                        Some(ch) => w.text.push(ch),
                        None => return Err(Self::error(l, k, "unterminated $(")),
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || b"@*#?-$!".contains(&c) => {
                self.bump();
                w.text.push(b'$');
                w.text.push(c);
                w.unexpanded = true;
            }
            // A lone `$` is itself.
            _ => w.text.push(b'$'),
        }
        Ok(())
    }

    fn expand(&mut self, w: &mut Word, name: &str, written: &[u8], lookup: Lookup<'_>) {
        match lookup(name) {
            Some(v) => w.text.extend_from_slice(&v),
            None => {
                w.text.extend_from_slice(written);
                w.unexpanded = true;
            }
        }
    }
}

/// One simple command: its leading assignments and its words, with the
/// redirections left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    pub assigns: Vec<Word>,
    pub words: Vec<Word>,
    /// It runs asynchronously: its and-or list, or a compound command or
    /// subshell around it, ends with `&` (XCU 2.9.3.1), so the shell does
    /// not wait for it.
    pub background: bool,
}

/// Words that open a compound command before a simple one (`if rjib …`).
pub const OPENERS: &[&str] = &[
    "if", "then", "else", "elif", "while", "until", "do", "!", "{",
];

/// Reserved words that open a compound command: everything up to the word
/// that closes it is one command of the list around it.
const OPEN: &[&str] = &["if", "while", "until", "for", "case", "{"];
const CLOSE: &[&str] = &["fi", "done", "esac", "}"];

/// The simple commands of `text`, with no lookup (every `$` expansion is
/// flagged). Compound commands are looked into: `if a; then b; fi` gives
/// `a` and `b`; `for` and `case` are skipped.
pub fn simple_commands(text: &[u8]) -> Result<Vec<Simple>, LexError> {
    let none: Lookup<'_> = &|_| None;
    let mut lexer = Lexer::new(text);
    let mut out = Vec::new();
    let mut cur = Simple::default();
    let mut skip_target = false;
    let mut skip_command = false;
    // The first command of the and-or list being read, and that of each
    // list enclosing a compound command or subshell now open.
    let mut list_start = 0;
    let mut open: Vec<usize> = Vec::new();
    // An `&&`, `||` or `|` that still needs the command after it (sh(1)
    // refuses the string when none comes), and where it is.
    let mut needs_command: Option<(&str, u32, u32)> = None;
    let finish = |cur: &mut Simple, out: &mut Vec<Simple>, skip: &mut bool| {
        let c = std::mem::take(cur);
        if !*skip && (!c.words.is_empty() || !c.assigns.is_empty()) {
            out.push(c);
        }
        *skip = false;
    };
    while let Some(tok) = lexer.next_token(none)? {
        match tok {
            Token::Sep(sep) => {
                if let Some((op, line, col)) = needs_command
                    && !matches!(sep, "\n" | "(")
                {
                    return Err(Lexer::error(
                        line,
                        col,
                        &format!("no command after \"{op}\" (sh(1): syntax error)"),
                    ));
                }
                needs_command = match sep {
                    "&&" | "||" | "|" => Some((sep, lexer.at().0, lexer.at().1 - sep.len() as u32)),
                    "\n" => needs_command,
                    _ => None,
                };
                finish(&mut cur, &mut out, &mut skip_command);
                match sep {
                    "&" => {
                        for c in &mut out[list_start..] {
                            c.background = true;
                        }
                        list_start = out.len();
                    }
                    ";" | ";;" | "\n" => list_start = out.len(),
                    "(" => {
                        open.push(list_start);
                        list_start = out.len();
                    }
                    ")" => list_start = open.pop().unwrap_or(list_start),
                    _ => {} // && || |: the same and-or list
                }
            }
            Token::Redir(_) => {
                needs_command = None;
                skip_target = true;
            }
            Token::Word(w) => {
                needs_command = None;
                if std::mem::take(&mut skip_target) {
                    continue;
                }
                if cur.words.is_empty() && cur.assigns.is_empty() && !w.quoted {
                    let word = std::str::from_utf8(&w.text).unwrap_or("");
                    if OPEN.contains(&word) {
                        open.push(list_start);
                        list_start = out.len();
                    } else if CLOSE.contains(&word) {
                        // The compound command is one command of the list
                        // that was open before it.
                        list_start = open.pop().unwrap_or(list_start);
                        continue;
                    }
                }
                if cur.words.is_empty() {
                    if w.assign.is_some() {
                        cur.assigns.push(w);
                        continue;
                    }
                    if !w.quoted && OPENERS.iter().any(|o| o.as_bytes() == w.text) {
                        continue;
                    }
                    if !w.quoted && matches!(w.text.as_slice(), b"for" | b"case") {
                        skip_command = true;
                    }
                }
                cur.words.push(w);
            }
        }
    }
    if let Some((op, line, col)) = needs_command {
        return Err(Lexer::error(
            line,
            col,
            &format!("no command after \"{op}\" (sh(1): syntax error, unexpected end of file)"),
        ));
    }
    finish(&mut cur, &mut out, &mut skip_command);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let none: Lookup<'_> = &|_| None;
        let mut l = Lexer::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(t) = l.next_token(none).unwrap() {
            out.push(match t {
                Token::Word(w) => String::from_utf8(w.text).unwrap(),
                Token::Sep(s) => format!("<{}>", s.escape_default()),
                Token::Redir(r) => format!("[{r}]"),
            });
        }
        out
    }

    #[test]
    fn quoting_and_operators() {
        assert_eq!(
            words("rjib addm -b \"\" www em0 !em1"),
            ["rjib", "addm", "-b", "", "www", "em0", "!em1"]
        );
        assert_eq!(words("a 'b c'\"d\\\"e\" f\\ g"), ["a", "b cd\"e", "f g"]);
        assert_eq!(
            words("a;b&&c||d|e&f\n(g)"),
            [
                "a", "<;>", "b", "<&&>", "c", "<||>", "d", "<|>", "e", "<&>", "f", "<\\n>", "<(>",
                "g", "<)>"
            ]
        );
        assert_eq!(
            words("x >/dev/null 2>&1 <in # note\ny"),
            [
                "x",
                "[>]",
                "/dev/null",
                "[2>&]",
                "1",
                "[<]",
                "in",
                "<\\n>",
                "y"
            ]
        );
        assert_eq!(words("a\\\nb c\\\n d"), ["ab", "c", "d"]);
        assert_eq!(words("a#b #c"), ["a#b"]);
    }

    #[test]
    fn expansions_through_the_lookup() {
        let vars: Lookup<'_> = &|n| (n == "x").then(|| b"X".to_vec());
        let mut l = Lexer::new(b"a=$x${x}\"$x\"'$x' $(date) `id` ${y:-z} $1 $");
        let mut got: Vec<(String, Option<String>, bool)> = Vec::new();
        while let Some(Token::Word(w)) = l.next_token(vars).unwrap() {
            got.push((
                String::from_utf8(w.text.clone()).unwrap(),
                w.assign.clone(),
                w.unexpanded,
            ));
        }
        assert_eq!(
            got,
            [
                ("a=XXX$x".into(), Some("a".into()), false),
                ("$(date)".into(), None, true),
                ("`id`".into(), None, true),
                ("${y:-z}".into(), None, true),
                ("$1".into(), None, true),
                ("$".into(), None, false),
            ]
        );
    }

    #[test]
    fn unterminated_quotes_are_errors_at_the_quote() {
        let none: Lookup<'_> = &|_| None;
        for (text, line, col, msg) in [
            ("a 'b", 1, 3, "unterminated single-quoted string"),
            ("a\n  \"b\nc", 2, 3, "unterminated double-quoted string"),
            ("`x", 1, 1, "unterminated command substitution (`)"),
            ("x ${a", 1, 3, "unterminated ${"),
            ("x $(a", 1, 3, "unterminated $("),
        ] {
            let mut l = Lexer::new(text.as_bytes());
            let e = loop {
                match l.next_token(none) {
                    Ok(Some(_)) => continue,
                    Ok(None) => panic!("{text}: no error"),
                    Err(e) => break e,
                }
            };
            assert_eq!(
                (e.line, e.col, e.message.as_str()),
                (line, col, msg),
                "{text}"
            );
        }
    }

    #[test]
    fn simple_commands_look_into_compounds() {
        let cmds = simple_commands(
            b"PATH=/usr/local/sbin rjib addm x em0 > /dev/null; if rjib destroy x; then echo ok; fi\nfor i in a; do :; done",
        )
        .unwrap();
        let texts: Vec<Vec<&str>> = cmds
            .iter()
            .map(|c| {
                c.words
                    .iter()
                    .map(|w| std::str::from_utf8(&w.text).unwrap())
                    .collect()
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                vec!["rjib", "addm", "x", "em0"],
                vec!["rjib", "destroy", "x"],
                vec!["echo", "ok"],
                vec![":"],
            ]
        );
        assert_eq!(cmds[0].assigns[0].assign.as_deref(), Some("PATH"));
        assert!(cmds.iter().all(|c| !c.background));
    }

    /// Which simple commands the shell does not wait for: those of an
    /// and-or list ended by `&`, also inside a subshell or a compound
    /// command ended by `&` (XCU 2.9.3.1).
    #[test]
    fn background_commands() {
        let bg = |text: &str| -> Vec<(String, bool)> {
            simple_commands(text.as_bytes())
                .unwrap()
                .into_iter()
                .map(|c| {
                    (
                        String::from_utf8(c.words[0].text.clone()).unwrap(),
                        c.background,
                    )
                })
                .collect()
        };
        let s = |w: &str, b: bool| (w.to_string(), b);
        assert_eq!(bg("a & "), [s("a", true)]);
        assert_eq!(bg("a; b &"), [s("a", false), s("b", true)]);
        assert_eq!(
            bg("a && b & c"),
            [s("a", true), s("b", true), s("c", false)]
        );
        assert_eq!(
            bg("a | b &\nc"),
            [s("a", true), s("b", true), s("c", false)]
        );
        assert_eq!(
            bg("(a; b) & c"),
            [s("a", true), s("b", true), s("c", false)]
        );
        assert_eq!(bg("{ a; b; } &"), [s("a", true), s("b", true)]);
        assert_eq!(
            bg("if a; then b; fi & c"),
            [s("a", true), s("b", true), s("c", false)]
        );
        assert_eq!(
            bg("x; (a & b); c"),
            [s("x", false), s("a", true), s("b", false), s("c", false)]
        );
        assert_eq!(bg("a 2>&1 >/dev/null"), [s("a", false)]);
    }

    /// Review 13, F8: an and-or list or pipeline that ends in its operator
    /// is a syntax error for sh(1); one continued on the next line is not.
    #[test]
    fn an_operator_needs_a_command_after_it() {
        for (text, op, col) in [
            ("rjib addm j em0 &&", "&&", 17),
            ("a ||  # comment", "||", 3),
            ("a |", "|", 3),
            ("a && ; b", "&&", 3),
            ("(a &&)", "&&", 4),
        ] {
            let e = simple_commands(text.as_bytes()).unwrap_err();
            assert_eq!(e.col, col, "{text}");
            assert!(
                e.message.starts_with(&format!("no command after \"{op}\"")),
                "{text}: {}",
                e.message
            );
        }
        for text in ["a &&\nb", "a || (b)", "a | >f", "a && b &"] {
            assert!(simple_commands(text.as_bytes()).is_ok(), "{text}");
        }
    }
}
