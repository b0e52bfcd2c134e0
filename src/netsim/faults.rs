//! Fault injection (`faults` in a host file): make the nth call of an
//! operation fail with an errno, or succeed and then deliver a signal to
//! rjib itself, as if the administrator pressed Ctrl-C at that moment.

use serde_json::{Map, Value};

use crate::host::Op;
use crate::net::Errno;

/// A signal a fault may deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Hup,
    Int,
    Term,
}

impl Signal {
    pub fn from_name(s: &str) -> Option<Signal> {
        match s {
            "SIGHUP" => Some(Signal::Hup),
            "SIGINT" => Some(Signal::Int),
            "SIGTERM" => Some(Signal::Term),
            _ => None,
        }
    }

    /// The signal number (the same on FreeBSD and Linux).
    pub fn number(self) -> i32 {
        match self {
            Signal::Hup => 1,
            Signal::Int => 2,
            Signal::Term => 15,
        }
    }
}

/// What a fault does to the call it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Fail(Errno),
    Signal(Signal),
}

/// One entry of `faults`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub op: Op,
    pub nth: u32,
    pub effect: Effect,
}

/// Parse the `faults` field (absent means none).
pub fn parse(extra: &Map<String, Value>) -> Result<Vec<Fault>, String> {
    let Some(v) = extra.get("faults") else {
        return Ok(Vec::new());
    };
    let list = v.as_array().ok_or("\"faults\" is not a list")?;
    list.iter()
        .map(|f| {
            let op = f
                .get("op")
                .and_then(Value::as_str)
                .ok_or("a fault has no \"op\"")?;
            let op = match Op::from_name(op) {
                Some(o) if o != Op::Lock => o,
                _ => return Err(format!("unknown fault op {}", crate::util::quote(op))),
            };
            let nth = f
                .get("nth")
                .and_then(Value::as_u64)
                .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
                .ok_or("a fault's \"nth\" is not a positive number")? as u32;
            let effect = match (f.get("errno"), f.get("signal")) {
                (Some(e), None) => {
                    let e = e.as_str().ok_or("a fault's \"errno\" is not a string")?;
                    Effect::Fail(
                        Errno::from_name(e)
                            .ok_or_else(|| format!("unknown errno {}", crate::util::quote(e)))?,
                    )
                }
                (None, Some(s)) => {
                    let s = s.as_str().ok_or("a fault's \"signal\" is not a string")?;
                    Effect::Signal(Signal::from_name(s).ok_or_else(|| {
                        format!(
                            "unknown signal {}; use SIGINT, SIGTERM or SIGHUP",
                            crate::util::quote(s)
                        )
                    })?)
                }
                _ => return Err("a fault needs either \"errno\" or \"signal\"".to_string()),
            };
            // A listing is a read: it is interrupted, never refused.
            if op == Op::List && matches!(effect, Effect::Fail(_)) {
                return Err("a \"list\" fault takes a \"signal\", not an \"errno\"".to_string());
            }
            Ok(Fault { op, nth, effect })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(json: &str) -> Result<Vec<Fault>, String> {
        let v: Value = serde_json::from_str(json).unwrap();
        parse(v.as_object().unwrap())
    }

    #[test]
    fn errno_and_signal_entries() {
        let f = faults(
            r#"{"faults":[{"op":"describe","nth":2,"errno":"EIO"},{"op":"kldload","nth":1,"signal":"SIGTERM"}]}"#,
        )
        .unwrap();
        assert_eq!(f[0].effect, Effect::Fail(Errno::EIO));
        assert_eq!(f[0].op, Op::Describe);
        assert_eq!(f[1].effect, Effect::Signal(Signal::Term));
        let f = faults(r#"{"faults":[{"op":"list","nth":1,"signal":"SIGINT"}]}"#).unwrap();
        assert_eq!(
            (f[0].op, f[0].effect),
            (Op::List, Effect::Signal(Signal::Int))
        );
        for bad in [
            r#"{"faults":[{"op":"fly","nth":1,"errno":"EIO"}]}"#,
            r#"{"faults":[{"op":"up","nth":1,"errno":"EWHAT"}]}"#,
            r#"{"faults":[{"op":"up","nth":0,"errno":"EIO"}]}"#,
            r#"{"faults":[{"op":"up","nth":1,"signal":"SIGKILL"}]}"#,
            r#"{"faults":[{"op":"up","nth":1,"errno":"EIO","signal":"SIGINT"}]}"#,
            r#"{"faults":[{"op":"list","nth":1,"errno":"EIO"}]}"#,
            r#"{"faults":[{"op":"lock","nth":1,"signal":"SIGINT"}]}"#,
        ] {
            assert!(faults(bad).is_err(), "{bad}");
        }
    }
}
