//! One run of rjib: parse, plan, execute, report. `main` only maps the
//! result to an exit status.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::{self, Action, Invocation, Parsed, ShowFormat};
use crate::dryrun::DryRun;
use crate::exec;
use std::collections::HashSet;

use crate::host::{BridgePolicy, Cloner, Host, Interface};
use crate::jib::inventory;
use crate::jib::plan::{AddmRequest, collisions, plan_addm};
use crate::jib::show;

/// Where a run writes.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

/// Run rjib with `argv`; `open` gives the host (called at most once, and
/// not for usage errors). Returns the exit status.
pub fn main_with(
    argv: &[String],
    open: &mut dyn FnMut() -> Result<Box<dyn Host>>,
    io: &mut Io<'_>,
) -> i32 {
    let inv = match cli::parse(argv) {
        Parsed::Run(inv) => inv,
        Parsed::Info(text) => {
            return match io.out.write_all(text.as_bytes()) {
                Ok(()) => 0,
                Err(_) => 1,
            };
        }
        Parsed::Error { prog, message } => {
            let _ = writeln!(io.err, "{prog}: {message}");
            return 1;
        }
        Parsed::Usage { prog, usage } => {
            let (e, o) = usage.texts(&prog);
            let _ = io.err.write_all(e.as_bytes());
            let _ = io.out.write_all(o.as_bytes());
            // check's 1 means "errors found": a wrong command line is 2.
            return if usage == cli::Usage::Check { 2 } else { 1 };
        }
    };
    match run(&inv, open, io) {
        Ok(status) => status,
        Err(e) => {
            let _ = writeln!(io.err, "{}: {:#}", inv.prog, e);
            1
        }
    }
}

fn emit(io: &mut Io<'_>, lines: &[String]) -> Result<()> {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    io.out.write_all(text.as_bytes()).context("stdout")?;
    io.out.flush().context("stdout")
}

/// The listing a changing command (addm, destroy) works from. A real run
/// first checks for root (jib's words, after the arguments, before
/// anything else) and takes the lock; a dry run needs neither. `None`:
/// not root, and the message is printed.
fn listing_for_change(
    inv: &Invocation,
    host: &mut dyn Host,
    io: &mut Io<'_>,
) -> Result<Option<Vec<Interface>>> {
    if !inv.dry_run {
        if host.euid()? != 0 {
            let _ = writeln!(io.err, "Must run as root!");
            return Ok(None);
        }
        host.lock()?;
    }
    Ok(Some(host.list()?))
}

/// The dry-run host for `listing`: what `host` has loaded, and how its
/// bridge judges members.
fn dry_host(host: &mut dyn Host, listing: &[Interface], policy: BridgePolicy) -> Result<DryRun> {
    let mut loaded = HashSet::new();
    for c in [Cloner::Bridge, Cloner::Epair] {
        if host.cloner_loaded(c)? {
            loaded.insert(c);
        }
    }
    Ok(DryRun::new(listing, loaded, policy))
}

fn run(
    inv: &Invocation,
    open: &mut dyn FnMut() -> Result<Box<dyn Host>>,
    io: &mut Io<'_>,
) -> Result<i32> {
    if let Action::Check { .. } = &inv.action {
        return Ok(crate::check::run(inv, open, io));
    }
    let mut host = open()?;
    let host = host.as_mut();
    match &inv.action {
        Action::Show { jail, format } => {
            let listing = host.list()?;
            match format {
                ShowFormat::Text => {
                    let lines: Vec<String> = match jail {
                        None => show::jails(&listing),
                        Some(j) => show::ends_of(&listing, j)
                            .iter()
                            .map(|n| n.to_string())
                            .collect(),
                    };
                    emit(io, &lines)?;
                }
                ShowFormat::Json { pretty } => {
                    let report = inventory::report(&listing, jail.as_deref());
                    let text = if *pretty {
                        serde_json::to_string_pretty(&report)?
                    } else {
                        serde_json::to_string(&report)?
                    };
                    emit(io, &[text])?;
                }
            }
            Ok(0)
        }
        Action::Addm {
            suffix,
            jail,
            ifaces,
            scheme,
        } => {
            let Some(listing) = listing_for_change(inv, host, io)? else {
                return Ok(1);
            };
            let req = AddmRequest {
                jail,
                suffix,
                ifaces,
                scheme: *scheme,
            };
            let policy = host.bridge_policy()?;
            let plan = plan_addm(&req, &listing, &policy)?;
            for c in collisions(&plan, &listing) {
                let _ = writeln!(io.err, "{}: {}", inv.prog, c);
            }
            let taken: Vec<_> = listing.iter().map(|i| i.name.clone()).collect();
            if inv.dry_run {
                let mut dry = dry_host(host, &listing, policy)?;
                exec::addm::run(&mut dry, &plan, &taken).map_err(|f| anyhow::anyhow!("{f}"))?;
                emit(io, &dry.commands)?;
                return Ok(0);
            }
            let result = exec::addm::run(host, &plan, &taken);
            host.commit()?;
            match result {
                Ok(built) => {
                    emit(io, &built.lines)?;
                    Ok(0)
                }
                Err(failure) => {
                    let _ = writeln!(io.err, "{}: {}", inv.prog, failure);
                    Ok(1)
                }
            }
        }
        Action::Check { .. } => unreachable!("handled before the host is opened"),
        Action::Destroy { jail } => {
            let Some(listing) = listing_for_change(inv, host, io)? else {
                return Ok(1);
            };
            if inv.dry_run {
                let mut dry = dry_host(host, &listing, BridgePolicy::PERMISSIVE)?;
                let failures = exec::destroy::run(&mut dry, &listing, jail.as_str());
                debug_assert!(failures.is_empty());
                emit(io, &dry.commands)?;
                return Ok(0);
            }
            let failures = exec::destroy::run(host, &listing, jail.as_str());
            host.commit()?;
            for f in &failures {
                let _ = writeln!(io.err, "{}: {}", inv.prog, f);
            }
            Ok(if failures.is_empty() { 0 } else { 1 })
        }
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
pub fn main_counted(argv: &[String], sel: &crate::backend::Selection) -> Counted {
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
