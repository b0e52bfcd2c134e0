//! How `check` prints a report: `FILE:LINE: JAIL: severity: message [code]`
//! lines, the `-v` table of predicted interfaces, or one JSON document.

use serde::Serialize;

use super::report::{Finding, JailPrediction, NoMac, Report};

/// One finding per line. Control characters are escaped, wherever they
/// came from (a jail's name, a command, a host interface's name), so a
/// finding is always one line and never reaches the terminal raw.
pub fn line(f: &Finding) -> String {
    let line = format!(
        "{}: {}: {}: {} [{}]",
        f.loc.file_line(),
        f.jail,
        f.severity().as_str(),
        f.message,
        f.code.as_str()
    );
    crate::util::escape_controls(&line).into_owned()
}

/// Wraps `text` at `width` columns, every line after the first indented by
/// `indent` spaces.
fn wrap(text: &str, width: usize, first: &str, indent: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = first.to_string();
    let mut fresh = true;
    for word in text.split_whitespace() {
        if !fresh && cur.len() + 1 + word.len() > width {
            out.push(std::mem::replace(&mut cur, " ".repeat(indent)));
            fresh = true;
        }
        if !fresh {
            cur.push(' ');
        }
        cur.push_str(word);
        fresh = false;
    }
    out.push(cur);
    out
}

/// The `-v` table: each jail, then one row per epair end with its MAC, the
/// host end's row also with the bridge and parent; notes say why a MAC is
/// not predicted. Fits 80 columns with interface names of up to 15 bytes.
pub fn table(jails: &[JailPrediction]) -> Vec<String> {
    let head = ["JAIL / INTERFACE", "MAC", "BRIDGE", "PARENT"];
    let mut rows: Vec<Option<[String; 4]>> = Vec::new(); // None: a jail line
    let mut jail_lines: Vec<String> = Vec::new();
    let mut notes: Vec<Vec<String>> = Vec::new();
    for j in jails {
        rows.push(None);
        jail_lines.push(if j.pairs.is_empty() {
            format!("{} (no addm)", j.name)
        } else {
            j.name.clone()
        });
        let mut jn = Vec::new();
        for p in &j.pairs {
            if !p.vlans.is_empty() {
                jn.push(format!("{} joins {} in VLANs {}", p.a, p.bridge, p.vlans));
            }
            let (ma, mb) = match &p.macs {
                Ok((a, b)) => (a.clone(), b.clone()),
                Err(why) => {
                    if !matches!(why, NoMac::AddmFails) {
                        jn.push(format!("{}, {}: {}", p.a, p.b, why.reason()));
                    }
                    (why.short().to_string(), why.short().to_string())
                }
            };
            rows.push(Some([
                format!("  {}", p.a),
                ma,
                p.bridge.clone(),
                p.parent.clone(),
            ]));
            rows.push(Some([
                format!("  {}", p.b),
                mb,
                String::new(),
                String::new(),
            ]));
        }
        notes.push(jn);
    }
    let mut width = head.map(str::len);
    for r in rows.iter().flatten() {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let fmt = |cells: [&str; 4]| {
        let mut s = String::new();
        for (k, (c, w)) in cells.iter().zip(width).enumerate() {
            if k == 3 {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = vec![fmt(head)];
    let mut jl = jail_lines.into_iter();
    let mut nl = notes.into_iter();
    let mut pending: Vec<String> = Vec::new();
    for r in rows {
        match r {
            None => {
                out.append(&mut pending);
                out.push(jl.next().unwrap_or_default());
                for n in nl.next().unwrap_or_default() {
                    pending.extend(wrap(&n, 79, "  note: ", 8));
                }
            }
            Some(cells) => out.push(fmt([&cells[0], &cells[1], &cells[2], &cells[3]])),
        }
    }
    out.append(&mut pending);
    out.into_iter()
        .map(|l| crate::util::escape_controls(&l).into_owned())
        .collect()
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: String,
    line: u32,
    jail: &'a str,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonPair<'a> {
    a: &'a str,
    b: &'a str,
    bridge: &'a str,
    parent: &'a str,
    mac_a: Option<&'a str>,
    mac_b: Option<&'a str>,
    /// The host end's tagged VLANs, ascending (FreeBSD 15).
    tagged: Vec<u16>,
    /// The host end's untagged VLAN, or null.
    untagged: Option<u16>,
}

#[derive(Serialize)]
struct JsonJail<'a> {
    name: &'a str,
    pairs: Vec<JsonPair<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: Vec<JsonFinding<'a>>,
    jails: Vec<JsonJail<'a>>,
}

/// The report as JSON, keys in the documented order.
pub fn json(report: &Report, pretty: bool) -> String {
    let doc = JsonReport {
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding {
                file: crate::jailconf::show_path(&f.loc.file).into_owned(),
                line: f.loc.line,
                jail: &f.jail,
                severity: f.severity().as_str(),
                code: f.code.as_str(),
                message: &f.message,
            })
            .collect(),
        jails: report
            .jails
            .iter()
            .map(|j| JsonJail {
                name: &j.name,
                pairs: j
                    .pairs
                    .iter()
                    .map(|p| JsonPair {
                        a: &p.a,
                        b: &p.b,
                        bridge: &p.bridge,
                        parent: &p.parent,
                        mac_a: p.macs.as_ref().ok().map(|m| m.0.as_str()),
                        mac_b: p.macs.as_ref().ok().map(|m| m.1.as_str()),
                        tagged: p.vlans.tagged.to_vec(),
                        untagged: p.vlans.untagged.map(|v| v.get()),
                    })
                    .collect(),
            })
            .collect(),
    };
    let text = if pretty {
        serde_json::to_string_pretty(&doc)
    } else {
        serde_json::to_string(&doc)
    };
    text.expect("the report serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::{Code, Pair};
    use crate::jailconf::Loc;
    use std::path::PathBuf;

    fn loc(line: u32) -> Loc {
        Loc {
            file: PathBuf::from("/etc/jail.conf").into(),
            line,
            col: 5,
        }
    }

    #[test]
    fn finding_line() {
        let f = Finding::new(&loc(4), "web", Code::NoDestroy, "no destroy");
        assert_eq!(
            line(&f),
            "/etc/jail.conf:4: web: warning: no destroy [no-destroy]"
        );
    }

    #[test]
    fn table_fits_80_columns_and_says_why() {
        let jails = vec![
            JailPrediction {
                name: "abcdefghijk".into(),
                loc: loc(1),
                pairs: vec![
                    Pair {
                        a: "e0a_abcdefghijk".into(),
                        b: "e0b_abcdefghijk".into(),
                        bridge: "vtnet0bridge".into(),
                        parent: "lagg1234.4094".into(),
                        macs: Ok(("02:a0:e2:0a:1b:2c".into(), "0e:a0:e2:0a:1b:2c".into())),
                        vlans: Default::default(),
                    },
                    Pair {
                        a: "e1a_abcdefghijk".into(),
                        b: "e1b_abcdefghijk".into(),
                        bridge: "lagg0bridge".into(),
                        parent: "lagg0".into(),
                        macs: Err(NoMac::CreatedAtBoot {
                            parent: "lagg0".into(),
                            by: "cloned_interfaces, /etc/rc.conf:3".into(),
                        }),
                        vlans: Default::default(),
                    },
                ],
            },
            JailPrediction {
                name: "db".into(),
                loc: loc(9),
                pairs: vec![],
            },
        ];
        let t = table(&jails);
        for l in &t {
            assert!(l.len() <= 80, "{} columns: {l}", l.len());
        }
        assert_eq!(
            t[0],
            "JAIL / INTERFACE   MAC                BRIDGE        PARENT"
        );
        assert_eq!(t[1], "abcdefghijk");
        assert_eq!(
            t[2],
            "  e0a_abcdefghijk  02:a0:e2:0a:1b:2c  vtnet0bridge  lagg1234.4094"
        );
        assert_eq!(t[3], "  e0b_abcdefghijk  0e:a0:e2:0a:1b:2c");
        assert_eq!(
            t[4],
            "  e1a_abcdefghijk  unpredictable      lagg0bridge   lagg0"
        );
        assert!(
            t[6].starts_with(
                "  note: e1a_abcdefghijk, e1b_abcdefghijk: the MAC cannot be predicted"
            )
        );
        assert!(t.iter().any(|l| l == "db (no addm)"));
    }
}
