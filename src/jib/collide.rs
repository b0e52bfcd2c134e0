//! MAC collisions: which of the MACs a run would set an interface already
//! has, or an earlier one of them. The one finder behind addm's warnings
//! (`plan::collisions`) and `rjib check`'s findings (`check::collide`).
//!
//! One pass with a map from MAC to its first holder: linear in the number
//! of MACs.

use std::collections::HashMap;

use crate::net::Mac;

/// Who has a MAC first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder<'a, T> {
    /// An interface that is there: what the caller said of it.
    Present(&'a T),
    /// An earlier predicted MAC: its index.
    Predicted(usize),
}

/// The MACs interfaces already have, each with its first holder.
#[derive(Clone, Debug)]
pub struct Taken<T> {
    present: HashMap<Mac, T>,
}

impl<T> Default for Taken<T> {
    fn default() -> Taken<T> {
        Taken {
            present: HashMap::new(),
        }
    }
}

impl<T> Taken<T> {
    /// `who` has `mac`, unless an interface added before has it: the
    /// first holder stays.
    pub fn add(&mut self, mac: Mac, who: T) {
        self.present.entry(mac).or_insert(who);
    }

    /// Whether an interface has `mac`.
    pub fn has(&self, mac: Mac) -> bool {
        self.present.contains_key(&mac)
    }

    /// The collisions of `predicted`, the MACs a run would set, in order:
    /// for each one an interface or an earlier prediction already has, its
    /// index and that first holder. An interface comes before any
    /// prediction.
    pub fn collisions(
        &self,
        predicted: impl IntoIterator<Item = Mac>,
    ) -> Vec<(usize, Holder<'_, T>)> {
        let mut first: HashMap<Mac, usize> = HashMap::new();
        let mut out = Vec::new();
        for (k, mac) in predicted.into_iter().enumerate() {
            if let Some(who) = self.present.get(&mac) {
                out.push((k, Holder::Present(who)));
            } else if let Some(&f) = first.get(&mac) {
                out.push((k, Holder::Predicted(f)));
            } else {
                first.insert(mac, k);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(last: u8) -> Mac {
        Mac([2, 0, 0, 0, 0, last])
    }

    #[test]
    fn nothing_taken_nothing_repeated() {
        let t: Taken<&str> = Taken::default();
        assert!(t.collisions([mac(1), mac(2)]).is_empty());
        assert!(!t.has(mac(1)));
    }

    #[test]
    fn the_first_interface_holds_and_comes_before_predictions() {
        let mut t = Taken::default();
        t.add(mac(1), "em0");
        t.add(mac(1), "em0.5");
        t.add(mac(2), "lagg0");
        assert!(t.has(mac(1)) && t.has(mac(2)) && !t.has(mac(3)));
        // mac(1) is em0's, not em0.5's; a prediction that repeats a
        // present MAC does not become a holder of it.
        assert_eq!(
            t.collisions([mac(3), mac(1), mac(1), mac(2)]),
            vec![
                (1, Holder::Present(&"em0")),
                (2, Holder::Present(&"em0")),
                (3, Holder::Present(&"lagg0")),
            ]
        );
    }

    #[test]
    fn a_repeated_prediction_is_held_by_the_first_to_give_it() {
        let t: Taken<&str> = Taken::default();
        assert_eq!(
            t.collisions([mac(1), mac(2), mac(1), mac(2), mac(1)]),
            vec![
                (2, Holder::Predicted(0)),
                (3, Holder::Predicted(1)),
                (4, Holder::Predicted(0)),
            ]
        );
    }
}
