//! The rjib and jib commands in a jail's `exec.*` parameters: how jail(8)
//! runs them, what their arguments are (parsed by rjib's own command-line
//! parser), and whether boot's PATH finds the program.

use std::path::{Path, PathBuf};

use super::report::{Code, Finding};
use super::sh;
use crate::cli::{self, Action, Invocation, Parsed};
use crate::jailconf::{Jail, Value};
use crate::jib::mac::Scheme;
use crate::jib::name::JailName;
use crate::net::PortVlans;

/// The parameters whose commands run before `vnet.interface` is moved, in
/// jail(8)'s order: where an `addm` works.
pub const ADDM_PARAMS: [&str; 3] = ["exec.prepare", "exec.prestart", "exec.created"];

/// The parameters whose commands run after the jail is removed: where a
/// `destroy` belongs.
pub const DESTROY_PARAMS: [&str; 2] = ["exec.poststop", "exec.release"];

/// PATH when rc.d/jail runs at boot (`/etc/rc`) and under service(8).
pub const BOOT_PATH: [&str; 4] = ["/sbin", "/bin", "/usr/sbin", "/usr/bin"];

/// The characters that make jail(8) run a command with `/bin/sh -c`
/// (`command.c` `run_command`).
const SHELL_CHARS: &str = "!\"$&'()*;<>?[\\]`{|}~";

/// How jail(8) runs one command string (`command.c` `run_command`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// Split on blanks and execvp(3)'d; `background` for a trailing `&`
    /// (jail(8) then does not wait for it).
    Exec { background: bool },
    /// `/bin/sh -c STRING`.
    Shell,
}

pub fn runner(cmd: &str) -> Runner {
    match cmd.find(|c| SHELL_CHARS.contains(c)) {
        None => Runner::Exec { background: false },
        Some(i) if &cmd[i..] == "&" => Runner::Exec { background: true },
        Some(_) => Runner::Shell,
    }
}

/// One rjib or jib command found in a parameter.
#[derive(Clone, Debug)]
pub struct Found<'j> {
    pub param: &'static str,
    pub value: &'j Value,
    pub runner: Runner,
    /// argv, the program as written first.
    pub argv: Vec<String>,
    /// A `PATH=…` assignment in front of it (sh).
    pub sets_path: bool,
    /// An argument has a shell expansion only sh can do.
    pub unexpanded: bool,
}

fn is_ours(word: &str) -> bool {
    matches!(word.rsplit('/').next(), Some("rjib" | "jib"))
}

/// The rjib/jib commands of `param` in `jail`, and findings for command
/// strings that sh cannot even read.
pub fn find<'j>(
    jail: &'j Jail,
    param: &'static str,
    findings: &mut Vec<Finding>,
) -> Vec<Found<'j>> {
    let mut out = Vec::new();
    let Some(p) = jail.get(param) else {
        return out;
    };
    for value in &p.values {
        let text = value.text.as_str();
        match runner(text) {
            r @ Runner::Exec { background } => {
                let body = if background {
                    &text[..text.len() - 1]
                } else {
                    text
                };
                let argv: Vec<String> = body
                    .split(|c| " \t\x0c\x0b\r\n".contains(c))
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect();
                if argv.first().is_some_and(|w| is_ours(w)) {
                    out.push(Found {
                        param,
                        value,
                        runner: r,
                        argv,
                        sets_path: false,
                        unexpanded: false,
                    });
                }
            }
            Runner::Shell => match sh::simple_commands(text) {
                Ok(cmds) => {
                    for c in cmds {
                        if c.words.first().is_some_and(|w| is_ours(&w.text)) {
                            out.push(Found {
                                param,
                                value,
                                runner: Runner::Shell,
                                argv: c.words.iter().map(|w| w.text.clone()).collect(),
                                sets_path: c
                                    .assigns
                                    .iter()
                                    .any(|a| a.assign.as_deref() == Some("PATH")),
                                unexpanded: c.words.iter().any(|w| w.unexpanded),
                            });
                        }
                    }
                }
                Err(e) => {
                    if text.split_whitespace().any(is_ours) {
                        findings.push(Finding::new(
                            &value.loc,
                            &jail.name,
                            Code::CommandLine,
                            format!(
                                "{param}: /bin/sh cannot run {text:?}: {} (column {} of the command)",
                                e.message, e.col
                            ),
                        ));
                    }
                }
            },
        }
    }
    out
}

/// What a found command does, as rjib's parser reads its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meaning {
    Addm {
        suffix: String,
        name: JailName,
        ifaces: Vec<String>,
        vlans: Vec<PortVlans>,
        scheme: Scheme,
    },
    Destroy {
        name: JailName,
    },
    /// Something that creates and destroys nothing (`show`, `check`).
    Other,
    /// A command line that fails: the finding's code and message.
    Wrong(Code, String),
}

/// `cli::parse` on words of a jail.conf(5) command (UTF-8 text).
fn parse(argv: &[String]) -> Parsed {
    let argv: Vec<std::ffi::OsString> = argv.iter().map(Into::into).collect();
    cli::parse(&argv)
}

/// Reads `argv` with `cli::parse`, the parser rjib itself uses.
pub fn meaning(argv: &[String]) -> Meaning {
    match parse(argv) {
        Parsed::Run(Invocation {
            dry_run: true,
            action: Action::Addm { .. } | Action::Destroy { .. },
            ..
        }) => Meaning::Wrong(
            Code::CommandLine,
            "-n makes this a dry run: it prints commands and changes nothing".into(),
        ),
        Parsed::Run(Invocation { action, .. }) => match action {
            Action::Addm {
                suffix,
                jail,
                ifaces,
                vlans,
                scheme,
            } => Meaning::Addm {
                suffix,
                name: jail,
                ifaces,
                vlans,
                scheme,
            },
            Action::Destroy { jail } => Meaning::Destroy { name: jail },
            _ => Meaning::Other,
        },
        Parsed::Info(_) => Meaning::Wrong(
            Code::CommandLine,
            "this prints help or the version and does nothing else".into(),
        ),
        Parsed::Error { message, .. } => Meaning::Wrong(Code::CommandLine, message),
        Parsed::BadVlan { message, .. } => Meaning::Wrong(Code::VlanInvalid, message),
        Parsed::Usage { prog, usage, .. } => {
            if let Some(bad) = bad_name(argv) {
                return Meaning::Wrong(
                    Code::NameCharset,
                    if bad.is_empty() {
                        "NAME is empty; jib accepts letters, digits and _ only".into()
                    } else {
                        format!(
                            "NAME {bad:?} has characters jib refuses; it accepts letters, digits and _ only"
                        )
                    },
                );
            }
            let (err, _) = usage.texts(&prog);
            let first = err.lines().next().unwrap_or_default();
            Meaning::Wrong(Code::CommandLine, format!("usage error; {first}"))
        }
    }
}

/// When `argv` is a usage error only because of its NAME: that NAME. Found
/// with the parser itself: the word that, replaced by a valid name, makes
/// the command line parse with that name.
fn bad_name(argv: &[String]) -> Option<String> {
    let action = argv.iter().position(|w| w == "addm" || w == "destroy")?;
    for k in action + 1..argv.len() {
        // getopts takes a word with a leading `-` for options.
        if JailName::new(&argv[k]).is_some() || argv[k].starts_with('-') {
            continue;
        }
        let mut probe = argv.to_vec();
        probe[k] = "x".into();
        if let Parsed::Run(Invocation {
            action: Action::Addm { jail, .. } | Action::Destroy { jail },
            ..
        }) = parse(&probe)
            && jail.as_str() == "x"
        {
            return Some(argv[k].clone());
        }
    }
    None
}

/// Whether jail(8) at boot finds the program `prog` (as written): `None`
/// when it does, else what to say.
///
/// A name with a `/` is used as it is. A bare name is looked up in PATH:
/// at boot `/etc/rc` sets `/sbin:/bin:/usr/sbin:/usr/bin`, and jail(8)
/// replaces it with the login class's path (which has `/usr/local/sbin`)
/// only for `exec.clean` or `exec.system_user` (`command.c`
/// `run_command`, `setusercontext(… LOGIN_SETPATH …)`); sh(1) and
/// execvp(3) search the same PATH. `exists` says whether a file exists on
/// this machine.
pub fn path_problem(
    prog: &str,
    login_path: bool,
    sets_path: bool,
    exists: &dyn Fn(&Path) -> bool,
) -> Option<String> {
    if prog.contains('/') || login_path || sets_path {
        return None;
    }
    if BOOT_PATH
        .iter()
        .any(|d| exists(&PathBuf::from(d).join(prog)))
    {
        return None;
    }
    let full = if prog == "jib" {
        "/usr/share/examples/jails/jib"
    } else {
        "/usr/local/sbin/rjib"
    };
    Some(format!(
        "{prog} is not in boot's PATH ({}) and the jail has neither exec.clean nor exec.system_user, \
         so jail(8) fails with \"exec {prog}: No such file or directory\" at boot and under service(8); \
         write the full path ({full})",
        BOOT_PATH.join(":")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn execvp_or_sh_like_jail8() {
        assert_eq!(
            runner("rjib addm web em0"),
            Runner::Exec { background: false }
        );
        assert_eq!(
            runner("rjib addm web em0 &"),
            Runner::Exec { background: true }
        );
        assert_eq!(runner("rjib addm web em0 !em1"), Runner::Shell);
        assert_eq!(runner("rjib addm -b \"\" web em0"), Runner::Shell);
        assert_eq!(runner("a & b"), Runner::Shell);
    }

    #[test]
    fn meanings_from_rjibs_parser() {
        assert_eq!(
            meaning(&argv(
                "/usr/local/sbin/rjib addm -m sha256 -b br web em0 !em1"
            )),
            Meaning::Addm {
                suffix: "br".into(),
                name: JailName::new("web").unwrap(),
                ifaces: vec!["em0".into(), "!em1".into()],
                vlans: vec![PortVlans::default(); 2],
                scheme: Scheme::Sha256
            }
        );
        assert_eq!(
            meaning(&argv("jib destroy web")),
            Meaning::Destroy {
                name: JailName::new("web").unwrap()
            }
        );
        assert_eq!(meaning(&argv("rjib show")), Meaning::Other);
        for (cmd, code, needle) in [
            ("rjib addm my-jail em0", Code::NameCharset, "\"my-jail\""),
            ("rjib addm -b br web.1 em0", Code::NameCharset, "\"web.1\""),
            (
                "rjib addm -b my-br web.1 em0",
                Code::NameCharset,
                "\"web.1\"",
            ),
            (
                "rjib addm -x web em0",
                Code::CommandLine,
                "Usage: rjib addm",
            ),
            ("rjib destroy a.b", Code::NameCharset, "\"a.b\""),
            ("rjib addm web", Code::CommandLine, "Usage: rjib addm"),
            ("jib addm", Code::CommandLine, "Usage: jib addm"),
            ("rjib addm -m md5 web em0", Code::CommandLine, "md5"),
            ("rjib -n addm web em0", Code::CommandLine, "dry run"),
            ("rjib addm --help", Code::CommandLine, "help"),
            ("rjib destroy a b", Code::CommandLine, "Usage: rjib destroy"),
            (
                "rjib addm web em0 untagged 0",
                Code::VlanInvalid,
                "em0 untagged 0",
            ),
            (
                "rjib addm web tagged 5 em0",
                Code::VlanInvalid,
                "tagged: comes before",
            ),
        ] {
            match meaning(&argv(cmd)) {
                Meaning::Wrong(c, m) => {
                    assert_eq!(c, code, "{cmd}: {m}");
                    assert!(m.contains(needle), "{cmd}: {m}");
                }
                other => panic!("{cmd}: {other:?}"),
            }
        }
        assert_eq!(
            meaning(&["rjib".into(), "addm".into(), "".into(), "em0".into()]),
            Meaning::Wrong(
                Code::NameCharset,
                "NAME is empty; jib accepts letters, digits and _ only".into()
            )
        );
    }

    #[test]
    fn path_at_boot() {
        let none = |_: &Path| false;
        assert!(path_problem("rjib", false, false, &none).is_some());
        assert!(
            path_problem("jib", false, false, &none)
                .unwrap()
                .contains("/usr/share/examples/jails/jib")
        );
        assert!(path_problem("/usr/local/sbin/rjib", false, false, &none).is_none());
        assert!(
            path_problem("rjib", true, false, &none).is_none(),
            "exec.clean"
        );
        assert!(path_problem("rjib", false, true, &none).is_none(), "PATH=…");
        let in_sbin = |p: &Path| p == Path::new("/usr/sbin/rjib");
        assert!(path_problem("rjib", false, false, &in_sbin).is_none());
    }
}
