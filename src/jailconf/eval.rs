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
//!
//! Linear in what is written and what it expands to: parameters are found
//! through maps, not by comparing each with every other, the list that
//! substitution reorders is linked, and a string's references are taken in
//! one pass. What variables expand to is limited to [`MAX_EXPANSION`] bytes
//! in all, since a few lines can double a value thirty times over.

use std::collections::HashMap;

use super::names::{equalopts, is_jid, is_wildcard, wild_match, without_no};
use super::parser::{Piece, Raw, RawJail, RawParam};
use super::{Error, Jail, Loc, Param, Problem, Replaced, Value};

/// The most bytes variable substitution may produce in one load.
pub const MAX_EXPANSION: usize = 256 << 20;

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
fn immutable(name: &[u8]) -> bool {
    equalopts(name, b"jid") || equalopts(name, b"name")
}

/// A variable reference waiting in a string: at byte `pos` of its
/// literal text.
#[derive(Debug, Clone)]
struct Ref {
    pos: usize,
    name: Vec<u8>,
    loc: Loc,
}

/// One string of a value, being substituted: the literal text with its
/// references, and the result so far.
#[derive(Debug, Clone)]
struct Str {
    /// The literal pieces, joined.
    text: Vec<u8>,
    refs: Vec<Ref>,
    loc: Loc,
    /// The next reference to substitute.
    next: usize,
    /// The text so far: `text[..copied]` with the references before
    /// `next` substituted.
    out: Vec<u8>,
    copied: usize,
    /// More strings this one became (a list substituted whole).
    more: Vec<Vec<u8>>,
    incomplete: bool,
}

impl Str {
    fn new(text: Vec<u8>, refs: Vec<Ref>, loc: Loc) -> Str {
        Str {
            text,
            refs,
            loc,
            next: 0,
            out: Vec::new(),
            copied: 0,
            more: Vec::new(),
            incomplete: false,
        }
    }

    fn pending(&self) -> usize {
        self.refs.len() - self.next
    }

    /// Whether the text, with what is substituted so far, is empty.
    fn text_empty(&self) -> bool {
        self.out.is_empty() && self.copied == self.text.len()
    }

    /// Puts `with` in place of the next reference.
    fn substitute(&mut self, with: &[u8]) {
        let pos = self.refs[self.next].pos;
        self.out.extend_from_slice(&self.text[self.copied..pos]);
        self.out.extend_from_slice(with);
        self.copied = pos;
        self.next += 1;
        if self.next == self.refs.len() {
            self.out.extend_from_slice(&self.text[self.copied..]);
            self.copied = self.text.len();
            self.text = std::mem::take(&mut self.out);
            self.copied = self.text.len();
            self.refs = Vec::new();
            self.next = 0;
        }
    }

    /// The text as written, each reference as `${name}`.
    fn as_written(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len());
        let mut at = 0;
        for r in &self.refs {
            out.extend_from_slice(&self.text[at..r.pos]);
            out.extend_from_slice(b"${");
            out.extend_from_slice(&r.name);
            out.push(b'}');
            at = r.pos;
        }
        out.extend_from_slice(&self.text[at..]);
        out
    }
}

/// Where a list link points when there is nothing.
const NONE: usize = usize::MAX;

#[derive(Debug, Clone)]
struct Entry {
    name: Vec<u8>,
    loc: Loc,
    is_var: bool,
    immutable: bool,
    values: Vec<Str>,
    /// `config.c`'s `gen`: which resolution pass last touched it.
    generation: u32,
    /// `PF_BAD`: its substitution failed.
    bad: bool,
    /// References not yet substituted, in all its values.
    pending: usize,
    /// The value being substituted.
    at: usize,
    /// The list order: the entries before and after it.
    prev: usize,
    next: usize,
}

fn strings(p: &RawParam) -> Vec<Str> {
    p.values
        .iter()
        .map(|raw| {
            let mut text = Vec::new();
            let mut refs = Vec::new();
            for piece in &raw.pieces {
                match piece {
                    Piece::Lit(t) => text.extend_from_slice(t),
                    Piece::Var { name, loc } => refs.push(Ref {
                        pos: text.len(),
                        name: name.clone(),
                        loc: loc.clone(),
                    }),
                }
            }
            Str::new(text, refs, raw.loc.clone())
        })
        .collect()
}

/// One jail being computed.
#[derive(Default)]
struct Build {
    /// In the order added; `head` and the links give the list order.
    entries: Vec<Entry>,
    head: usize,
    tail: usize,
    /// Each entry's name, and each name it gives without a `no`
    /// ([`without_no`]): the entries [`equalopts`] may match.
    by_name: HashMap<Vec<u8>, usize>,
    by_no_less: HashMap<Vec<u8>, Vec<usize>>,
    problems: Vec<Problem>,
    replaced: Vec<Replaced>,
    /// Variables already reported as named like a parameter.
    named_like_params: Vec<usize>,
    /// The statements being added are a wildcard block's or the global
    /// jail's, not the jail's own.
    from_other_block: bool,
}

impl Build {
    fn new() -> Build {
        Build {
            head: NONE,
            tail: NONE,
            ..Build::default()
        }
    }

    fn index(&mut self, k: usize) {
        let name = self.entries[k].name.clone();
        for v in without_no(&name) {
            self.by_no_less.entry(v).or_default().push(k);
        }
        self.by_name.insert(name, k);
    }

    fn unindex(&mut self, k: usize) {
        let name = self.entries[k].name.clone();
        for v in without_no(&name) {
            if let Some(list) = self.by_no_less.get_mut(&v) {
                list.retain(|&x| x != k);
            }
        }
        self.by_name.remove(&name);
    }

    /// The first entry (in the order added, which is the list order until
    /// substitution) that `equalopts` finds equal to `name`.
    fn find(&self, name: &[u8]) -> Option<usize> {
        let exact = self.by_name.get(name).copied();
        let shorter = without_no(name).filter_map(|v| self.by_name.get(&v).copied());
        let longer = self.by_no_less.get(name).into_iter().flatten().copied();
        exact.into_iter().chain(shorter).chain(longer).min()
    }

    /// `config.c` `add_param`.
    fn add(&mut self, name: &[u8], is_var: bool, append: bool, values: Vec<Str>, loc: &Loc) {
        if let Some(k) = self.find(name) {
            let dp = &self.entries[k];
            if dp.is_var != is_var {
                // jail(8) warns again when a parameter meets the variable it
                // already warned about; that is one cause, said once.
                if dp.is_var && self.named_like_params.contains(&k) {
                    return;
                }
                self.problems.push(Problem {
                    loc: loc.clone(),
                    message: format!(
                        "variable \"${}\" cannot have the same name as a parameter.",
                        super::show(name)
                    ),
                });
                return;
            }
            if dp.immutable {
                self.problems.push(Problem {
                    loc: loc.clone(),
                    message: format!("cannot redefine parameter \"{}\".", super::show(&dp.name)),
                });
                return;
            }
            if dp.name != name {
                self.unindex(k);
                self.entries[k].name = name.to_vec();
                self.index(k);
            }
            let dp = &mut self.entries[k];
            if !append || values.is_empty() {
                let old = std::mem::take(&mut dp.values);
                if !is_var {
                    for s in old {
                        self.replaced.push(Replaced {
                            param: dp.name.clone(),
                            value: Value {
                                text: s.as_written(),
                                loc: s.loc.clone(),
                                incomplete: false,
                            },
                            by: loc.clone(),
                            by_other_block: self.from_other_block,
                        });
                    }
                }
                dp.pending = 0;
            }
            dp.pending += values.iter().map(Str::pending).sum::<usize>();
            dp.values.extend(values);
            dp.loc = loc.clone();
            return;
        }
        let k = self.entries.len();
        self.entries.push(Entry {
            name: name.to_vec(),
            loc: loc.clone(),
            is_var,
            immutable: !is_var && immutable(name),
            pending: values.iter().map(Str::pending).sum(),
            values,
            generation: 0,
            bad: false,
            at: 0,
            prev: self.tail,
            next: NONE,
        });
        if self.tail == NONE {
            self.head = k;
        } else {
            self.entries[self.tail].next = k;
        }
        self.tail = k;
        self.index(k);
        // The variable is in the list before this check refuses the jail,
        // so `${path}` still finds it (`config.c` `add_param`).
        if is_var && INTPARAMS.iter().any(|ip| equalopts(name, ip.as_bytes())) {
            self.named_like_params.push(k);
            self.problems.push(Problem {
                loc: loc.clone(),
                message: format!(
                    "variable \"${}\" cannot have the same name as a parameter.",
                    super::show(name)
                ),
            });
        }
    }

    fn add_raw(&mut self, p: &RawParam) {
        self.add(&p.name, p.is_var, p.append, strings(p), &p.loc);
    }

    fn add_implicit(&mut self, name: &[u8], value: &[u8], loc: &Loc) {
        let s = Str::new(value.to_vec(), Vec::new(), loc.clone());
        self.add(name, false, true, vec![s], loc);
    }

    /// Takes entry `k` out of the list and puts it before entry `before`.
    fn move_before(&mut self, k: usize, before: usize) {
        let (p, n) = (self.entries[k].prev, self.entries[k].next);
        if p == NONE {
            self.head = n;
        } else {
            self.entries[p].next = n;
        }
        if n == NONE {
            self.tail = p;
        } else {
            self.entries[n].prev = p;
        }
        let bp = self.entries[before].prev;
        self.entries[k].prev = bp;
        self.entries[k].next = before;
        self.entries[before].prev = k;
        if bp == NONE {
            self.head = k;
        } else {
            self.entries[bp].next = k;
        }
    }
}

/// Every real jail's effective parameters, in block order, each handed to
/// `each` as soon as it is computed.
pub fn evaluate(raw: &Raw, each: &mut dyn FnMut(Jail)) -> Result<(), Error> {
    // (seq, block) of every wildcard block, the global one included.
    let wild: Vec<(usize, &RawJail)> = raw
        .jails
        .iter()
        .enumerate()
        .filter(|(_, j)| is_wildcard(&j.name))
        .collect();
    let mut budget = MAX_EXPANSION;
    for (seq, block) in raw.jails.iter().enumerate() {
        if is_wildcard(&block.name) {
            continue;
        }
        let mut b = Build::new();
        let numeric = is_jid(&block.name);
        b.add_implicit(
            if numeric { b"jid" } else { b"name" },
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
                b.from_other_block = true;
                w.params.iter().for_each(|p| b.add_raw(p));
                b.from_other_block = false;
            }
        }
        if !did_self {
            block.params.iter().for_each(|p| b.add_raw(p));
        }
        if numeric
            && !b
                .entries
                .iter()
                .any(|e| !e.is_var && equalopts(&e.name, b"name"))
        {
            b.add_implicit(b"name", &block.name, &block.loc);
        }
        resolve(&mut b, &mut budget)?;
        let mut params = Vec::new();
        let mut k = b.head;
        while k != NONE {
            let e = &mut b.entries[k];
            k = e.next;
            if e.is_var {
                continue;
            }
            let mut values = Vec::with_capacity(e.values.len());
            for s in std::mem::take(&mut e.values) {
                let loc = s.loc;
                let incomplete = s.incomplete;
                values.push(Value {
                    text: s.text,
                    loc: loc.clone(),
                    incomplete,
                });
                values.extend(s.more.into_iter().map(|text| Value {
                    text,
                    loc: loc.clone(),
                    incomplete,
                }));
            }
            params.push(Param {
                name: std::mem::take(&mut e.name),
                values,
                loc: e.loc.clone(),
            });
        }
        each(Jail {
            name: block.name.clone(),
            loc: block.loc.clone(),
            params,
            problems: b.problems,
            replaced: b.replaced,
        });
    }
    Ok(())
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
///
/// `budget` is what substitution may still produce, in bytes.
fn resolve(b: &mut Build, budget: &mut usize) -> Result<(), Error> {
    let mut generation = 0u32;
    // The entries of this generation, and how many of them are marked bad.
    let mut chain: Vec<usize> = Vec::new();
    let mut marked = 0;
    let mut cur = b.head;
    let mut fresh = true;
    while cur != NONE {
        if fresh {
            generation += 1;
            b.entries[cur].generation = generation;
            chain.clear();
            chain.push(cur);
            marked = 0;
        }
        fresh = true;
        let mut moved = false;
        while b.entries[cur].at < b.entries[cur].values.len() {
            let si = b.entries[cur].at;
            if b.entries[cur].values[si].pending() == 0 {
                b.entries[cur].at += 1;
                continue;
            }
            let s = &b.entries[cur].values[si];
            let r = &s.refs[s.next];
            let found = b.by_name.get(&r.name).copied();
            let failure: Option<Option<String>> = match found {
                Some(k) if !b.entries[k].values.is_empty() => {
                    let e = &b.entries[k];
                    if e.bad {
                        Some(None)
                    } else if e.generation == generation {
                        Some(Some(format!("{}: variable loop", super::show(&r.name))))
                    } else if e.pending > 0 {
                        b.entries[k].generation = generation;
                        chain.push(k);
                        b.move_before(k, cur);
                        cur = k;
                        moved = true;
                        break;
                    } else {
                        substitute(b, cur, si, k, budget)?
                    }
                }
                _ => Some(Some(format!(
                    "{}: variable \"{}\" not found",
                    super::show(&b.entries[cur].name),
                    super::show(&r.name)
                ))),
            };
            if let Some(message) = failure {
                let s = &mut b.entries[cur].values[si];
                if let Some(message) = message {
                    b.problems.push(Problem {
                        loc: s.refs[s.next].loc.clone(),
                        message,
                    });
                }
                s.incomplete = true;
                s.substitute(b"");
                b.entries[cur].pending -= 1;
                for &k in &chain[marked..] {
                    b.entries[k].bad = true;
                }
                marked = chain.len();
            }
        }
        if moved {
            // Resolve the entry moved before this one first, in this
            // generation.
            fresh = false;
            continue;
        }
        cur = b.entries[cur].next;
    }
    Ok(())
}

/// Puts the values of entry `k` (all resolved) in place of the next
/// reference of string `si` of entry `i`. `Some(message)` when a list
/// would go inside a string.
fn substitute(
    b: &mut Build,
    i: usize,
    si: usize,
    k: usize,
    budget: &mut usize,
) -> Result<Option<Option<String>>, Error> {
    let (texts, more): (&[u8], usize) = {
        let v = &b.entries[k].values;
        (
            &v[0].text,
            v.len() + v.iter().map(|s| s.more.len()).sum::<usize>() - 1,
        )
    };
    let s = &b.entries[i].values[si];
    if more > 0 && (!s.text_empty() || s.pending() > 1) {
        return Ok(Some(Some(format!(
            "{}: array cannot be substituted inline",
            super::show(&b.entries[i].name)
        ))));
    }
    let size: usize = texts.len()
        + b.entries[k]
            .values
            .iter()
            .flat_map(|s| std::iter::once(&s.text).chain(&s.more))
            .skip(1)
            .map(Vec::len)
            .sum::<usize>();
    if size > *budget {
        return Err(Error::Expansion {
            loc: s.refs[s.next].loc.clone(),
        });
    }
    *budget -= size;
    let first = texts.to_vec();
    let rest: Vec<Vec<u8>> = b.entries[k]
        .values
        .iter()
        .flat_map(|s| std::iter::once(&s.text).chain(&s.more))
        .skip(1)
        .cloned()
        .collect();
    let s = &mut b.entries[i].values[si];
    s.substitute(&first);
    s.more.extend(rest);
    b.entries[i].pending -= 1;
    Ok(None)
}
