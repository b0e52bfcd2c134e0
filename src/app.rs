//! One run of rjib: parse, plan, execute, report. `main` only maps the
//! result to an exit status (or to death by the signal that stopped it).

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::Write;

use anyhow::Result;

use crate::cli::{self, Action, Invocation, Parsed, ShowFormat};
use crate::dryrun::DryRun;
use crate::exec;
use crate::exec::facts::HostFacts;
use crate::host::{Host, HostError, Priority};
use crate::io::{Io, say};
use crate::jib::inventory;
use crate::jib::name::JailName;
use crate::jib::pairing::Unit;
use crate::jib::plan::{
    AddmRequest, Evidence, collisions, needs_jail, plan_addm, unnamed_members,
    unnamed_members_warning,
};
use crate::jib::prune;
use crate::jib::show;
use crate::net::{BridgePolicy, Cloner, IfName, Interface};
use crate::signals::{Never, Stop};
use crate::util::escape_controls;

/// How a run ends: an exit status, or the signal it must die by once it
/// has finished or undone its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    pub status: i32,
    pub signal: Option<i32>,
}

impl Exit {
    fn status(status: i32) -> Exit {
        Exit {
            status,
            signal: None,
        }
    }
}

/// Run rjib with `argv` (the bytes it was given: arguments need not be
/// UTF-8); `open` gives the host (called at most once, and not for usage
/// errors). Returns the exit status. No signal stops it.
pub fn main_with(
    argv: &[OsString],
    open: &mut dyn FnMut() -> Result<Box<dyn Host>>,
    io: &mut Io<'_>,
) -> i32 {
    main_with_stop(argv, open, io, &Never).status
}

/// `main_with`, where `stop` reports SIGINT, SIGTERM or SIGHUP: a change
/// in progress then finishes or is undone, and the run ends with that
/// signal.
pub fn main_with_stop(
    argv: &[OsString],
    open: &mut dyn FnMut() -> Result<Box<dyn Host>>,
    io: &mut Io<'_>,
    stop: &dyn Stop,
) -> Exit {
    main_parsed(argv, cli::parse(argv), open, io, stop)
}

/// `main_with_stop` on `argv` as `cli::parse` read it (`main` parses
/// first, to know whether the run changes anything and so whether it
/// notes signals).
pub fn main_parsed(
    argv: &[OsString],
    parsed: Parsed,
    open: &mut dyn FnMut() -> Result<Box<dyn Host>>,
    io: &mut Io<'_>,
    stop: &dyn Stop,
) -> Exit {
    let inv = match parsed {
        Parsed::Run(inv) => inv,
        Parsed::Info(text) => {
            let prog = cli::prog_name(argv.first().map(OsString::as_os_str));
            return Exit::status(match emit_bytes(io.out, text.as_bytes()) {
                Ok(()) => 0,
                // A reader that went away (`rjib --help | head -1`).
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(e) => {
                    say(io.err, &prog, stdout_error(&e));
                    1
                }
            });
        }
        Parsed::Error { prog, message } | Parsed::BadVlan { prog, message } => {
            say(io.err, &prog, message);
            return Exit::status(1);
        }
        Parsed::Usage { prog, usage, hint } => {
            let (e, o) = usage.texts(&prog);
            let _ = io.err.write_all(e.as_bytes());
            let _ = io.out.write_all(o.as_bytes());
            if let Some(hint) = hint {
                say(io.err, &prog, hint);
            }
            // check's 1 means "errors found": a wrong command line is 2.
            return Exit::status(if usage == cli::Usage::Check { 2 } else { 1 });
        }
    };
    if let Action::Check { .. } = &inv.action {
        // check reads the host itself, read-only, and has its own statuses.
        return Exit::status(crate::check::run(&inv, open, io));
    }
    let mut host = match open() {
        Ok(h) => h,
        Err(e) => {
            say(io.err, &inv.prog, format_args!("{e:#}"));
            return Exit::status(1);
        }
    };
    let mut run = Run {
        inv: &inv,
        holder: crate::lock::this_holder(argv),
        host: host.as_mut(),
        io,
        stop,
    };
    match run.action() {
        Ok(exit) => exit,
        Err(e) => {
            let msg = format!("{e:#}");
            run.fail(&msg);
            Exit::status(1)
        }
    }
}

/// One run on an open host.
struct Run<'a, 'b> {
    inv: &'a Invocation,
    /// What this run writes into the lock file: `PID COMMAND`.
    holder: String,
    host: &'a mut dyn Host,
    io: &'a mut Io<'b>,
    stop: &'a dyn Stop,
}

/// A failed write to standard output, as one error line says it
/// (`stdout: Bad file descriptor`, without "(os error 9)").
fn stdout_error(e: &std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("stdout: {}", crate::util::io_reason(e))
}

/// `bytes`, flushed.
fn emit_bytes(out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(bytes)?;
    out.flush()
}

/// `lines`, one per line, flushed.
fn emit(out: &mut dyn Write, lines: &[String]) -> std::io::Result<()> {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    out.write_all(text.as_bytes())?;
    out.flush()
}

impl Run<'_, '_> {
    /// Whether anything may be logged: a dry run changes nothing and so
    /// records nothing, and `show` only reads.
    fn logs(&self) -> bool {
        !self.inv.dry_run && !matches!(self.inv.action, Action::Show { .. })
    }

    /// One line on stderr, and the same to syslog(3). A warning's or a
    /// failure's record starts with what it is about (`addm www: `), as
    /// `fail`'s do; a notice of a change names its jail itself.
    fn say(&mut self, priority: Priority, msg: &str) {
        say(self.io.err, &self.inv.prog, msg);
        if self.logs() {
            let record = match priority {
                Priority::Warning | Priority::Err => with_context(&self.context(), msg),
                _ => msg.to_string(),
            };
            self.host.syslog(priority, &escape_controls(&record));
        }
    }

    /// A failure or refusal: said, logged, and the log made durable. The
    /// syslog record starts with what was refused (`addm www: `), since at
    /// boot /var/log/messages has records of many jails' commands.
    fn fail(&mut self, msg: &str) {
        say(self.io.err, &self.inv.prog, msg);
        if self.logs() {
            let record = with_context(&self.context(), msg);
            self.host.syslog(Priority::Err, &escape_controls(&record));
            let _ = self.host.commit();
        }
    }

    /// The action and its jail, as a syslog record names them: `addm www`,
    /// `destroy www`, `prune`.
    fn context(&self) -> String {
        match &self.inv.action {
            Action::Addm { jail, .. } | Action::Destroy { jail } => {
                format!("{} {jail}", self.inv.action.name())
            }
            other => other.name().to_string(),
        }
    }

    /// The listing a changing command works from. A real run first checks
    /// for root (jib's words, after the arguments, before anything else)
    /// and takes the lock; a dry run needs neither. `None`: not root, and
    /// the message is printed.
    fn listing_for_change(&mut self) -> Result<Option<Vec<Interface>>> {
        if !self.inv.dry_run {
            let euid = self.host.euid()?;
            if euid != 0 {
                let _ = writeln!(self.io.err, "Must run as root!");
                let record = format!("{}: refused: not root (uid {euid})", self.context());
                self.host.syslog(Priority::Err, &record);
                let _ = self.host.commit();
                return Ok(None);
            }
            let (err, prog) = (&mut *self.io.err, &self.inv.prog);
            let mut notice = |m: &str| say(err, prog, m);
            self.host.lock(&mut crate::host::LockWait {
                holder: &self.holder,
                timeout: self.inv.wait,
                stop: self.stop,
                notice: &mut notice,
            })?;
        }
        Ok(Some(self.host.list()?))
    }

    /// Whether a real run must load if_bridge before it can judge what the
    /// kernel does with a member's addresses (a dry run loads nothing and
    /// goes by the prediction).
    fn settles(&self, policy: &BridgePolicy) -> bool {
        !self.inv.dry_run && policy.needs_load()
    }

    /// The dry-run host for an addm on `listing`: what the host has
    /// loaded, and how its bridge judges members.
    fn dry_host(&mut self, listing: &[Interface], policy: BridgePolicy) -> Result<DryRun> {
        let mut loaded = HashSet::new();
        for c in [Cloner::Bridge, Cloner::Epair] {
            if self.host.cloner_loaded(c)? {
                loaded.insert(c);
            }
        }
        Ok(DryRun::new(listing, loaded, policy))
    }

    fn action(&mut self) -> Result<Exit> {
        let inv = self.inv;
        match &inv.action {
            Action::Show { jail, format } => self.show(jail.as_deref(), *format),
            Action::Addm {
                suffix,
                jail,
                ifaces,
                vlans,
                scheme,
            } => {
                let req = AddmRequest {
                    jail,
                    suffix,
                    ifaces,
                    vlans,
                    scheme: *scheme,
                };
                self.addm(&req)
            }
            Action::Destroy { jail } => self.destroy(jail),
            Action::Prune {
                force,
                verbose,
                jails,
            } => self.prune(*force, *verbose, jails),
            Action::Check { .. } => unreachable!("handled before the host is opened"),
        }
    }

    fn show(&mut self, jail: Option<&str>, format: ShowFormat) -> Result<Exit> {
        let listing = self.host.list()?;
        let lines = match format {
            ShowFormat::Text => match jail {
                None => show::jails(&listing),
                Some(j) => show::ends_of(&listing, j)
                    .iter()
                    .map(|n| n.to_string())
                    .collect(),
            },
            ShowFormat::Json { pretty } => {
                // One SIOCGIFDESCR per end reported, and one BRDGGIFVLANSET
                // per bridge member; an end gone since the listing has
                // none. FreeBSD 14 has no VLANs: the release is read once,
                // at the first member, and no BRDGGIFVLANSET is sent that
                // its kernel must refuse. A set not read is `null`.
                let host = std::cell::RefCell::new(&mut *self.host);
                let has_vlans = std::cell::Cell::new(None);
                let mut reads = inventory::Reads(
                    |n: &IfName| host.borrow_mut().description(n).ok().flatten(),
                    |b: &IfName, m: &IfName| {
                        let has = has_vlans.get().unwrap_or_else(|| {
                            let has = host
                                .borrow_mut()
                                .bridge_policy()
                                .is_ok_and(|p| p.has_vlans());
                            has_vlans.set(Some(has));
                            has
                        });
                        if !has {
                            return None;
                        }
                        host.borrow_mut().member_vlans(b, m).ok()
                    },
                );
                let report = inventory::report(&listing, jail, &mut reads);
                vec![if pretty {
                    serde_json::to_string_pretty(&report)?
                } else {
                    serde_json::to_string(&report)?
                }]
            }
        };
        match emit(self.io.out, &lines) {
            Ok(()) => Ok(Exit::status(0)),
            // A reader that went away (`rjib show | head -1`): end
            // quietly, as other tools do.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::status(0)),
            Err(e) => Err(stdout_error(&e)),
        }
    }

    fn addm(&mut self, req: &AddmRequest<'_>) -> Result<Exit> {
        let Some(listing) = self.listing_for_change()? else {
            return Ok(Exit::status(1));
        };
        let mut policy = self.host.bridge_policy()?;
        // Where the peers of the pairs the request finds are: one sysctl
        // per end of such a pair, none for a new jail.
        let peers = {
            let host = &mut *self.host;
            Evidence::peers_of(req, &listing, &mut |end| unit_of(host, end))
        };
        let jail = match needs_jail(&peers) {
            true => self.host.jail(req.jail.as_str())?,
            false => None,
        };
        let evidence = Evidence { jail, peers };
        let jail_info = evidence.jail.clone();
        // Only once if_bridge is loaded does its sysctl say whether a member
        // with an address is refused: a real run that creates a bridge
        // plans without judging that, loads the modules, and judges then.
        let first = match self.settles(&policy) {
            true => BridgePolicy {
                member_ifaddrs: Some(1),
                ..policy.clone()
            },
            false => policy.clone(),
        };
        let mut facts = HostFacts {
            host: &mut *self.host,
        };
        let mut plan = match plan_addm(req, &listing, &first, &evidence, &mut facts) {
            Ok(p) => p,
            Err(e) => {
                self.fail(&e.to_string());
                return Ok(Exit::status(1));
            }
        };
        let mut preloaded = Vec::new();
        if self.settles(&policy) && plan.cloners().contains(&Cloner::Bridge) {
            let bridge = [Cloner::Bridge];
            preloaded = match exec::addm::load(self.host, &bridge, &plan, req.jail, self.stop) {
                Ok(l) => l,
                Err(failure) => {
                    self.fail(&failure.to_string());
                    return Ok(Exit {
                        status: 1,
                        signal: failure.error.signal(),
                    });
                }
            };
            policy = self.host.bridge_policy()?;
            let mut facts = HostFacts {
                host: &mut *self.host,
            };
            plan = match plan_addm(req, &listing, &policy, &evidence, &mut facts) {
                Ok(p) => p,
                Err(e) => {
                    let mut msg = format!("{e}; nothing was changed");
                    for c in &preloaded {
                        msg.push_str(&format!(
                            " ({} was loaded to read its sysctls and stays loaded)",
                            c.module()
                        ));
                    }
                    self.fail(&msg);
                    return Ok(Exit::status(1));
                }
            };
        }
        for w in &plan.warnings {
            self.say(Priority::Warning, &w.to_string());
        }
        for b in unnamed_members(&plan, &listing) {
            self.say(Priority::Warning, &unnamed_members_warning(b));
        }
        for c in collisions(&plan, &listing, req.scheme) {
            self.say(Priority::Warning, &c.to_string());
        }
        for w in &plan.vlan_warnings {
            self.say(Priority::Warning, &w.to_string());
        }
        for link in plan.links.iter().filter(|l| l.stale.is_some()) {
            let jid = jail_info.as_ref().map_or(0, |j| j.jid);
            self.say(
                Priority::Notice,
                &format!(
                    "{}: jail {} (jid {jid}) is dying and its jail end {} is not on the host; replacing this stale pair",
                    link.a, req.jail, link.b
                ),
            );
        }
        let taken: Vec<_> = listing.iter().map(|i| i.name.clone()).collect();
        if self.inv.dry_run {
            let mut dry = self.dry_host(&listing, policy)?;
            for w in &plan.warnings {
                dry.note_before_addm(&w.iface, &w.to_string());
            }
            let mut built = exec::addm::run(&mut dry, &plan, req.jail, &taken, &Never)
                .map_err(|f| anyhow::anyhow!(dry_run_failure(&f)))?;
            let left = built.finish(&mut dry);
            debug_assert!(left.is_empty(), "the dry run destroys what it named aside");
            return self.emit_script(&dry);
        }
        let mut built = match exec::addm::run(self.host, &plan, req.jail, &taken, self.stop) {
            Ok(b) => b,
            Err(mut failure) => {
                failure.loaded.splice(0..0, preloaded);
                self.fail(&failure.to_string());
                return Ok(Exit {
                    status: 1,
                    signal: failure.error.signal(),
                });
            }
        };
        // The names are printed before the work is final: jail(8) must not
        // go on with interfaces it did not get, nor rjib keep them.
        let cancel = match emit(self.io.out, &built.lines) {
            Err(e) => Some((format!("stdout: {}", crate::util::io_reason(&e)), None)),
            Ok(()) => self.stop.pending().map(|s| {
                let why = HostError::interrupted(format!("addm {}", req.jail), s).to_string();
                (why, Some(s))
            }),
        };
        if let Some((why, signal)) = cancel {
            let (undone, left) = built.undo(self.host, &why);
            let mut msg = why;
            let _ = exec::addm::undo_outcome(&mut msg, undone, &left);
            self.fail(&msg);
            return Ok(Exit { status: 1, signal });
        }
        // The last step. A stale pair that cannot be destroyed stays,
        // named aside, with a warning; the new pair is kept.
        let left = built.finish(self.host);
        // A signal during it: the run is not final yet, so it is undone;
        // the stale pairs destroyed meanwhile cannot come back.
        if let Some(s) = self.stop.pending() {
            let why = HostError::interrupted(format!("addm {}", req.jail), s).to_string();
            let destroyed: Vec<String> = built.destroyed.iter().map(|n| n.to_string()).collect();
            let (undone, left) = built.undo(self.host, &why);
            let mut msg = why;
            if destroyed.is_empty() {
                let _ = exec::addm::undo_outcome(&mut msg, undone, &left);
            } else {
                // Not "nothing was changed": a destroyed pair cannot come back.
                msg.push_str(&format!(
                    "; the stale pair {} of dying jail {} was destroyed before the signal came",
                    destroyed.join(", "),
                    req.jail
                ));
                let _ = exec::addm::undo_rest(&mut msg, undone, &left);
            }
            self.fail(&msg);
            return Ok(Exit {
                status: 1,
                signal: Some(s),
            });
        }
        for l in &left {
            // logged by `finish`
            say(self.io.err, &self.inv.prog, l);
        }
        self.host.commit()?;
        Ok(Exit::status(0))
    }

    /// Print a dry run's script. A failure says why (`stdout: …`): nothing
    /// was changed.
    fn emit_script(&mut self, dry: &DryRun) -> Result<Exit> {
        match emit_bytes(self.io.out, &dry.script()) {
            Ok(()) => Ok(Exit::status(0)),
            Err(e) => {
                self.fail(&format!(
                    "stdout: {}; dry run, nothing was changed",
                    crate::util::io_reason(&e)
                ));
                Ok(Exit::status(1))
            }
        }
    }

    fn destroy(&mut self, jail: &JailName) -> Result<Exit> {
        let Some(listing) = self.listing_for_change()? else {
            return Ok(Exit::status(1));
        };
        let chosen: Vec<(IfName, String)> = show::ends_of(&listing, jail.as_str())
            .into_iter()
            .map(|a| (a, format!("jail {jail}")))
            .collect();
        // jib prints nothing when it destroys.
        self.destroy_ends(&listing, &chosen, "destroyed", false)
    }

    /// Destroy `chosen` host ends (each takes its jail end), logged as
    /// `verb`; with `print`, their names on stdout. Destroying cannot be
    /// undone: a signal waits until all is done.
    fn destroy_ends(
        &mut self,
        listing: &[Interface],
        chosen: &[(IfName, String)],
        verb: &str,
        print: bool,
    ) -> Result<Exit> {
        if self.inv.dry_run {
            // Destroying creates and loads nothing: no cloner is asked of.
            let mut dry = DryRun::new(listing, HashSet::new(), BridgePolicy::PERMISSIVE);
            let (_, failures) = exec::destroy::ends(&mut dry, chosen, verb);
            debug_assert!(failures.is_empty());
            return self.emit_script(&dry);
        }
        let (done, failures) = exec::destroy::ends(self.host, chosen, verb);
        for f in &failures {
            self.say(Priority::Err, &f.to_string());
        }
        let names: Vec<String> = done.iter().map(|n| n.to_string()).collect();
        let mut printed = true;
        if print && let Err(e) = emit(self.io.out, &names) {
            // The destroys are done and cannot be undone: say which, since
            // the list on stdout is lost (issue 14, D10).
            printed = false;
            self.fail(&format!(
                "stdout: {}; {verb} all the same: {}",
                crate::util::io_reason(&e),
                names.join(", ")
            ));
        }
        self.host.commit()?;
        Ok(Exit {
            status: if failures.is_empty() && printed { 0 } else { 1 },
            signal: self.stop.pending(),
        })
    }
}

/// `msg` as a syslog record of `context`: prefixed with it, unless it
/// already starts with it (`addm www: interrupted by SIGINT`).
fn with_context(context: &str, msg: &str) -> String {
    match msg.strip_prefix(context) {
        Some(rest) if rest.starts_with(": ") => msg.to_string(),
        _ => format!("{context}: {msg}"),
    }
}

/// Why a dry run stopped. The failure's own text says how many steps were
/// undone, but a dry run changed nothing and undid nothing.
fn dry_run_failure(f: &exec::addm::AddmFailure) -> String {
    format!("{}; dry run, nothing was changed", f.error)
}

impl Run<'_, '_> {
    /// `prune`: destroy the pairs no jail can be using, on the kernel's
    /// evidence (`jib::prune`); never one changed in the last minute
    /// unless `force`. With `verbose`, say why for each pair.
    fn prune(&mut self, force: bool, verbose: bool, jails: &[JailName]) -> Result<Exit> {
        let Some(listing) = self.listing_for_change()? else {
            return Ok(Exit::status(1));
        };
        let only: Vec<String> = jails.iter().map(|j| j.to_string()).collect();
        let now = crate::util::now_secs();
        let pairs = prune::pairs(&listing, &only, &mut Asked(&mut *self.host));
        let mut states: std::collections::HashMap<String, Option<crate::net::JailInfo>> =
            std::collections::HashMap::new();
        let mut chosen = Vec::new();
        for pair in pairs {
            let jail = match (&pair.jail, pair.needs_jail()) {
                (Some(name), true) => {
                    if !states.contains_key(name) {
                        let j = self.host.jail(name)?;
                        states.insert(name.clone(), j);
                    }
                    states[name].as_ref()
                }
                _ => None,
            };
            match prune::judge(&pair, jail, now, force) {
                prune::Verdict::Prune(why) => {
                    if verbose {
                        say(self.io.err, &self.inv.prog, format_args!("{}: prune: {why}", pair.a));
                    }
                    chosen.push((pair.a, why));
                }
                prune::Verdict::Keep(why) => {
                    if verbose {
                        say(self.io.err, &self.inv.prog, format_args!("{}: keep: {why}", pair.a));
                    }
                }
                prune::Verdict::Fresh { age, why } => self.say(
                    Priority::Warning,
                    &format!(
                        "{}: left alone: {why}, but {age}, and it may belong to a jail being started \
                         (-f prunes it anyway)",
                        pair.a
                    ),
                ),
            }
        }
        self.destroy_ends(&listing, &chosen, "pruned", true)
    }
}

/// An end's epair unit, as the host's sysctl drivername says.
fn unit_of(host: &mut dyn Host, end: &Interface) -> Unit {
    Unit::from_driver(host.driver(&end.name, end.index).map_err(|e| e.to_string()))
}

/// What `prune` asks the host: descriptions of asides, epair units.
struct Asked<'h>(&'h mut dyn Host);

impl prune::Ask for Asked<'_> {
    fn description(&mut self, name: &IfName) -> Option<String> {
        self.0.description(name).ok().flatten()
    }

    fn unit(&mut self, end: &Interface) -> Unit {
        unit_of(self.0, end)
    }
}

/// What `main_counted` saw: exit status, stdout, stderr and host calls.
pub struct Counted {
    pub status: i32,
    pub out: Vec<u8>,
    pub err: Vec<u8>,
    pub calls: crate::host::counting::Calls,
}

/// Run rjib in this process on the host `sel` picks, counting the host
/// calls it makes (for the tests and the benchmark).
pub fn main_counted(argv: &[OsString], sel: &crate::backend::Selection) -> Counted {
    use crate::host::counting::Counting;
    use std::cell::RefCell;
    use std::rc::Rc;

    let slot: Rc<RefCell<Option<Rc<RefCell<crate::host::counting::Calls>>>>> = Rc::default();
    let seen = slot.clone();
    let mut opener = move || -> Result<Box<dyn Host>> {
        let (host, calls) = Counting::new(crate::backend::open(sel)?);
        *seen.borrow_mut() = Some(calls);
        Ok(Box::new(host))
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = main_with(
        argv,
        &mut opener,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
    );
    let calls = slot
        .borrow()
        .as_ref()
        .map(|c| c.borrow().clone())
        .unwrap_or_default();
    Counted {
        status,
        out,
        err,
        calls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Errno;

    /// Issue 9, defect 7: "nothing was changed (3 step(s) undone)" after a
    /// dry run was false.
    #[test]
    fn a_failed_dry_run_undid_nothing() {
        let f = exec::addm::AddmFailure {
            error: HostError::errno("bridge0", "name bridge0", Errno::EEXIST),
            undone: 3,
            leftovers: Vec::new(),
            module: None,
            loaded: Vec::new(),
        };
        assert!(
            f.to_string().contains("3 step(s) undone"),
            "the real run's words"
        );
        assert_eq!(
            dry_run_failure(&f),
            "bridge0: name bridge0: File exists; dry run, nothing was changed"
        );
    }
}
