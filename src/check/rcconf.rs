//! rc.conf(5) as data: the variable assignments of sh(1) files, read
//! without running them.
//!
//! rc.conf is a shell script that `/etc/rc` sources. Only what boot would
//! assign is taken: simple commands made of assignments alone (`a=1 b="x
//! y"`), in file order, later ones winning, with `$NAME` and `${NAME}`
//! expanded from the assignments before them (an unset name is empty, as
//! in sh). Everything else — commands, functions, `if` bodies' conditions —
//! is skipped, and other expansions (`$(…)`, `${a:-b}`) stay as written.
//! A quote sh cannot close is a syntax error: boot would fail on it too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::sh::{Lexer, Lookup, OPENERS, Token, Word};
use crate::jailconf::{Loc, SyntaxError};

/// One variable's value and where it was last assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub value: String,
    pub loc: Loc,
}

/// The variables of one or more rc.conf files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RcConf {
    vars: HashMap<String, Assignment>,
    /// The files read, in order.
    pub files: Vec<PathBuf>,
}

impl RcConf {
    /// The assignment of `name`, if it has a non-empty value (rc.subr treats
    /// an empty variable as unset).
    pub fn get(&self, name: &str) -> Option<&Assignment> {
        self.vars.get(name).filter(|a| !a.value.is_empty())
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(|a| a.value.as_str())
    }

    /// Reads `text` as the file `file`, after the files read before.
    pub fn read_str(&mut self, text: &str, file: &Path) -> Result<(), SyntaxError> {
        self.read_bytes(text.as_bytes(), file)
    }

    /// Reads `text` as the file `file`, after the files read before. A
    /// value that is not UTF-8 is kept with U+FFFD in place of the bytes
    /// that are not.
    pub fn read_bytes(&mut self, text: &[u8], file: &Path) -> Result<(), SyntaxError> {
        self.files.push(file.to_path_buf());
        let file: std::sync::Arc<Path> = std::sync::Arc::from(file);
        let mut lexer = Lexer::new(text);
        let mut pending: Vec<(String, Assignment)> = Vec::new();
        let mut command = false;
        loop {
            let tok = {
                let vars = &self.vars;
                let pend = &pending;
                let lookup: Lookup<'_> = &|name| {
                    let v = pend
                        .iter()
                        .rev()
                        .find(|(n, _)| n == name)
                        .map(|(_, a)| a)
                        .or_else(|| vars.get(name));
                    Some(v.map(|a| a.value.as_bytes().to_vec()).unwrap_or_default())
                };
                lexer.next_token(lookup).map_err(|e| SyntaxError {
                    loc: Loc {
                        file: file.clone(),
                        line: e.line,
                        col: e.col,
                    },
                    message: e.message,
                })?
            };
            match tok {
                Some(Token::Word(w)) if !command && w.assign.is_some() => {
                    pending.push(assignment(w, &file));
                }
                // `then x=1`: the reserved word opens, the assignment counts.
                Some(Token::Word(w))
                    if !command
                        && pending.is_empty()
                        && !w.quoted
                        && OPENERS.iter().any(|o| o.as_bytes() == w.text) => {}
                Some(Token::Word(_)) | Some(Token::Redir(_)) => command = true,
                Some(Token::Sep(_)) | None => {
                    // A command with assignments in front only sets them
                    // for itself.
                    if !command {
                        for (name, a) in pending.drain(..) {
                            self.vars.insert(name, a);
                        }
                    }
                    pending.clear();
                    command = false;
                    if tok.is_none() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

fn assignment(w: Word, file: &std::sync::Arc<Path>) -> (String, Assignment) {
    let name = w.assign.clone().expect("an assignment word");
    let value = String::from_utf8_lossy(w.value()).into_owned();
    (
        name,
        Assignment {
            value,
            loc: Loc {
                file: file.clone(),
                line: w.line,
                col: w.col,
            },
        },
    )
}

/// rc.subr's `ltr IF '.-/+' '_'` (`crate::jib::vlan::rc_var`).
pub use crate::jib::vlan::rc_var as var_part;

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> RcConf {
        let mut rc = RcConf::default();
        rc.read_str(text, Path::new("/etc/rc.conf")).unwrap();
        rc
    }

    #[test]
    fn assignments_quotes_comments() {
        let rc = read(
            "# comment\n\
             cloned_interfaces=\"bridge0\"  # trailing\n\
             ifconfig_bridge0_name=vtnet0bridge\n\
             a='single $x' b=\"double ${cloned_interfaces}\"; c=1\n\
             long=\"one\n two\"\n\
             empty=\"\"\n",
        );
        assert_eq!(rc.value("cloned_interfaces"), Some("bridge0"));
        assert_eq!(rc.value("ifconfig_bridge0_name"), Some("vtnet0bridge"));
        assert_eq!(rc.value("a"), Some("single $x"));
        assert_eq!(rc.value("b"), Some("double bridge0"));
        assert_eq!(rc.value("c"), Some("1"));
        assert_eq!(rc.value("long"), Some("one\n two"));
        assert_eq!(rc.value("empty"), None, "empty is unset for rc.subr");
        let loc = &rc.get("ifconfig_bridge0_name").unwrap().loc;
        assert_eq!((loc.line, loc.col), (3, 1));
        assert_eq!(rc.get("c").unwrap().loc.line, 4);
    }

    #[test]
    fn later_wins_and_commands_are_skipped() {
        let rc = read("x=1\nx=2\ny=3 echo hi\nif [ -f /x ]; then\n  z=4\nfi\nfoo() { w=5; }\n");
        assert_eq!(rc.value("x"), Some("2"));
        assert_eq!(
            rc.value("y"),
            None,
            "an assignment before a command is the command's"
        );
        assert_eq!(rc.value("z"), Some("4"));
        assert_eq!(rc.value("w"), Some("5"), "a function body is read as text");
        assert_eq!(read("then v=6\n").value("v"), Some("6"));
    }

    /// The shapes /etc/defaults/rc.conf has: a guarded function with a
    /// case, and a backquote in a comment.
    #[test]
    fn defaults_style_shell_code_is_skipped() {
        let rc = read(
            "level=\"-1\"\t# range: -1..3 ; `-1' is the least secure\n\
             if [ -z \"${g_defined}\" ]; then\n\
             \tg_defined=yes\n\
             \tg() {\n\
             \t\tlocal i seen\n\
             \t\tfor i in ${files}; do\n\
             \t\t\tcase ${seen} in\n\
             \t\t\t*:$i:*)\n\
             \t\t\t\t;;\n\
             \t\t\t*)\n\
             \t\t\t\tif [ -r $i ]; then\n\
             \t\t\t\t\t. $i\n\
             \t\t\t\tfi\n\
             \t\t\t\t;;\n\
             \t\t\tesac\n\
             \t\tdone\n\
             \t}\n\
             fi\n\
             jail_conf=\"/etc/jail.conf\"\n",
        );
        assert_eq!(rc.value("level"), Some("-1"));
        assert_eq!(rc.value("g_defined"), Some("yes"));
        assert_eq!(rc.value("jail_conf"), Some("/etc/jail.conf"));
    }

    #[test]
    fn unterminated_quote_is_a_syntax_error() {
        let mut rc = RcConf::default();
        let e = rc
            .read_str(
                "a=1\nifconfig_em0=\"inet 10.0.0.1/24\n",
                Path::new("/etc/rc.conf"),
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "/etc/rc.conf:2:14: unterminated double-quoted string"
        );
    }
}
