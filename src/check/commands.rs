//! The rjib and jib commands in a jail's `exec.*` parameters: how jail(8)
//! runs them, what their arguments are (parsed by rjib's own command-line
//! parser), and whether boot's PATH finds the program.
//!
//! Commands are bytes, as jail.conf(5) holds them; they reach rjib's parser
//! as the bytes jail(8) would pass, and messages show them escaped.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::report::{Code, Finding};
use super::sh;
use crate::cli::{self, Action, Invocation, Parsed};
use crate::jailconf::{Jail, Value, show};
use crate::jib::mac::Scheme;
use crate::jib::name::JailName;
use crate::net::VlanArgs;

/// The parameters whose commands run before `vnet.interface` is moved, in
/// jail(8)'s order: where an `addm` works.
pub const ADDM_PARAMS: [&str; 3] = ["exec.prepare", "exec.prestart", "exec.created"];

/// The parameters whose commands run after the jail is removed: where a
/// `destroy` belongs.
pub const DESTROY_PARAMS: [&str; 2] = ["exec.poststop", "exec.release"];

/// Every parameter whose values jail(8) runs as commands, in the order it
/// runs them when a jail starts and stops (jail.conf(5); jail.c
/// `startcommands`, `stopcommands`).
pub const HOOKS: [&str; 10] = [
    "exec.prepare",
    "exec.prestart",
    "exec.created",
    "exec.start",
    "command",
    "exec.poststart",
    "exec.prestop",
    "exec.stop",
    "exec.poststop",
    "exec.release",
];

/// The hooks jail(8) runs inside the jail (`command.c` `run_command`:
/// `injail`); every other runs on the host.
pub const IN_JAIL: [&str; 3] = ["exec.start", "command", "exec.stop"];

/// Why an addm in `hook` (not one of [`ADDM_PARAMS`]) does not give the
/// jail its network.
pub fn wrong_hook(hook: &str) -> &'static str {
    match hook {
        "exec.start" | "command" => {
            "jail(8) runs it inside the jail, not on the host, after vnet.interface is moved"
        }
        "exec.stop" => "jail(8) runs it inside the jail when the jail stops, not on the host",
        "exec.poststart" => {
            "jail(8) would run it only after moving vnet.interface, which fails while the epair \
             does not exist, and then the start fails and it never runs"
        }
        _ => "jail(8) runs it when the jail stops, not when it starts",
    }
}

/// PATH when rc.d/jail runs at boot (`/etc/rc`) and under service(8).
pub const BOOT_PATH: [&str; 4] = ["/sbin", "/bin", "/usr/sbin", "/usr/bin"];

/// The characters that make jail(8) run a command with `/bin/sh -c`
/// (`command.c` `run_command`).
const SHELL_CHARS: &[u8] = b"!\"$&'()*;<>?[\\]`{|}~";

/// How jail(8) runs one command string (`command.c` `run_command`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// Split on blanks and execvp(3)'d; `background` for a trailing `&`
    /// (jail(8) then does not wait for it).
    Exec { background: bool },
    /// `/bin/sh -c STRING`.
    Shell,
}

pub fn runner(cmd: &[u8]) -> Runner {
    match cmd.iter().position(|c| SHELL_CHARS.contains(c)) {
        None => Runner::Exec { background: false },
        Some(i) if &cmd[i..] == b"&" => Runner::Exec { background: true },
        Some(_) => Runner::Shell,
    }
}

/// One rjib or jib command found in a parameter.
#[derive(Clone, Debug)]
pub struct Found {
    pub param: &'static str,
    /// The command string, and where it was written.
    pub value: Value,
    pub runner: Runner,
    /// jail(8) or sh does not wait for it: a trailing `&` for jail(8), or
    /// an `&` that puts it in the background for sh.
    pub background: bool,
    /// argv, the program as written first.
    pub argv: Vec<Vec<u8>>,
    /// A `PATH=…` assignment in front of it (sh, or env(1)'s).
    pub sets_path: bool,
    /// The program that runs it (`nohup`, `env`, `daemon`, …), if not
    /// jail(8) or sh directly.
    pub wrapper: Option<String>,
    /// An argument has a shell expansion only sh can do.
    pub unexpanded: bool,
}

fn is_ours(word: &[u8]) -> bool {
    matches!(word.rsplit(|c| *c == b'/').next(), Some(b"rjib" | b"jib"))
}

/// Programs that run the command their arguments name: nohup(1), env(1),
/// daemon(8), command(1) and, in sh(1), `exec`. Their options come first;
/// the command is the first word that is rjib or jib.
const WRAPPERS: [&str; 5] = ["nohup", "env", "daemon", "command", "exec"];

/// Where the rjib/jib command starts in `words`: 0 when it is the first
/// word, else after a wrapper (and the wrapper's name); `None` when the
/// words run no rjib/jib. `exec` counts only for sh, where it is a
/// builtin.
fn ours_at<'w>(words: &[&'w [u8]], shell: bool) -> Option<(usize, Option<&'w str>)> {
    let first = *words.first()?;
    if is_ours(first) {
        return Some((0, None));
    }
    let name = std::str::from_utf8(first.rsplit(|c| *c == b'/').next()?).ok()?;
    if !WRAPPERS.contains(&name) || (name == "exec" && !shell) {
        return None;
    }
    let k = words.iter().position(|w| is_ours(w))?;
    Some((k, Some(name)))
}

/// A word sh(1) would take as an assignment: `NAME=…`.
fn is_assignment(word: &[u8]) -> bool {
    match word.iter().position(|&c| c == b'=') {
        Some(i) if i > 0 => {
            (word[0].is_ascii_alphabetic() || word[0] == b'_')
                && word[..i]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        _ => false,
    }
}

/// The rjib/jib commands of the command string `value`, and a finding for
/// a string sh cannot even read that names one.
pub fn in_value(
    jail: &str,
    param: &'static str,
    value: &Value,
    findings: &mut Vec<Finding>,
) -> Vec<Found> {
    let mut out = Vec::new();
    let text = value.text.as_slice();
    match runner(text) {
        r @ Runner::Exec { background } => {
            let body = if background {
                &text[..text.len() - 1]
            } else {
                text
            };
            let words: Vec<&[u8]> = body
                .split(|c| b" \t\x0c\x0b\r\n".contains(c))
                .filter(|w| !w.is_empty())
                .collect();
            if let Some((k, wrapper)) = ours_at(&words, false) {
                let sets_path = words[..k].iter().skip(1).any(|w| w.starts_with(b"PATH="));
                out.push(Found {
                    param,
                    value: value.clone(),
                    runner: r,
                    background: background || wrapper == Some("daemon"),
                    argv: words[k..].iter().map(|w| w.to_vec()).collect(),
                    sets_path,
                    wrapper: wrapper.map(str::to_string),
                    unexpanded: false,
                });
            } else if words.first().is_some_and(|w| is_assignment(w))
                && words.iter().any(|w| is_ours(w))
            {
                // No shell character: jail(8) execvp(3)s the first word.
                findings.push(Finding::new(
                    &value.loc,
                    jail,
                    Code::CommandLine,
                    format!(
                        "{param}: \"{}\" has no shell character, so jail(8) runs it without /bin/sh \
                         and executes \"{}\" as the program, which fails, and the jail does not \
                         start; write the full path of the program (/usr/local/sbin/rjib), or put \
                         env(1) in front",
                        value.show(),
                        show(words[0])
                    ),
                ));
            }
        }
        Runner::Shell => match sh::simple_commands(text) {
            Ok(cmds) => {
                for c in cmds {
                    let texts: Vec<&[u8]> = c.words.iter().map(|w| w.text.as_slice()).collect();
                    if let Some((k, wrapper)) = ours_at(&texts, true) {
                        let words = &c.words[k..];
                        out.push(Found {
                            param,
                            value: value.clone(),
                            runner: Runner::Shell,
                            background: c.background || wrapper == Some("daemon"),
                            argv: words.iter().map(|w| w.text.clone()).collect(),
                            sets_path: c
                                .assigns
                                .iter()
                                .any(|a| a.assign.as_deref() == Some("PATH"))
                                || texts[..k].iter().skip(1).any(|w| w.starts_with(b"PATH=")),
                            wrapper: wrapper.map(str::to_string),
                            unexpanded: words.iter().any(|w| w.unexpanded),
                        });
                    }
                }
            }
            Err(e) => {
                let names_ours = text.split(|c| c.is_ascii_whitespace()).any(is_ours);
                if names_ours {
                    findings.push(Finding::new(
                        &value.loc,
                        jail,
                        Code::CommandLine,
                        format!(
                            "{param}: /bin/sh cannot run \"{}\": {} (column {} of the command)",
                            value.show(),
                            e.message,
                            e.col
                        ),
                    ));
                }
            }
        },
    }
    out
}

/// The rjib/jib commands of `param` in `jail`, and findings for command
/// strings that sh cannot even read. A value with a variable jail(8)
/// could not substitute is left out: the jail's problem already says why,
/// and jail(8) does not create the jail.
pub fn find(jail: &Jail, param: &'static str, findings: &mut Vec<Finding>) -> Vec<Found> {
    let Some(p) = jail.get(param) else {
        return Vec::new();
    };
    let name = jail.show_name();
    p.values
        .iter()
        .filter(|v| !v.incomplete)
        .flat_map(|v| in_value(&name, param, v, findings))
        .collect()
}

/// What a found command does, as rjib's parser reads its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meaning {
    Addm {
        suffix: String,
        name: JailName,
        ifaces: Vec<String>,
        vlans: Vec<VlanArgs>,
        scheme: Scheme,
    },
    Destroy {
        name: JailName,
    },
    /// A `prune` whose NAME jib refuses (`prune $name` for jail
    /// `nextcloud-prod`): it fails, and in `exec.prepare` jail(8) does
    /// not start the jail. The NAME it should have is the jail's addm's.
    PruneName {
        bad: Vec<u8>,
    },
    /// Something that creates and destroys nothing (`show`, `check`).
    Other,
    /// A command line that fails: the finding's code and message.
    Wrong(Code, String),
}

/// `cli::parse` on the words of a jail.conf(5) command, byte for byte.
fn parse(argv: &[Vec<u8>]) -> Parsed {
    let argv: Vec<OsString> = argv.iter().map(|w| OsString::from_vec(w.clone())).collect();
    cli::parse(&argv)
}

/// Reads `argv` with `cli::parse`, the parser rjib itself uses.
pub fn meaning(argv: &[Vec<u8>]) -> Meaning {
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
            if usage == cli::Usage::Prune
                && let Some(bad) = bad_name(argv)
            {
                return Meaning::PruneName { bad };
            }
            if let Some(bad) = bad_name(argv) {
                return Meaning::Wrong(
                    Code::NameCharset,
                    if bad.is_empty() {
                        "NAME is empty; jib accepts letters, digits and _ only".into()
                    } else {
                        format!(
                            "NAME \"{}\" has characters jib refuses; it accepts letters, digits and _ only",
                            show(&bad)
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

/// Whether `argv` is an addm command line, whatever its NAME and
/// interfaces: `probe` stands in for every word that `unexpanded` flags
/// (a `${name}` only jail(8) or sh would expand).
pub fn is_addm(argv: &[Vec<u8>], unexpanded: &[bool]) -> bool {
    let probe: Vec<Vec<u8>> = argv
        .iter()
        .zip(unexpanded.iter().chain(std::iter::repeat(&false)))
        .map(|(w, u)| if *u { b"x".to_vec() } else { w.clone() })
        .collect();
    matches!(
        parse(&probe),
        Parsed::Run(Invocation {
            action: Action::Addm { .. },
            ..
        })
    )
}

/// When `argv` is a usage error only because of its NAME: that NAME. Found
/// with the parser itself: the word that, replaced by a valid name, makes
/// the command line parse with that name.
fn bad_name(argv: &[Vec<u8>]) -> Option<Vec<u8>> {
    let action = argv
        .iter()
        .position(|w| w == b"addm" || w == b"destroy" || w == b"prune")?;
    for k in action + 1..argv.len() {
        // getopts takes a word with a leading `-` for options.
        let valid = std::str::from_utf8(&argv[k])
            .ok()
            .and_then(JailName::new)
            .is_some();
        if valid || argv[k].starts_with(b"-") {
            continue;
        }
        let mut probe = argv.to_vec();
        probe[k] = b"x".to_vec();
        match parse(&probe) {
            Parsed::Run(Invocation {
                action: Action::Addm { jail, .. } | Action::Destroy { jail },
                ..
            }) if jail.as_str() == "x" => return Some(argv[k].clone()),
            Parsed::Run(Invocation {
                action: Action::Prune { jails, .. },
                ..
            }) if jails.iter().any(|j| j.as_str() == "x") => return Some(argv[k].clone()),
            _ => {}
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
    prog: &[u8],
    login_path: bool,
    sets_path: bool,
    exists: &dyn Fn(&Path) -> bool,
) -> Option<String> {
    if prog.contains(&b'/') || login_path || sets_path {
        return None;
    }
    let name = std::ffi::OsStr::from_bytes(prog);
    if BOOT_PATH
        .iter()
        .any(|d| exists(&PathBuf::from(d).join(name)))
    {
        return None;
    }
    let full = if prog == b"jib" {
        "/usr/share/examples/jails/jib"
    } else {
        "/usr/local/sbin/rjib"
    };
    let prog = show(prog);
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

    fn argv(s: &str) -> Vec<Vec<u8>> {
        s.split_whitespace()
            .map(|w| w.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn execvp_or_sh_like_jail8() {
        assert_eq!(
            runner(b"rjib addm web em0"),
            Runner::Exec { background: false }
        );
        assert_eq!(
            runner(b"rjib addm web em0 &"),
            Runner::Exec { background: true }
        );
        assert_eq!(runner(b"rjib addm web em0 !em1"), Runner::Shell);
        assert_eq!(runner(b"rjib addm -b \"\" web em0"), Runner::Shell);
        assert_eq!(runner(b"a & b"), Runner::Shell);
        assert_eq!(runner(b"rjib addm web em0 & "), Runner::Shell);
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
                vlans: vec![VlanArgs::default(); 2],
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
        assert_eq!(meaning(&argv("rjib prune -v nc")), Meaning::Other);
        assert_eq!(
            meaning(&argv("rjib prune nextcloud-prod")),
            Meaning::PruneName {
                bad: b"nextcloud-prod".to_vec()
            }
        );
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
            meaning(&[
                b"rjib".to_vec(),
                b"addm".to_vec(),
                b"".to_vec(),
                b"em0".to_vec()
            ]),
            Meaning::Wrong(
                Code::NameCharset,
                "NAME is empty; jib accepts letters, digits and _ only".into()
            )
        );
    }

    #[test]
    fn path_at_boot() {
        let none = |_: &Path| false;
        assert!(path_problem(b"rjib", false, false, &none).is_some());
        assert!(
            path_problem(b"jib", false, false, &none)
                .unwrap()
                .contains("/usr/share/examples/jails/jib")
        );
        assert!(path_problem(b"/usr/local/sbin/rjib", false, false, &none).is_none());
        assert!(
            path_problem(b"rjib", true, false, &none).is_none(),
            "exec.clean"
        );
        assert!(
            path_problem(b"rjib", false, true, &none).is_none(),
            "PATH=…"
        );
        let in_sbin = |p: &Path| p == Path::new("/usr/sbin/rjib");
        assert!(path_problem(b"rjib", false, false, &in_sbin).is_none());
    }

    /// Review 13, F8: the rjib command behind a program that runs it.
    #[test]
    fn behind_a_wrapper() {
        let at = |s: &'static str, shell| {
            let w: Vec<&'static [u8]> = s.split(' ').map(str::as_bytes).collect();
            ours_at(&w, shell)
        };
        assert_eq!(at("rjib addm j em0", false), Some((0, None)));
        assert_eq!(at("nohup rjib addm j em0", false), Some((1, Some("nohup"))));
        assert_eq!(
            at(
                "/usr/bin/env -i PATH=/x /usr/local/sbin/rjib addm j em0",
                false
            ),
            Some((3, Some("env")))
        );
        assert_eq!(
            at("daemon -f -p /p jib addm j em0", false),
            Some((4, Some("daemon")))
        );
        assert_eq!(at("exec rjib addm j em0", true), Some((1, Some("exec"))));
        assert_eq!(at("exec rjib addm j em0", false), None);
        assert_eq!(at("echo rjib addm j em0", false), None);
        assert_eq!(at("nohup true", false), None);
        assert!(is_assignment(b"PATH=/usr/local/sbin"));
        assert!(!is_assignment(b"=x") && !is_assignment(b"1A=x") && !is_assignment(b"rjib"));
    }
}
