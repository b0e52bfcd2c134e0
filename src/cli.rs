//! The command line, parsed the way jib parses it. No I/O here: parsing
//! returns what to do, or which usage text to print.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::builder::OsStringValueParser;

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command};

use crate::jib::mac::Scheme;
use crate::jib::name::{DEFAULT_BRIDGE_SUFFIX, JailName};
use crate::net::{Vid, VlanArgs, VlanSet};

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Addm {
        suffix: String,
        jail: JailName,
        ifaces: Vec<String>,
        /// For each of `ifaces`, the VLANs its epair's host end joins
        /// (`untagged VID`, `tagged SET` after it; FreeBSD 15).
        vlans: Vec<VlanArgs>,
        scheme: Scheme,
    },
    Show {
        jail: Option<String>,
        /// `--libxo`: machine-readable output instead of jib's lines.
        format: ShowFormat,
    },
    Destroy {
        jail: JailName,
    },
    /// Destroy stale pairs: of every jail, or of `jails`.
    Prune {
        /// `-f`: also pairs changed in the last minute.
        force: bool,
        /// `-v`: say on stderr why each pair is kept or pruned.
        verbose: bool,
        jails: Vec<JailName>,
    },
    /// `check`: verify jail.conf files before boot (`crate::check`).
    Check {
        /// `-f`: the jail.conf files; empty means rc.d/jail's defaults.
        files: Vec<PathBuf>,
        /// `-r`: the rc.conf files; empty means `/etc/rc.conf` and friends.
        rc_files: Vec<PathBuf>,
        /// `-s`: the sysctl.conf files; empty means `/etc/sysctl.conf` and
        /// `/etc/sysctl.conf.local`.
        sysctl_files: Vec<PathBuf>,
        /// The jails to report on, as bytes (a jail.conf(5) name may be any
        /// bytes); empty means all.
        jails: Vec<OsString>,
        /// `--libxo`, unchecked: `check` reports a bad one itself (exit 2).
        libxo: Option<String>,
        /// `-v`: also print the predicted interfaces and MACs.
        verbose: bool,
    },
}

impl Action {
    /// The action's word on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Addm { .. } => "addm",
            Action::Show { .. } => "show",
            Action::Destroy { .. } => "destroy",
            Action::Prune { .. } => "prune",
            Action::Check { .. } => "check",
        }
    }
}

/// How `show` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShowFormat {
    /// jib's lines.
    #[default]
    Text,
    Json {
        pretty: bool,
    },
}

impl ShowFormat {
    /// A libxo(3) style format string: `json`, `json,pretty`, `text`.
    pub fn from_libxo(spec: &OsStr) -> Result<ShowFormat, String> {
        let unsupported = || {
            format!(
                "unsupported --libxo format {}; use json, json,pretty or text",
                q(spec)
            )
        };
        let Some(spec) = spec.to_str() else {
            return Err(unsupported());
        };
        let mut style = None;
        let mut pretty = false;
        for tok in spec.split(',') {
            match tok {
                "json" | "text" if style.is_none() => style = Some(tok),
                "pretty" => pretty = true,
                _ => return Err(unsupported()),
            }
        }
        match style {
            Some("json") => Ok(ShowFormat::Json { pretty }),
            Some(_) => Ok(ShowFormat::Text),
            None => Err(unsupported()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// argv[0]'s basename: `rjib`, or `jib` when installed as jib.
    pub prog: String,
    /// `-n`: print the ifconfig(8) commands instead of changing anything.
    pub dry_run: bool,
    /// `-w SECONDS`: how long a change waits for the lock.
    pub wait: std::time::Duration,
    pub action: Action,
}

impl Invocation {
    /// Whether this run changes the host: `addm`, `destroy` or `prune`,
    /// without `-n`. Only such a run waits out a signal to finish or undo
    /// its work.
    pub fn changes(&self) -> bool {
        !self.dry_run
            && matches!(
                self.action,
                Action::Addm { .. } | Action::Destroy { .. } | Action::Prune { .. }
            )
    }
}

/// The jib usage texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// No action, or an unknown one: the whole block (jib's, then
    /// `prune` and `check`).
    Actions,
    Addm,
    Show,
    Destroy,
    /// rjib's own `prune`.
    Prune,
    Check,
}

/// The result of parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Run(Invocation),
    /// Print this on stdout, exit 0 (`--help`, `--version`).
    Info(String),
    /// An extension's argument is wrong (`-m md5`): one error line, exit 1.
    Error {
        prog: String,
        message: String,
    },
    /// A VLAN keyword of addm is wrong (`untagged 5000`): one error line,
    /// exit 1, as `Error`; `check` reports it as `vlan-invalid`.
    BadVlan {
        prog: String,
        message: String,
    },
    /// A usage error: print the texts, exit 1. `hint`: one more line for
    /// stderr, after jib's texts (which characters a jail name may have).
    Usage {
        prog: String,
        usage: Usage,
        hint: Option<String>,
    },
}

const ADDM_SYNOPSIS: &str = "addm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]";
const ADDM_DESCR: &str = "Creates e0b_NAME [e1b_NAME ...]";
const SHOW_SYNOPSIS: &str = "show";
const SHOW_DESCR: &str = "List possible NAME values for `show NAME'";
const SHOW1_SYNOPSIS: &str = "show NAME";
const SHOW1_DESCR: &str = "Lists e0b_NAME [e1b_NAME ...]";
const SHOW2_SYNOPSIS: &str = "show [NAME]";
const DESTROY_SYNOPSIS: &str = "destroy NAME";
const DESTROY_DESCR: &str = "Destroy e0b_NAME [e1b_NAME ...]";
const PRUNE_SYNOPSIS: &str = "prune [-fv] [NAME ...]";
const PRUNE_DESCR: &str = "Destroy the epairs of jails that are gone or dying";
const CHECK_SYNOPSIS: &str =
    "check [-v] [-f jail.conf] [-r rc.conf] [-s sysctl.conf] [--libxo json[,pretty]] [jail ...]";
const CHECK_DESCR: &str = "Check jail.conf's addm and destroy commands before boot";

impl Usage {
    /// (stderr, stdout) exactly as jib prints them.
    pub fn texts(self, prog: &str) -> (String, String) {
        match self {
            Usage::Actions => {
                let mut e = format!("Usage: {prog} action [arguments]\nActions:\n");
                for (s, d) in [
                    (ADDM_SYNOPSIS, ADDM_DESCR),
                    (SHOW_SYNOPSIS, SHOW_DESCR),
                    (SHOW1_SYNOPSIS, SHOW1_DESCR),
                    (DESTROY_SYNOPSIS, DESTROY_DESCR),
                    // jib's block ends here; rjib's own actions follow.
                    (PRUNE_SYNOPSIS, PRUNE_DESCR),
                    (CHECK_SYNOPSIS, CHECK_DESCR),
                ] {
                    e.push_str(&format!("\t{s}\n\t\t{d}\n"));
                }
                (e, String::new())
            }
            Usage::Addm => (
                format!("Usage: {prog} {ADDM_SYNOPSIS}\n"),
                format!("\t{ADDM_DESCR}\n"),
            ),
            // jib has no description for `show [NAME]`: an empty line.
            Usage::Show => (
                format!("Usage: {prog} {SHOW2_SYNOPSIS}\n"),
                "\t\n".to_string(),
            ),
            Usage::Destroy => (
                format!("Usage: {prog} {DESTROY_SYNOPSIS}\n"),
                format!("\t{DESTROY_DESCR}\n"),
            ),
            Usage::Prune => (
                format!("Usage: {prog} {PRUNE_SYNOPSIS}\n"),
                format!("\t{PRUNE_DESCR}\n"),
            ),
            Usage::Check => (
                format!("Usage: {prog} {CHECK_SYNOPSIS}\n"),
                format!("\t{CHECK_DESCR}\n"),
            ),
        }
    }
}

/// argv[0]'s basename (only ever printed, so a byte that is not UTF-8
/// may become U+FFFD).
pub fn prog_name(argv0: Option<&OsStr>) -> String {
    let argv0 = argv0.map(OsStr::to_string_lossy);
    argv0
        .as_deref()
        .and_then(|a| a.rsplit('/').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("rjib")
        .to_string()
}

/// An argument in a message: quoted, escaped as every message escapes.
fn q(arg: &OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    crate::util::quote_bytes(arg.as_bytes())
}

/// Whether `w` looks like an option (`-n`, `--dry-run`).
fn is_option_word(w: &OsStr) -> bool {
    use std::os::unix::ffi::OsStrExt;
    w.as_bytes().len() > 1 && w.as_bytes()[0] == b'-'
}

/// The line after the usage text for a word after an action's NAME:
/// an option there is an operand, as getopts(1) reads it; anything else
/// is one too many (`why`).
fn after_name(w: &OsStr, why: &str) -> String {
    match is_option_word(w) {
        true => format!(
            "{}: after NAME an option is not read as one; give it before NAME, or before the action",
            q(w)
        ),
        false => format!("{}: unexpected argument; {why}", q(w)),
    }
}

/// The characters jib allows in a jail NAME, for the line after its usage.
pub const JAIL_NAME_CHARS: &str = "[0-9A-Za-z_]";

/// The line that follows jib's usage text when NAME is not a jail name.
fn bad_jail_name(name: &OsStr) -> String {
    format!(
        "{}: not a jail name; use one or more of the characters {JAIL_NAME_CHARS}",
        q(name)
    )
}

/// An argument that names an interface, as a `str`. Interface names rjib
/// handles are UTF-8; an argument that is not is refused, never converted
/// with a replacement character.
fn utf8<'a>(what: &str, arg: &'a OsStr) -> Result<&'a str, String> {
    arg.to_str().ok_or_else(|| {
        format!(
            "{what}{}: not valid UTF-8, so it cannot name an interface",
            q(arg)
        )
    })
}

/// Check a `-b` suffix on its own (with each parent, `plan` checks the
/// whole bridge name's length and shape).
///
/// FreeBSD's SIOCSIFNAME (sys/net/if.c, `ifhwioctl` and `if_rename`)
/// refuses only an empty name (EINVAL), one with no NUL within IFNAMSIZ
/// (`copyinstr`: ENAMETOOLONG) and a name in use (EEXIST): it has no rule
/// for characters, so non-ASCII UTF-8 passes here as it does there. The
/// characters refused are rjib's rule, so that every bridge name it makes
/// can be written as is in rc.conf(5), jail.conf(5), pf.conf(5) and shell
/// scripts: control characters and whitespace split or corrupt those
/// lines, `:` is pf.conf's address modifier (`(em0:network)`), and `/`
/// cannot be part of the file names tools derive from an interface name
/// (dhclient's `/var/db/dhclient.leases.IFACE`).
fn check_suffix(suffix: &OsStr) -> Result<&str, String> {
    let s = utf8("-b ", suffix)?;
    if s.chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '/' || c == ':')
    {
        return Err(format!(
            "-b {}: a bridge suffix cannot contain control characters, whitespace, '/' or ':'",
            crate::util::quote(s)
        ));
    }
    Ok(s)
}

/// `untagged` and `tagged`: FreeBSD 15 ifconfig(8)'s options of `addm`
/// (sbin/ifconfig/ifbridge.c `setbridge_add`), spelled the same.
pub const UNTAGGED: &str = "untagged";
pub const TAGGED: &str = "tagged";

/// addm's operands after NAME: interfaces, each followed by its own
/// `untagged VID` and `tagged SET`, in either order. Every keyword takes
/// the next word as its value and binds to the interface before it.
///
/// A VID is decimal, 1 to 4094 (`Vid::parse_decimal`); a SET is read as
/// ifconfig's `parse_vlans` reads it (`VlanSet::parse`), `none` asking
/// for no tagged VLAN (still a VLAN request). Refused, with a message
/// naming the argument: a keyword before any interface, without a value,
/// given twice for one interface, or with a value ifconfig or rjib would
/// refuse.
pub fn addm_operands(words: &[&str]) -> Result<(Vec<String>, Vec<VlanArgs>), String> {
    let mut ifaces: Vec<String> = Vec::new();
    let mut vlans: Vec<VlanArgs> = Vec::new();
    // Which keywords the current interface has had.
    let mut seen: Vec<&str> = Vec::new();
    let mut k = 0;
    while k < words.len() {
        let w = words[k];
        if w != UNTAGGED && w != TAGGED {
            ifaces.push(w.to_string());
            vlans.push(VlanArgs::default());
            seen.clear();
            k += 1;
            continue;
        }
        let Some(iface) = ifaces.last() else {
            return Err(format!(
                "{w}: comes before any interface; write it after the interface it is for \
                 (addm NAME IFACE untagged VID tagged SET)"
            ));
        };
        let Some(value) = words.get(k + 1) else {
            return Err(if w == UNTAGGED {
                format!("{iface} untagged: no VLAN ID after it; write untagged VID (1 to 4094)")
            } else {
                format!(
                    "{iface} tagged: no VLAN set after it; write tagged SET (VIDs and ranges: 10,20-30)"
                )
            });
        };
        if seen.contains(&w) {
            return Err(format!(
                "{iface} {w} {value}: {w} is given twice for {iface}; give each keyword once per interface"
            ));
        }
        seen.push(w);
        let port = vlans.last_mut().expect("one per interface");
        if w == UNTAGGED {
            let vid =
                Vid::parse_decimal(value).map_err(|e| format!("{iface} untagged {value}: {e}"))?;
            port.untagged = Some(vid);
        } else {
            let set = VlanSet::parse(value).map_err(|e| {
                format!(
                    "{iface} tagged {value}: not a VLAN set: {e}; write VIDs (1 to 4094) and ranges \
                     separated by commas (10,20-30), or none or all"
                )
            })?;
            port.tagged = Some(set);
        }
        k += 2;
    }
    Ok((ifaces, vlans))
}

fn rest() -> Arg {
    // Everything from the first operand on is an operand, as getopts does.
    Arg::new("args")
        .num_args(0..)
        .action(ArgAction::Append)
        .trailing_var_arg(true)
        .value_parser(OsStringValueParser::new())
}

/// Operands among which options may still come (`show NAME --libxo json`).
fn operands(value_name: &'static str) -> Arg {
    Arg::new("args")
        .num_args(0..)
        .action(ArgAction::Append)
        .value_name(value_name)
        .value_parser(OsStringValueParser::new())
}

/// `--libxo FORMAT`.
fn libxo(help: &'static str) -> Arg {
    Arg::new("libxo")
        .long("libxo")
        .value_name("FORMAT")
        .help(help)
        .num_args(1)
        .action(ArgAction::Append)
        .value_parser(OsStringValueParser::new())
}

/// `-n`, of the whole command line and of the actions that change the
/// host. Not a global option: `show --help` and `check --help` must not
/// offer it. They take it hidden, only to say that it changes nothing.
fn dry_run() -> Arg {
    Arg::new("dry-run")
        .short('n')
        .long("dry-run")
        .action(ArgAction::Count)
        .help("print the ifconfig(8) commands instead of changing anything")
}

fn command(prog: &str) -> Command {
    Command::new("rjib")
        .name(prog.to_string())
        .bin_name(prog.to_string())
        .version(env!("CARGO_PKG_VERSION"))
        .about("Create and destroy epair(4)/if_bridge(4) plumbing for VNET jails, like jib")
        .after_help(
            "Actions:\n  addm [-b BRIDGE_NAME] [-m sum|sha256] NAME [!]iface0 [untagged VID] [tagged SET] [[!]iface1 ...]\n  show [--libxo json[,pretty]] [NAME]\n  destroy NAME\n  prune [-fv] [NAME ...]\n  check [-v] [-f jail.conf] [-r rc.conf] [-s sysctl.conf] [--libxo json[,pretty]] [jail ...]\n\nSee rjib(8).",
        )
        .disable_help_subcommand(true)
        // Before or after the action (`rjib -n prune`, `rjib prune -n`),
        // as often as given; shown in the help of the actions it is for.
        .arg(dry_run())
        .arg(
            Arg::new("wait")
                .short('w')
                .value_name("SECONDS")
                .help("wait at most SECONDS for another rjib's lock (default 30)")
                .num_args(1)
                .action(ArgAction::Append)
                // `-w -1` is a wrong wait, not an option: said as such.
                .allow_hyphen_values(true)
                .value_parser(wait_seconds),
        )
        .subcommand(
            Command::new("addm")
                .about(ADDM_DESCR)
                .arg(dry_run())
                .arg(
                    Arg::new("bridge")
                        .short('b')
                        .value_name("BRIDGE_NAME")
                        .help("bridge-name suffix (default \"bridge\")")
                        .num_args(1)
                        .allow_hyphen_values(true)
                        .action(ArgAction::Append)
                        .value_parser(OsStringValueParser::new()),
                )
                .arg(
                    Arg::new("mac")
                        .short('m')
                        .value_name("SCHEME")
                        .help("MAC derivation: sum (jib's, default) or sha256")
                        .num_args(1)
                        .action(ArgAction::Append)
                        .value_parser(OsStringValueParser::new()),
                )
                .arg(rest().value_name("NAME [!]IFACE [untagged VID] [tagged SET]").help(
                    "jail name, then the parent interfaces, each with the VLANs of its epair \
                     (FreeBSD 15's VLAN-filtering bridge)",
                )),
        )
        .subcommand(
            Command::new("show")
                .about("List jails with bridged epairs, or one jail's epairs")
                .arg(dry_run().hide(true))
                .arg(libxo("json or json,pretty: print the jails and their epairs as JSON"))
                // Not `rest()`: `show NAME --libxo json` takes options
                // after NAME too.
                .arg(operands("NAME")),
        )
        .subcommand(
            Command::new("destroy")
                .about(DESTROY_DESCR)
                .arg(dry_run())
                .arg(rest().value_name("NAME")),
        )
        .subcommand(
            Command::new("prune")
                .about(PRUNE_DESCR)
                .arg(dry_run())
                .arg(
                    Arg::new("force")
                        .short('f')
                        .action(ArgAction::Count)
                        .help("also pairs changed in the last minute"),
                )
                .arg(
                    Arg::new("verbose")
                        .short('v')
                        .action(ArgAction::Count)
                        .help("say why each pair is kept or pruned"),
                )
                .arg(rest().value_name("NAME")),
        )
        .subcommand(
            Command::new("check")
                .about(CHECK_DESCR)
                .arg(dry_run().hide(true))
                .arg(
                    Arg::new("file")
                        .short('f')
                        .value_name("jail.conf")
                        .help("a jail.conf(5) file to check (default: /etc/jail.conf and /etc/jail.conf.d/*.conf)")
                        .num_args(1)
                        .action(ArgAction::Append)
                        .value_parser(OsStringValueParser::new()),
                )
                .arg(
                    Arg::new("rc")
                        .short('r')
                        .value_name("rc.conf")
                        .help("an rc.conf(5) file for the interfaces boot creates (default: /etc/defaults/rc.conf, /etc/rc.conf, /etc/rc.conf.local, /etc/rc.conf.d/netif, /etc/rc.conf.d/jail)")
                        .num_args(1)
                        .action(ArgAction::Append)
                        .value_parser(OsStringValueParser::new()),
                )
                .arg(
                    Arg::new("sysctl")
                        .short('s')
                        .value_name("sysctl.conf")
                        .help("a sysctl.conf(5) file boot applies (default: /etc/sysctl.conf, /etc/sysctl.conf.local)")
                        .num_args(1)
                        .action(ArgAction::Append)
                        .value_parser(OsStringValueParser::new()),
                )
                .arg(
                    Arg::new("verbose")
                        .short('v')
                        .action(ArgAction::Count)
                        .help("also print the predicted interfaces and MAC addresses"),
                )
                .arg(libxo("json or json,pretty: print findings and predictions as JSON"))
                .arg(operands("JAIL")),
        )
}

/// `-n` with an action that has nothing to leave undone.
const NO_DRY_RUN: &str = "-n: ACTION changes nothing; use -n with addm, destroy or prune";

/// `-w`'s value: whole seconds, 0 not to wait.
fn wait_seconds(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| WAIT_IS_SECONDS.to_string())
}

const WAIT_IS_SECONDS: &str = "the wait is a whole number of seconds";

/// How getopts(1) reads the options before the action.
struct Front<'a> {
    /// Where the action word is in argv, if there is one.
    action: Option<usize>,
    /// Where a `--` that ended those options is.
    end: Option<usize>,
    /// The values given to `-w`.
    waits: Vec<&'a OsStr>,
}

/// Read the options before the action as getopts(1) does (`-n`, `-w
/// SECONDS`, bundled as `-nw 5` or `-w5`; `--` ends them, and the next
/// word is the action whatever it looks like).
fn front(argv: &[OsString]) -> Front<'_> {
    use std::os::unix::ffi::OsStrExt;
    let mut f = Front {
        action: None,
        end: None,
        waits: Vec::new(),
    };
    let mut k = 1;
    while k < argv.len() {
        match argv[k].as_bytes() {
            b"--" => {
                f.end = Some(k);
                f.action = (k + 1 < argv.len()).then_some(k + 1);
                return f;
            }
            [b'-', b'-', ..] => {}
            [b'-', letters @ ..] if !letters.is_empty() => {
                if let Some(w) = letters.iter().position(|&c| c == b'w') {
                    match &letters[w + 1..] {
                        [] => {
                            k += 1;
                            f.waits.extend(argv.get(k).map(OsString::as_os_str));
                        }
                        v => f.waits.push(OsStr::from_bytes(v)),
                    }
                }
            }
            _ => {
                f.action = Some(k);
                return f;
            }
        }
        k += 1;
    }
    f
}

/// The action a command line names (its first operand, past the options
/// before it), and the values given to `-w` before it.
fn action_word(argv: &[OsString]) -> (Option<&str>, Vec<&OsStr>) {
    let f = front(argv);
    (f.action.and_then(|k| argv[k].to_str()), f.waits)
}

/// `argv` without a `--` that ends the options before the action, which
/// clap would read as making the action an operand: `rjib -- prune` and
/// `rjib -n -- addm x em0` name their actions, as getopts(1) reads them.
/// An action word that starts with `-` keeps its `--`, and is then an
/// unknown action (`rjib -- -n prune`), as it is for getopts.
fn without_end_of_options(argv: &[OsString]) -> std::borrow::Cow<'_, [OsString]> {
    use std::os::unix::ffi::OsStrExt;
    let f = front(argv);
    match (f.end, f.action) {
        (Some(end), Some(action)) if !argv[action].as_bytes().starts_with(b"-") => {
            let mut v = argv.to_vec();
            v.remove(end);
            v.into()
        }
        _ => argv.into(),
    }
}

/// What is wrong with a command line clap refused, in one line: which
/// option or action, and why. `None` when clap does not say.
fn problem(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    let ctx = |k| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    // clap names an option with its value: `-w <SECONDS>`.
    let opt = ctx(ContextKind::InvalidArg).map(|a| match a.split_once(' ') {
        Some((o, _)) => o.to_string(),
        None => a,
    });
    match (e.kind(), opt) {
        (ErrorKind::TooManyValues | ErrorKind::UnknownArgument, Some(o))
            if o.starts_with("--dry-run") =>
        {
            Some("--dry-run: takes no value".to_string())
        }
        (ErrorKind::UnknownArgument, Some(o)) if o.starts_with('-') => {
            Some(format!("{}: unknown option", crate::util::quote(&o)))
        }
        (ErrorKind::UnknownArgument, Some(o)) => {
            Some(format!("{}: unexpected argument", crate::util::quote(&o)))
        }
        (ErrorKind::InvalidSubcommand, _) => ctx(ContextKind::InvalidSubcommand)
            .map(|a| format!("{}: unknown action", crate::util::quote(&a))),
        (ErrorKind::InvalidValue, Some(o)) => Some(format!("{o}: needs a value")),

        (ErrorKind::ValueValidation | ErrorKind::InvalidUtf8, Some(o)) if o == "-w" => {
            Some(match ctx(ContextKind::InvalidValue) {
                Some(v) => format!("-w {}: {WAIT_IS_SECONDS}", crate::util::quote(&v)),
                None => format!("-w: {WAIT_IS_SECONDS}"),
            })
        }
        _ => None,
    }
}

/// A command line clap refused. jib's errors keep jib's usage text (of
/// the action named, else the whole block) and its status, with one more
/// line saying what is wrong; an error in `-w`, rjib's own and given
/// before any action, is that one line alone.
fn refused(prog: &str, argv: &[OsString], e: &clap::Error) -> Parsed {
    let (action, waits) = action_word(argv);
    // A wrong `-w` comes first on the line, whatever clap saw after it
    // (`-w destroy x` took `destroy` as the wait).
    let bad_wait = waits
        .iter()
        .find(|w| w.to_str().and_then(|w| wait_seconds(w).ok()).is_none())
        .map(|w| format!("-w {}: {WAIT_IS_SECONDS}", q(w)));
    let hint = bad_wait.or_else(|| problem(e));
    let usage = match action {
        Some("addm") => Usage::Addm,
        Some("show") => Usage::Show,
        Some("destroy") => Usage::Destroy,
        Some("prune") => Usage::Prune,
        Some("check") => Usage::Check,
        _ => Usage::Actions,
    };
    match hint {
        // check's own statuses: a wrong command line is 2, never 1.
        Some(message) if message.starts_with("-w") && usage != Usage::Check => Parsed::Error {
            prog: prog.to_string(),
            message,
        },
        hint => Parsed::Usage {
            prog: prog.to_string(),
            usage,
            hint,
        },
    }
}

/// The last value given for option `id` (getopts: a repeated option's last
/// value wins).
fn last<'a>(m: &'a clap::ArgMatches, id: &str) -> Option<&'a OsString> {
    m.get_many::<OsString>(id).and_then(|mut v| v.next_back())
}

/// Parse `argv` (argv[0] included), as the bytes the caller was given.
pub fn parse(argv: &[OsString]) -> Parsed {
    let prog = prog_name(argv.first().map(OsString::as_os_str));
    let usage = |usage| Parsed::Usage {
        prog: prog.clone(),
        usage,
        hint: None,
    };
    let bad_name = |usage, name: &OsStr| Parsed::Usage {
        prog: prog.clone(),
        usage,
        hint: Some(bad_jail_name(name)),
    };
    let argv = &*without_end_of_options(argv);
    let m = match command(&prog).try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    Parsed::Info(e.render().to_string())
                }
                _ => refused(&prog, argv, &e),
            };
        }
    };
    let args = |sub: &clap::ArgMatches| -> Vec<OsString> {
        sub.get_many::<OsString>("args")
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    };
    let error = |message: String| Parsed::Error {
        prog: prog.clone(),
        message,
    };
    let action = match m.subcommand() {
        Some(("addm", sub)) => {
            let a = args(sub);
            let jail = match a.first() {
                Some(n) => match n.to_str().and_then(JailName::new) {
                    Some(jail) => jail,
                    None => return bad_name(Usage::Addm, n),
                },
                None => return usage(Usage::Addm),
            };
            if a.len() < 2 {
                return usage(Usage::Addm);
            }
            let scheme = match last(sub, "mac").map(|s| (s, s.to_str().and_then(Scheme::from_name)))
            {
                None => Scheme::Sum,
                Some((_, Some(scheme))) => scheme,
                Some((s, None)) => {
                    return error(format!(
                        "-m: unknown MAC scheme {}; use sum or sha256",
                        q(s)
                    ));
                }
            };
            let suffix = match last(sub, "bridge").filter(|s| !s.is_empty()) {
                None => DEFAULT_BRIDGE_SUFFIX.to_string(),
                Some(s) => match check_suffix(s) {
                    Ok(s) => s.to_string(),
                    Err(message) => return error(message),
                },
            };
            let mut words = Vec::new();
            for i in &a[1..] {
                match utf8("", i) {
                    Ok(i) => words.push(i),
                    Err(message) => return error(message),
                }
            }
            let (ifaces, vlans) = match addm_operands(&words) {
                Ok(x) => x,
                Err(message) => {
                    return Parsed::BadVlan {
                        prog: prog.clone(),
                        message,
                    };
                }
            };
            Action::Addm {
                suffix,
                jail,
                ifaces,
                vlans,
                scheme,
            }
        }
        Some(("show", sub)) => {
            let format = match last(sub, "libxo").map(|spec| ShowFormat::from_libxo(spec)) {
                None => ShowFormat::Text,
                Some(Ok(f)) => f,
                Some(Err(message)) => return error(message),
            };
            let jail = match args(sub).first().map(|j| utf8("", j)) {
                None => None,
                Some(Ok(j)) => Some(j.to_string()),
                Some(Err(message)) => return error(message),
            };
            Action::Show { jail, format }
        }
        Some(("destroy", sub)) => {
            let a = args(sub);
            match (
                a.len(),
                a.first().map(|n| (n, n.to_str().and_then(JailName::new))),
            ) {
                (1, Some((_, Some(jail)))) => Action::Destroy { jail },
                (_, Some((n, None))) => return bad_name(Usage::Destroy, n),
                (_, Some(_)) => {
                    return Parsed::Usage {
                        prog: prog.clone(),
                        usage: Usage::Destroy,
                        hint: Some(after_name(&a[1], "destroy takes one NAME")),
                    };
                }
                _ => return usage(Usage::Destroy),
            }
        }
        Some(("prune", sub)) => {
            let mut jails = Vec::new();
            for n in args(sub) {
                match n.to_str().and_then(JailName::new) {
                    Some(j) => jails.push(j),
                    // `prune x -f`: an option after a NAME
                    None if !jails.is_empty() && is_option_word(&n) => {
                        return Parsed::Usage {
                            prog: prog.clone(),
                            usage: Usage::Prune,
                            hint: Some(after_name(&n, "")),
                        };
                    }
                    None => return bad_name(Usage::Prune, &n),
                }
            }
            Action::Prune {
                force: sub.get_count("force") > 0,
                verbose: sub.get_count("verbose") > 0,
                jails,
            }
        }
        Some(("check", sub)) => {
            let paths = |id: &str| -> Vec<PathBuf> {
                sub.get_many::<OsString>(id)
                    .map(|v| v.map(PathBuf::from).collect())
                    .unwrap_or_default()
            };
            // A wrong command line is check's status 2: its usage, and
            // why.
            let libxo = match last(sub, "libxo").map(|l| l.to_str().ok_or(l)) {
                None => None,
                Some(Ok(l)) => Some(l.to_string()),
                Some(Err(l)) => {
                    return Parsed::Usage {
                        prog,
                        usage: Usage::Check,
                        hint: Some(format!("--libxo {}: not valid UTF-8", q(l))),
                    };
                }
            };
            Action::Check {
                files: paths("file"),
                rc_files: paths("rc"),
                sysctl_files: paths("sysctl"),
                jails: args(sub),
                libxo,
                verbose: sub.get_count("verbose") > 0,
            }
        }
        _ => return usage(Usage::Actions),
    };
    let wait = m
        .get_many::<u64>("wait")
        .and_then(|mut v| v.next_back())
        .map_or(crate::lock::DEFAULT_WAIT, |s| {
            std::time::Duration::from_secs(*s)
        });
    let dry_run = m.get_count("dry-run") > 0
        || m.subcommand()
            .is_some_and(|(_, sub)| sub.get_count("dry-run") > 0);
    if dry_run && matches!(action, Action::Show { .. }) {
        return error(NO_DRY_RUN.replace("ACTION", "show"));
    }
    // check changes nothing either; for it a wrong command line exits 2.
    if dry_run && matches!(action, Action::Check { .. }) {
        return Parsed::Usage {
            prog,
            usage: Usage::Check,
            hint: Some(NO_DRY_RUN.replace("ACTION", "check")),
        };
    }
    Parsed::Run(Invocation {
        prog,
        dry_run,
        wait,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Parsed {
        let mut v = vec![OsString::from("/usr/local/sbin/rjib")];
        v.extend(args.iter().map(OsString::from));
        parse(&v)
    }

    fn addm(args: &[&str]) -> (String, String, Vec<String>) {
        match p(args) {
            Parsed::Run(Invocation {
                action:
                    Action::Addm {
                        suffix,
                        jail,
                        ifaces,
                        ..
                    },
                ..
            }) => (suffix, jail.to_string(), ifaces),
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn usage_of(args: &[&str]) -> Usage {
        match p(args) {
            Parsed::Usage { usage, prog, .. } => {
                assert_eq!(prog, "rjib");
                usage
            }
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn addm_options_like_getopts() {
        assert_eq!(
            addm(&["addm", "j", "vtnet0"]),
            ("bridge".into(), "j".into(), vec!["vtnet0".into()])
        );
        assert_eq!(addm(&["addm", "-b", "br", "j", "em0"]).0, "br");
        assert_eq!(addm(&["addm", "-bbr", "j", "em0"]).0, "br");
        assert_eq!(addm(&["addm", "-b", "", "j", "em0"]).0, "bridge");
        assert_eq!(
            addm(&["addm", "-b", "a", "-b", "c", "j", "em0"]).0,
            "c",
            "the last -b wins"
        );
        assert_eq!(addm(&["addm", "--", "j", "em0"]).1, "j");
        // options stop at NAME: the rest are interfaces
        assert_eq!(addm(&["addm", "j", "-b", "br"]).2, vec!["-b", "br"]);
        assert_eq!(addm(&["addm", "j", "!em0", "em1"]).2, vec!["!em0", "em1"]);
    }

    #[test]
    fn usage_errors() {
        assert_eq!(usage_of(&[]), Usage::Actions);
        assert_eq!(usage_of(&["bogus"]), Usage::Actions);
        assert_eq!(usage_of(&["-x"]), Usage::Actions);
        for bad in [
            &["addm"][..],
            &["addm", "x"],
            &["addm", "my-jail", "vtnet0"],
            &["addm", "a.b", "vtnet0"],
            &["addm", "", "vtnet0"],
            &["addm", "-x", "j", "em0"],
            &["addm", "-b"],
        ] {
            assert_eq!(usage_of(bad), Usage::Addm, "{bad:?}");
        }
        for bad in [
            &["destroy"][..],
            &["destroy", "a", "b"],
            &["destroy", "x-y"],
            &["destroy", "-x"],
        ] {
            assert_eq!(usage_of(bad), Usage::Destroy, "{bad:?}");
        }
        assert_eq!(usage_of(&["show", "-x"]), Usage::Show);
    }

    #[test]
    fn show_and_destroy() {
        let show = |a: &[&str]| match p(a) {
            Parsed::Run(Invocation {
                action: Action::Show { jail, .. },
                ..
            }) => jail,
            o => panic!("{o:?}"),
        };
        assert_eq!(show(&["show"]), None);
        assert_eq!(
            show(&["show", "a", "b"]).as_deref(),
            Some("a"),
            "show ignores a second NAME"
        );
        assert_eq!(show(&["show", "--", "a"]).as_deref(), Some("a"));
        assert!(matches!(
            p(&["destroy", "web"]),
            Parsed::Run(Invocation {
                action: Action::Destroy { .. },
                ..
            })
        ));
    }

    #[test]
    fn extensions() {
        let run = |a: &[&str]| match p(a) {
            Parsed::Run(inv) => inv,
            o => panic!("{a:?}: {o:?}"),
        };
        assert!(run(&["-n", "addm", "j", "em0"]).dry_run);
        assert!(run(&["--dry-run", "destroy", "j"]).dry_run);
        assert!(!run(&["addm", "j", "em0"]).dry_run);
        // Issue 14, D14: -n after the action too, and repeated.
        for args in [
            &["addm", "-n", "j", "em0"][..],
            &["-n", "-n", "addm", "j", "em0"],
            &["-n", "addm", "-n", "j", "em0"],
        ] {
            assert!(run(args).dry_run, "{args:?}");
        }
        assert_eq!(
            addm(&["addm", "j", "-n", "em0"]).2,
            vec!["-n", "em0"],
            "after NAME, an operand, as getopts has it"
        );
        let scheme = |a: &[&str]| match run(a).action {
            Action::Addm { scheme, .. } => scheme,
            o => panic!("{o:?}"),
        };
        assert_eq!(scheme(&["addm", "j", "em0"]), Scheme::Sum);
        assert_eq!(
            scheme(&["addm", "-m", "sha256", "j", "em0"]),
            Scheme::Sha256
        );
        assert_eq!(
            scheme(&["addm", "-msum", "-b", "br", "j", "em0"]),
            Scheme::Sum
        );
        assert!(
            matches!(p(&["addm", "-m", "md5", "j", "em0"]), Parsed::Error { message, .. } if message.contains("md5"))
        );
        assert_eq!(
            usage_of(&["addm", "-m", "md5", "j-x", "em0"]),
            Usage::Addm,
            "NAME first, like jib"
        );
        let format = |a: &[&str]| match run(a).action {
            Action::Show { format, .. } => format,
            o => panic!("{o:?}"),
        };
        assert_eq!(format(&["show"]), ShowFormat::Text);
        assert_eq!(
            format(&["show", "--libxo", "json"]),
            ShowFormat::Json { pretty: false }
        );
        assert_eq!(
            format(&["show", "--libxo=json,pretty", "x"]),
            ShowFormat::Json { pretty: true }
        );
        assert_eq!(
            format(&["show", "x", "--libxo", "json"]),
            ShowFormat::Json { pretty: false }
        );
        assert_eq!(
            format(&["show", "--libxo", "pretty,json"]),
            ShowFormat::Json { pretty: true }
        );
        assert!(matches!(
            p(&["show", "--libxo", "xml"]),
            Parsed::Error { .. }
        ));
        assert!(matches!(
            p(&["show", "--libxo", "json,json"]),
            Parsed::Error { .. }
        ));
        assert!(matches!(p(&["-n", "show"]), Parsed::Error { .. }));
    }

    #[test]
    fn check_arguments() {
        let check = |a: &[&str]| match p(a) {
            Parsed::Run(Invocation { action, .. }) => action,
            o => panic!("{a:?}: {o:?}"),
        };
        assert_eq!(
            check(&["check"]),
            Action::Check {
                files: vec![],
                rc_files: vec![],
                sysctl_files: vec![],
                jails: vec![],
                libxo: None,
                verbose: false
            }
        );
        assert_eq!(
            check(&[
                "check", "-v", "-f", "a.conf", "-fb.conf", "-r", "rc", "-s", "s1", "-ss2",
                "--libxo", "json", "web", "db"
            ]),
            Action::Check {
                files: vec!["a.conf".into(), "b.conf".into()],
                rc_files: vec!["rc".into()],
                sysctl_files: vec!["s1".into(), "s2".into()],
                jails: vec!["web".into(), "db".into()],
                libxo: Some("json".into()),
                verbose: true
            }
        );
        assert_eq!(usage_of(&["check", "-x"]), Usage::Check);
        assert_eq!(usage_of(&["-n", "check"]), Usage::Check);
        let (e, o) = Usage::Check.texts("rjib");
        assert_eq!(
            e,
            "Usage: rjib check [-v] [-f jail.conf] [-r rc.conf] [-s sysctl.conf] [--libxo json[,pretty]] [jail ...]\n"
        );
        assert!(o.starts_with('\t'));
    }

    #[test]
    fn usage_texts_are_jibs() {
        let (e, o) = Usage::Actions.texts("jib");
        // jib's block as it is, then rjib's own actions (issue 14).
        assert_eq!(
            e,
            "Usage: jib action [arguments]\nActions:\n\
             \taddm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]\n\t\tCreates e0b_NAME [e1b_NAME ...]\n\
             \tshow\n\t\tList possible NAME values for `show NAME'\n\
             \tshow NAME\n\t\tLists e0b_NAME [e1b_NAME ...]\n\
             \tdestroy NAME\n\t\tDestroy e0b_NAME [e1b_NAME ...]\n\
             \tprune [-fv] [NAME ...]\n\t\tDestroy the epairs of jails that are gone or dying\n\
             \tcheck [-v] [-f jail.conf] [-r rc.conf] [-s sysctl.conf] [--libxo json[,pretty]] [jail ...]\n\
             \t\tCheck jail.conf's addm and destroy commands before boot\n"
        );
        assert_eq!(o, "");
        let (e, o) = Usage::Addm.texts("rjib");
        assert_eq!(
            e,
            "Usage: rjib addm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]\n"
        );
        assert_eq!(o, "\tCreates e0b_NAME [e1b_NAME ...]\n");
        assert_eq!(
            Usage::Destroy.texts("rjib").1,
            "\tDestroy e0b_NAME [e1b_NAME ...]\n"
        );
    }

    /// Issue 14, D14: repeated flags where harmless; every other wrong
    /// command line says in one line what is wrong.
    #[test]
    fn wrong_command_lines_name_the_problem() {
        let run = |a: &[&str]| match p(a) {
            Parsed::Run(inv) => inv,
            o => panic!("{a:?}: {o:?}"),
        };
        assert_eq!(
            run(&["prune", "-f", "-f"]).action,
            Action::Prune {
                force: true,
                verbose: false,
                jails: vec![]
            }
        );
        assert!(run(&["prune", "-n"]).dry_run);
        assert!(run(&["destroy", "-n", "x"]).dry_run);
        assert!(matches!(
            run(&["check", "-v", "-v"]).action,
            Action::Check { verbose: true, .. }
        ));
        assert_eq!(
            run(&["-w", "5", "-w", "0", "prune"]).wait,
            std::time::Duration::ZERO,
            "the last -w counts"
        );
        let error = |a: &[&str]| match p(a) {
            Parsed::Error { message, .. } => message,
            o => panic!("{a:?}: {o:?}"),
        };
        let wait = "the wait is a whole number of seconds";
        assert_eq!(error(&["-w", "-1", "prune"]), format!("-w \"-1\": {wait}"));
        assert_eq!(error(&["-w"]), "-w: needs a value");
        assert_eq!(
            error(&["-w", "prune"]),
            format!("-w \"prune\": {wait}"),
            "-w took the action as its value"
        );
        assert_eq!(
            error(&["-w", "destroy", "x"]),
            format!("-w \"destroy\": {wait}")
        );
        assert_eq!(
            error(&["-wx", "addm", "j", "em0"]),
            format!("-w \"x\": {wait}")
        );
        assert_eq!(
            error(&["show", "-n"]),
            "-n: show changes nothing; use -n with addm, destroy or prune"
        );
        // jib's own errors: jib's usage text, and one line more.
        let hinted = |a: &[&str]| match p(a) {
            Parsed::Usage {
                usage,
                hint: Some(h),
                ..
            } => (usage, h),
            o => panic!("{a:?}: {o:?}"),
        };
        assert_eq!(
            hinted(&["bogus"]),
            (Usage::Actions, "\"bogus\": unknown action".into())
        );
        assert_eq!(
            hinted(&["-x"]),
            (Usage::Actions, "\"-x\": unknown option".into())
        );
        assert_eq!(
            hinted(&["-n", "prune", "-x"]),
            (Usage::Prune, "\"-x\": unknown option".into()),
            "the action's usage, past the options before it"
        );
        assert_eq!(
            hinted(&["addm", "-b"]),
            (Usage::Addm, "-b: needs a value".into())
        );
        assert_eq!(
            hinted(&["-w", "x", "check"]),
            (Usage::Check, format!("-w \"x\": {wait}")),
            "check: a wrong command line is status 2, so its usage"
        );
        assert_eq!(
            hinted(&["check", "-n"]),
            (
                Usage::Check,
                "-n: check changes nothing; use -n with addm, destroy or prune".into()
            )
        );
    }

    /// Review of issue 14, 9: the options before the action as getopts(1)
    /// reads them, bundles and `--` included.
    #[test]
    fn options_before_the_action() {
        for (args, dry, wait) in [
            (&["-nw", "5", "prune"][..], true, 5),
            (&["-w5", "-n", "prune"], true, 5),
            (&["-w", "7", "--", "prune"], false, 7),
            (&["-n", "--", "prune"], true, 30),
            (&["--", "prune", "-n"], true, 30),
        ] {
            let Parsed::Run(inv) = p(args) else {
                panic!("{args:?}: {:?}", p(args));
            };
            assert_eq!(inv.action.name(), "prune", "{args:?}");
            assert_eq!((inv.dry_run, inv.wait.as_secs()), (dry, wait), "{args:?}");
        }
        assert!(matches!(
            p(&["--", "-n", "prune"]),
            Parsed::Usage {
                usage: Usage::Actions,
                hint: Some(h),
                ..
            } if h == "\"-n\": unknown action"
        ));
    }

    #[test]
    fn prog_is_argv0_basename() {
        assert_eq!(prog_name(Some(OsStr::new("/usr/sbin/jib"))), "jib");
        assert_eq!(prog_name(Some(OsStr::new("rjib"))), "rjib");
        assert_eq!(prog_name(None), "rjib");
        assert!(
            matches!(p(&["--version"]), Parsed::Info(s) if s.contains(env!("CARGO_PKG_VERSION")))
        );
        assert!(matches!(p(&["--help"]), Parsed::Info(s) if s.contains("addm")));
    }

    /// Issue 9, defects 4 and 7: bytes in, nothing converted lossily.
    #[test]
    fn arguments_are_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let os = |args: &[&[u8]]| {
            let mut v = vec![OsString::from("rjib")];
            v.extend(args.iter().map(|a| OsStr::from_bytes(a).to_os_string()));
            parse(&v)
        };
        // a NAME that is not UTF-8 is no jail name: jib's usage, one hint
        match os(&[b"addm", b"j\xff", b"em0"]) {
            Parsed::Usage {
                usage: Usage::Addm,
                hint: Some(h),
                ..
            } => assert_eq!(
                h,
                "\"j\\xff\": not a jail name; use one or more of the characters [0-9A-Za-z_]"
            ),
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            os(&[b"destroy", b"a.b"]),
            Parsed::Usage {
                usage: Usage::Destroy,
                hint: Some(_),
                ..
            }
        ));
        assert!(
            matches!(p(&["addm", "x"]), Parsed::Usage { hint: None, .. }),
            "a good NAME without IFACE: usage only"
        );
        for bad in [
            &[&b"addm"[..], b"-b", b"\xc3", b"j", b"em0"][..],
            &[b"addm", b"j", b"em0\x80"],
            &[b"show", b"\xff"],
            &[b"show", b"--libxo", b"json\xff"],
            &[b"addm", b"-m", b"sum\xff", b"j", b"em0"],
        ] {
            assert!(matches!(os(bad), Parsed::Error { .. }), "{bad:?}");
        }
        // -b: UTF-8 beyond ASCII is a name the kernel takes
        assert_eq!(addm(&["addm", "-b", "brü", "j", "em0"]).0, "brü");
        for bad in ["a b", "a\tb", "a/b", "a:b", "a\u{85}"] {
            assert!(
                matches!(p(&["addm", "-b", bad, "j", "em0"]), Parsed::Error { .. }),
                "{bad:?}"
            );
        }
    }
}
