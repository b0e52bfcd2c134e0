//! Each jail's effective parameters (`config.c` `load_config`, `add_param`).
//!
//! For each jail block (wildcard blocks and the global pseudo-jail `*`
//! aside), in block order:
//! 1. `name` = the block's name, or `jid` when the name is a non-zero
//!    number; both are immutable: setting them again is a problem.
//! 2. The wildcard blocks (the global one included) are taken in file
//!    order, each when it matches the jail's name; the jail's own block is
//!    taken just before the first wildcard block written after it. So a
//!    wildcard above a jail gives defaults the jail can change, one below it
//!    has the last word.
//! 3. Each statement merges into the list: a parameter already there under
//!    the same name, or its `no` form, keeps its place; `=` (or a valueless
//!    statement) replaces its values, `+=` appends to them. A new one goes
//!    to the end.
//! 4. A numeric-named jail that got no `name` gets one at the end.
//! 5. Variables are substituted, in list order, with this jail's values
//!    (see [`resolve`]); then the variables leave the list.

use super::names::{equalopts, is_jid, is_wildcard, wild_match};
use super::parser::{Piece, Raw, RawParam};
use super::{Jail, Loc, Param, Problem, Value};

/// jail(8)'s internal and well-known parameters (`config.c` `intparams`,
/// newest list): a variable may not be named like one of them.
const INTPARAMS: &[&str] = &[
    "allow.dying",
    "command",
    "depend",
    "exec.clean",
    "exec.consolelog",
    "exec.fib",
    "exec.jail_user",
    "exec.poststart",
    "exec.poststop",
    "exec.prepare",
    "exec.prestart",
    "exec.prestop",
    "exec.release",
    "exec.created",
    "exec.start",
    "exec.stop",
    "exec.system_jail_user",
    "exec.system_user",
    "exec.timeout",
    "interface",
    "ip_hostname",
    "mount",
    "mount.devfs",
    "mount.fdescfs",
    "mount.procfs",
    "mount.fstab",
    "stop.timeout",
    "vnet.interface",
    "zfs.dataset",
    "allow.chflags",
    "allow.mount",
    "allow.raw_sockets",
    "allow.set_hostname",
    "allow.socket_af",
    "allow.sysvipc",
    "devfs_ruleset",
    "host.hostname",
    "ip4.addr",
    "ip6.addr",
    "jid",
    "name",
    "path",
    "persist",
    "securelevel",
    "vnet",
];

/// `jid` and `name` cannot be set twice (`PF_IMMUTABLE`).
fn immutable(name: &str) -> bool {
    equalopts(name, "jid") || equalopts(name, "name")
}

/// A variable reference waiting in a string: at byte `pos` of its text.
#[derive(Debug, Clone)]
struct Ref {
    pos: usize,
    name: String,
    loc: Loc,
}

#[derive(Debug, Clone)]
struct Str {
    text: String,
    refs: Vec<Ref>,
    loc: Loc,
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    loc: Loc,
    is_var: bool,
    immutable: bool,
    values: Vec<Str>,
    /// `config.c`'s `gen`: which resolution pass last touched it.
    generation: u32,
    /// `PF_BAD`: its substitution failed.
    bad: bool,
}

impl Entry {
    fn unresolved(&self) -> bool {
        self.values.iter().any(|s| !s.refs.is_empty())
    }
}

fn strings(p: &RawParam) -> Vec<Str> {
    p.values
        .iter()
        .map(|raw| {
            let mut text = String::new();
            let mut refs = Vec::new();
            for piece in &raw.pieces {
                match piece {
                    Piece::Lit(t) => text.push_str(t),
                    Piece::Var { name, loc } => refs.push(Ref {
                        pos: text.len(),
                        name: name.clone(),
                        loc: loc.clone(),
                    }),
                }
            }
            Str {
                text,
                refs,
                loc: raw.loc.clone(),
            }
        })
        .collect()
}

/// One jail being computed.
struct Build {
    entries: Vec<Entry>,
    problems: Vec<Problem>,
}

impl Build {
    /// `config.c` `add_param`.
    fn add(&mut self, name: &str, is_var: bool, append: bool, values: Vec<Str>, loc: &Loc) {
        if let Some(dp) = self.entries.iter_mut().find(|e| equalopts(&e.name, name)) {
            if dp.is_var != is_var {
                self.problems.push(Problem {
                    loc: loc.clone(),
                    message: format!(
                        "variable \"${name}\" cannot have the same name as a parameter."
                    ),
                });
                return;
            }
            if dp.immutable {
                self.problems.push(Problem {
                    loc: loc.clone(),
                    message: format!("cannot redefine parameter \"{}\".", dp.name),
                });
                return;
            }
            if dp.name != name {
                dp.name = name.to_string();
            }
            if !append || values.is_empty() {
                dp.values.clear();
            }
            dp.values.extend(values);
            dp.loc = loc.clone();
            return;
        }
        if is_var && INTPARAMS.iter().any(|ip| equalopts(name, ip)) {
            self.problems.push(Problem {
                loc: loc.clone(),
                message: format!("variable \"${name}\" cannot have the same name as a parameter."),
            });
            return;
        }
        self.entries.push(Entry {
            name: name.to_string(),
            loc: loc.clone(),
            is_var,
            immutable: !is_var && immutable(name),
            values,
            generation: 0,
            bad: false,
        });
    }

    fn add_raw(&mut self, p: &RawParam) {
        self.add(&p.name, p.is_var, p.append, strings(p), &p.loc);
    }

    fn add_implicit(&mut self, name: &str, value: &str, loc: &Loc) {
        let s = Str {
            text: value.to_string(),
            refs: Vec::new(),
            loc: loc.clone(),
        };
        self.add(name, false, true, vec![s], loc);
    }
}

/// Every real jail's effective parameters, in block order.
pub fn evaluate(raw: &Raw) -> Vec<Jail> {
    // (seq, block) of every wildcard block, the global one included.
    let wild: Vec<(usize, &super::parser::RawJail)> = raw
        .jails
        .iter()
        .enumerate()
        .filter(|(_, j)| is_wildcard(&j.name))
        .collect();
    let mut out = Vec::new();
    for (seq, block) in raw.jails.iter().enumerate() {
        if is_wildcard(&block.name) {
            continue;
        }
        let mut b = Build {
            entries: Vec::new(),
            problems: Vec::new(),
        };
        let numeric = is_jid(&block.name);
        b.add_implicit(
            if numeric { "jid" } else { "name" },
            &block.name,
            &block.loc,
        );
        let mut did_self = false;
        for (wseq, w) in &wild {
            if seq < *wseq && !did_self {
                block.params.iter().for_each(|p| b.add_raw(p));
                did_self = true;
            }
            if wild_match(&block.name, &w.name) {
                w.params.iter().for_each(|p| b.add_raw(p));
            }
        }
        if !did_self {
            block.params.iter().for_each(|p| b.add_raw(p));
        }
        if numeric
            && !b
                .entries
                .iter()
                .any(|e| !e.is_var && equalopts(&e.name, "name"))
        {
            b.add_implicit("name", &block.name, &block.loc);
        }
        resolve(&mut b.entries, &mut b.problems);
        out.push(Jail {
            name: block.name.clone(),
            loc: block.loc.clone(),
            params: b
                .entries
                .into_iter()
                .filter(|e| !e.is_var)
                .map(|e| Param {
                    name: e.name,
                    values: e
                        .values
                        .into_iter()
                        .map(|s| Value {
                            text: s.text,
                            loc: s.loc,
                        })
                        .collect(),
                    loc: e.loc,
                })
                .collect(),
            problems: b.problems,
        });
    }
    out
}

/// Substitutes every `$name` with this jail's parameter or variable of
/// exactly that name (`config.c` `load_config`, "Resolve any variable
/// substitutions"):
/// - Parameters are done in list order; one whose value refers to a
///   parameter still holding references is moved before it and done first
///   (so the list order changes as in jail(8)).
/// - An undefined name, or one with no value (`persist;`), is a problem
///   ("variable not found"); so is a reference back into the chain being
///   resolved ("variable loop"). The reference then expands to nothing,
///   the jail is refused, and the rest is still expanded.
/// - A list value is substituted as a list only when the reference is the
///   whole string (`ip4.addr = $addrs;`); anywhere else it is a problem
///   ("array cannot be substituted inline").
fn resolve(entries: &mut Vec<Entry>, problems: &mut Vec<Problem>) {
    let mut generation = 0u32;
    let mut i = 0;
    while i < entries.len() {
        generation += 1;
        entries[i].generation = generation;
        'find_vars: loop {
            let mut si = 0;
            while si < entries[i].values.len() {
                while let Some(r) = entries[i].values[si].refs.first().cloned() {
                    let found = entries.iter().position(|e| e.name == r.name);
                    let failure: Option<Option<String>> = match found {
                        Some(k) if !entries[k].values.is_empty() => {
                            if entries[k].bad {
                                Some(None)
                            } else if entries[k].generation == generation {
                                Some(Some(format!("{}: variable loop", r.name)))
                            } else if entries[k].unresolved() {
                                entries[k].generation = generation;
                                let first = entries.remove(k);
                                entries.insert(i, first);
                                continue 'find_vars;
                            } else {
                                substitute(entries, i, si, k)
                            }
                        }
                        _ => Some(Some(format!(
                            "{}: variable \"{}\" not found",
                            entries[i].name, r.name
                        ))),
                    };
                    if let Some(message) = failure {
                        if let Some(message) = message {
                            problems.push(Problem {
                                loc: r.loc.clone(),
                                message,
                            });
                        }
                        for e in entries.iter_mut().filter(|e| e.generation == generation) {
                            e.bad = true;
                        }
                        entries[i].values[si].refs.remove(0);
                    }
                }
                si += 1;
            }
            break;
        }
        i += 1;
    }
}

/// Puts the values of `entries[k]` (all resolved) in place of the first
/// reference of string `si` of `entries[i]`. `Some(message)` when a list
/// would go inside a string.
fn substitute(entries: &mut [Entry], i: usize, si: usize, k: usize) -> Option<Option<String>> {
    let texts: Vec<String> = entries[k].values.iter().map(|s| s.text.clone()).collect();
    let name = entries[i].name.clone();
    let s = &mut entries[i].values[si];
    if texts.len() > 1 && (!s.text.is_empty() || s.refs.len() > 1) {
        return Some(Some(format!("{name}: array cannot be substituted inline")));
    }
    let r = s.refs.remove(0);
    let first = &texts[0];
    s.text.insert_str(r.pos, first);
    for later in &mut s.refs {
        later.pos += first.len();
    }
    let loc = s.loc.clone();
    let extra = texts[1..].iter().map(|t| Str {
        text: t.clone(),
        refs: Vec::new(),
        loc: loc.clone(),
    });
    let values = &mut entries[i].values;
    let tail = values.split_off(si + 1);
    values.extend(extra);
    values.extend(tail);
    None
}
