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

use std::iter::Peekable;
use std::str::Chars;

/// One word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal and the expansions the lookup did.
    pub text: String,
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
    pub fn value(&self) -> &str {
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
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

pub struct Lexer<'t> {
    chars: Peekable<Chars<'t>>,
    line: u32,
    col: u32,
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters that end an unquoted word.
fn ends_word(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>'
    )
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str) -> Lexer<'t> {
        Lexer {
            chars: text.chars().peekable(),
            line: 1,
            col: 1,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
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
                Some(' ' | '\t') => {
                    self.bump();
                }
                Some('\\') => {
                    // A line continuation between words is nothing.
                    let mut ahead = self.chars.clone();
                    ahead.next();
                    if ahead.next() == Some('\n') {
                        self.bump();
                        self.bump();
                    } else {
                        return self.word(lookup).map(Some);
                    }
                }
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                Some('\n') => {
                    self.bump();
                    return Ok(Some(Token::Sep("\n")));
                }
                Some(c @ (';' | '&' | '|')) => {
                    self.bump();
                    let double = self.peek() == Some(c);
                    if double {
                        self.bump();
                    }
                    return Ok(Some(Token::Sep(match (c, double) {
                        (';', false) => ";",
                        (';', true) => ";;",
                        ('&', false) => "&",
                        ('&', true) => "&&",
                        ('|', false) => "|",
                        _ => "||",
                    })));
                }
                Some(c @ ('(' | ')')) => {
                    self.bump();
                    return Ok(Some(Token::Sep(if c == '(' { "(" } else { ")" })));
                }
                Some('<' | '>') => return Ok(Some(self.redirection(String::new()))),
                Some(_) => return self.word(lookup).map(Some),
            }
        }
    }

    /// A redirection operator, after its optional IO number.
    fn redirection(&mut self, mut op: String) -> Token {
        let first = self.bump().expect("a redirection character");
        op.push(first);
        if let Some(c) = self.peek()
            && matches!((first, c), ('>', '>' | '&' | '|') | ('<', '<' | '&' | '>'))
        {
            op.push(c);
            self.bump();
            if op.ends_with("<<") && self.peek() == Some('-') {
                op.push('-');
                self.bump();
            }
        }
        Token::Redir(op)
    }

    fn word(&mut self, lookup: Lookup<'_>) -> Result<Token, LexError> {
        let (line, col) = (self.line, self.col);
        let mut w = Word {
            text: String::new(),
            assign: None,
            unexpanded: false,
            quoted: false,
            line,
            col,
        };
        // NAME= at the start, unquoted.
        let mut ahead = self.chars.clone();
        if ahead.next().is_some_and(is_name_start) {
            let mut n = 1;
            while ahead.peek().copied().is_some_and(is_name_char) {
                ahead.next();
                n += 1;
            }
            if ahead.next() == Some('=') {
                let name: String = (0..n).filter_map(|_| self.bump()).collect();
                self.bump();
                w.text.push_str(&name);
                w.text.push('=');
                w.assign = Some(name);
            }
        }
        while let Some(c) = self.peek() {
            match c {
                c if ends_word(c) => {
                    // An all-digit word right before < or > is an IO number.
                    if matches!(c, '<' | '>')
                        && !w.quoted
                        && w.assign.is_none()
                        && !w.text.is_empty()
                        && w.text.bytes().all(|b| b.is_ascii_digit())
                    {
                        return Ok(self.redirection(w.text));
                    }
                    break;
                }
                '\\' => {
                    self.bump();
                    w.quoted = true;
                    match self.bump() {
                        Some('\n') => {}
                        Some(e) => w.text.push(e),
                        None => w.text.push('\\'),
                    }
                }
                '\'' => {
                    let (l, k) = (self.line, self.col);
                    self.bump();
                    w.quoted = true;
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some(ch) => w.text.push(ch),
                            None => {
                                return Err(Self::error(l, k, "unterminated single-quoted string"));
                            }
                        }
                    }
                }
                '"' => {
                    let (l, k) = (self.line, self.col);
                    self.bump();
                    w.quoted = true;
                    loop {
                        match self.peek() {
                            Some('"') => {
                                self.bump();
                                break;
                            }
                            Some('\\') => {
                                self.bump();
                                match self.peek() {
                                    Some('\n') => {
                                        self.bump();
                                    }
                                    Some(e @ ('$' | '`' | '"' | '\\')) => {
                                        self.bump();
                                        w.text.push(e);
                                    }
                                    _ => w.text.push('\\'),
                                }
                            }
                            Some('$') => self.dollar(&mut w, lookup)?,
                            Some('`') => self.backquote(&mut w)?,
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
                '$' => self.dollar(&mut w, lookup)?,
                '`' => self.backquote(&mut w)?,
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
        w.text.push('`');
        w.unexpanded = true;
        loop {
            match self.bump() {
                Some('`') => {
                    w.text.push('`');
                    return Ok(());
                }
                Some('\\') => {
                    w.text.push('\\');
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
                    name.push(c);
                    self.bump();
                }
                self.expand(w, &name, &format!("${name}"), lookup);
            }
            Some('{') => {
                self.bump();
                let mut inner = String::new();
                let mut depth = 1;
                loop {
                    match self.bump() {
                        Some('}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            inner.push('}');
                        }
                        Some('{') => {
                            depth += 1;
                            inner.push('{');
                        }
                        Some(ch) => inner.push(ch),
                        None => return Err(Self::error(l, k, "unterminated ${")),
                    }
                }
                let simple = inner.chars().next().is_some_and(is_name_start)
                    && inner.chars().all(is_name_char);
                if simple {
                    self.expand(w, &inner, &format!("${{{inner}}}"), lookup);
                } else {
                    w.text.push_str(&format!("${{{inner}}}"));
                    w.unexpanded = true;
                }
            }
            Some('(') => {
                let mut depth = 0;
                w.text.push('$');
                w.unexpanded = true;
                loop {
                    match self.bump() {
                        Some('(') => {
                            depth += 1;
                            w.text.push('(');
                        }
                        Some(')') => {
                            depth -= 1;
                            w.text.push(')');
                            if depth == 0 {
                                break;
                            }
                        }
                        Some(ch) => w.text.push(ch),
                        None => return Err(Self::error(l, k, "unterminated $(")),
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || "@*#?-$!".contains(c) => {
                self.bump();
                w.text.push('$');
                w.text.push(c);
                w.unexpanded = true;
            }
            // A lone `$` is itself.
            _ => w.text.push('$'),
        }
        Ok(())
    }

    fn expand(&mut self, w: &mut Word, name: &str, written: &str, lookup: Lookup<'_>) {
        match lookup(name) {
            Some(v) => w.text.push_str(&v),
            None => {
                w.text.push_str(written);
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
}

/// Words that open a compound command before a simple one (`if rjib …`).
pub const OPENERS: &[&str] = &[
    "if", "then", "else", "elif", "while", "until", "do", "!", "{",
];

/// The simple commands of `text`, with no lookup (every `$` expansion is
/// flagged). Compound commands are looked into: `if a; then b; fi` gives
/// `a` and `b`; `for` and `case` are skipped.
pub fn simple_commands(text: &str) -> Result<Vec<Simple>, LexError> {
    let none: Lookup<'_> = &|_| None;
    let mut lexer = Lexer::new(text);
    let mut out = Vec::new();
    let mut cur = Simple::default();
    let mut skip_target = false;
    let mut skip_command = false;
    let finish = |cur: &mut Simple, out: &mut Vec<Simple>, skip: &mut bool| {
        let c = std::mem::take(cur);
        if !*skip && (!c.words.is_empty() || !c.assigns.is_empty()) {
            out.push(c);
        }
        *skip = false;
    };
    while let Some(tok) = lexer.next_token(none)? {
        match tok {
            Token::Sep(_) => finish(&mut cur, &mut out, &mut skip_command),
            Token::Redir(_) => skip_target = true,
            Token::Word(w) => {
                if std::mem::take(&mut skip_target) {
                    continue;
                }
                if cur.words.is_empty() {
                    if w.assign.is_some() {
                        cur.assigns.push(w);
                        continue;
                    }
                    if !w.quoted && OPENERS.contains(&w.text.as_str()) {
                        continue;
                    }
                    if !w.quoted && matches!(w.text.as_str(), "for" | "case") {
                        skip_command = true;
                    }
                }
                cur.words.push(w);
            }
        }
    }
    finish(&mut cur, &mut out, &mut skip_command);
    // `fi`, `done`, `esac` and `}` alone are not commands.
    out.retain(|c| {
        !(c.assigns.is_empty()
            && c.words.len() == 1
            && !c.words[0].quoted
            && matches!(c.words[0].text.as_str(), "fi" | "done" | "esac" | "}"))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let none: Lookup<'_> = &|_| None;
        let mut l = Lexer::new(text);
        let mut out = Vec::new();
        while let Some(t) = l.next_token(none).unwrap() {
            out.push(match t {
                Token::Word(w) => w.text,
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
        let vars: Lookup<'_> = &|n| (n == "x").then(|| "X".to_string());
        let mut l = Lexer::new("a=$x${x}\"$x\"'$x' $(date) `id` ${y:-z} $1 $");
        let mut got = Vec::new();
        while let Some(Token::Word(w)) = l.next_token(vars).unwrap() {
            got.push((w.text.clone(), w.assign.clone(), w.unexpanded));
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
            let mut l = Lexer::new(text);
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
            "PATH=/usr/local/sbin rjib addm x em0 > /dev/null; if rjib destroy x; then echo ok; fi\nfor i in a; do :; done",
        )
        .unwrap();
        let texts: Vec<Vec<&str>> = cmds
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.as_str()).collect())
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
    }
}
