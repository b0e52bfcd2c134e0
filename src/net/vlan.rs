//! VLANs of FreeBSD 15's VLAN-filtering bridge: VLAN IDs, VLAN sets in
//! ifconfig(8)'s words, the bridge's flags and a member's membership.
//!
//! Values only. The kernel's rules about them (which ioctl refuses what)
//! are the simulated kernel's (`crate::netsim::model`), and the sources are
//! `<net/if_bridgevar.h>`, `<net/ethernet.h>` and `sbin/ifconfig/ifbridge.c`
//! of FreeBSD 15.

use std::fmt;

/// `DOT1Q_VID_MIN` and `DOT1Q_VID_MAX` (`<net/ethernet.h>`): 0 is "no
/// VLAN" (`DOT1Q_VID_NULL`) and 4095 is reserved (`DOT1Q_VID_RSVD_IMPL`).
pub const VID_MIN: u16 = 1;
pub const VID_MAX: u16 = 4094;

/// `BRVLAN_SETSIZE`: a VLAN set is a bitset of 4096 bits.
pub const VLAN_SETSIZE: usize = 4096;
/// The set's `unsigned long` words (`__BITSET_DEFINE`, 64-bit on LP64).
pub const VLAN_SET_WORDS: usize = VLAN_SETSIZE / 64;

/// A VLAN ID a bridge member can be in: 1 to 4094.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vid(u16);

impl Vid {
    pub fn new(v: u16) -> Option<Vid> {
        (VID_MIN..=VID_MAX).contains(&v).then_some(Vid(v))
    }

    pub fn get(self) -> u16 {
        self.0
    }

    /// A VID as rjib takes it after `untagged`: decimal digits, no sign,
    /// no blanks, no leading zero, 1 to 4094.
    ///
    /// ifconfig(8) reads `untagged` with strtoul(3) in base 0
    /// (`get_vlan_id`), so there `020` is 16 (octal), `0x14` is 20 and
    /// `+20` or ` 20` are 20. A jail.conf line is read by people who do
    /// not expect `020` to be 16: rjib refuses every form whose value is
    /// not what it looks like, and says why.
    pub fn parse_decimal(s: &str) -> Result<Vid, VidError> {
        if s.is_empty() {
            return Err(VidError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VidError::NotDecimal);
        }
        if s.len() > 1 && s.starts_with('0') {
            return Err(VidError::LeadingZero);
        }
        match s.parse::<u32>() {
            Ok(v) => u16::try_from(v)
                .ok()
                .and_then(Vid::new)
                .ok_or(VidError::OutOfRange),
            Err(_) => Err(VidError::OutOfRange),
        }
    }
}

impl fmt::Display for Vid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a word is not a VID rjib takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VidError {
    Empty,
    NotDecimal,
    LeadingZero,
    OutOfRange,
}

impl fmt::Display for VidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VidError::Empty => "a VLAN ID cannot be empty",
            VidError::NotDecimal => "a VLAN ID is written in decimal digits only",
            VidError::LeadingZero => {
                "a VLAN ID has no leading zero (ifconfig(8) would read it as octal)"
            }
            VidError::OutOfRange => "a VLAN ID is 1 to 4094",
        })
    }
}

/// A set of VLAN IDs (`ifbvlan_set_t`): bit `v` of 4096, bits 0 and 4095
/// never set.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VlanSet([u64; VLAN_SET_WORDS]);

impl Default for VlanSet {
    fn default() -> VlanSet {
        VlanSet::EMPTY
    }
}

impl fmt::Debug for VlanSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VlanSet({self})")
    }
}

/// Why a word is not a VLAN set (ifconfig's `parse_vlans` refuses it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSet {
    /// The element that is wrong (the whole word when it is empty).
    pub element: String,
    pub why: &'static str,
}

impl fmt::Display for BadSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.element.is_empty() {
            write!(f, "an empty element: {}", self.why)
        } else {
            write!(f, "\"{}\": {}", self.element, self.why)
        }
    }
}

/// strtoul(3) in base 10 over the whole of `s`, as ifconfig's
/// `parse_vlans` uses it: leading blanks (isspace in the C locale) and one
/// sign are skipped, the digits are read, and anything left over fails. No
/// digits at all read as 0 with nothing consumed, so an empty part is 0 and
/// a part of blanks or a lone sign fails. A minus sign negates, which makes
/// any VID huge; overflow (ERANGE) fails.
fn strtoul10(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let mut k = 0;
    while k < b.len() && matches!(b[k], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        k += 1;
    }
    let mut negative = false;
    if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
        negative = b[k] == b'-';
        k += 1;
    }
    let digits = b[k..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        // endptr is the start of the string: consumed only if it is empty.
        return s.is_empty().then_some(0);
    }
    if k + digits != b.len() {
        return None;
    }
    let v: u64 = s[k..].parse().ok()?; // ERANGE
    Some(if negative { v.wrapping_neg() } else { v })
}

impl VlanSet {
    pub const EMPTY: VlanSet = VlanSet([0; VLAN_SET_WORDS]);

    /// Every VID, 1 to 4094 (ifconfig's `all`).
    pub fn all() -> VlanSet {
        let mut s = VlanSet::EMPTY;
        for v in VID_MIN..=VID_MAX {
            s.insert(Vid(v));
        }
        s
    }

    /// The words as the kernel lays them out: VID `v` is bit `v % 64` of
    /// word `v / 64` (`__bitset_word`, `__bitset_mask`).
    pub fn words(&self) -> [u64; VLAN_SET_WORDS] {
        self.0
    }

    /// A set from the kernel's words; `Err` with the bit number when bit 0
    /// or bit 4095 is set, which no VLAN set may hold.
    pub fn from_words(words: [u64; VLAN_SET_WORDS]) -> Result<VlanSet, u16> {
        if words[0] & 1 != 0 {
            return Err(0);
        }
        if words[VLAN_SET_WORDS - 1] >> 63 != 0 {
            return Err(4095);
        }
        Ok(VlanSet(words))
    }

    pub fn insert(&mut self, v: Vid) {
        let v = usize::from(v.0);
        self.0[v / 64] |= 1 << (v % 64);
    }

    pub fn contains(&self, v: Vid) -> bool {
        let v = usize::from(v.0);
        self.0[v / 64] & (1 << (v % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// `self ∪ other` (`BRDG_VLAN_OP_ADD`).
    pub fn union(&self, other: &VlanSet) -> VlanSet {
        VlanSet(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }

    /// `self ∖ other` (`BRDG_VLAN_OP_DEL`).
    pub fn difference(&self, other: &VlanSet) -> VlanSet {
        VlanSet(std::array::from_fn(|i| self.0[i] & !other.0[i]))
    }

    /// The VIDs in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = Vid> + '_ {
        (VID_MIN..=VID_MAX)
            .map(Vid)
            .filter(move |v| self.contains(*v))
    }

    /// The VIDs as numbers, ascending (the host file's `tagged`).
    pub fn to_vec(&self) -> Vec<u16> {
        self.iter().map(Vid::get).collect()
    }

    /// A set of the given VIDs; `None` if one is not 1 to 4094.
    pub fn from_vids(vids: impl IntoIterator<Item = u16>) -> Option<VlanSet> {
        let mut s = VlanSet::EMPTY;
        for v in vids {
            s.insert(Vid::new(v)?);
        }
        Some(s)
    }

    /// A VLAN set in ifconfig(8)'s syntax, exactly as FreeBSD 15's
    /// `parse_vlans` (sbin/ifconfig/ifbridge.c) reads it: the whole word
    /// `none` (the empty set) or `all` (1 to 4094); otherwise elements
    /// separated by commas, each a VID or a range `FIRST-LAST` split at its
    /// first `-`, each number read by strtoul(3) in base 10 (so `010` is
    /// 10 and ` 10` or `+10` are 10), 1 ≤ FIRST ≤ LAST ≤ 4094. An empty
    /// element is refused. Duplicates and any order are fine.
    pub fn parse(word: &str) -> Result<VlanSet, BadSet> {
        match word {
            "none" => return Ok(VlanSet::EMPTY),
            "all" => return Ok(VlanSet::all()),
            _ => {}
        }
        let mut set = VlanSet::EMPTY;
        for element in word.split(',') {
            let bad = |why| BadSet {
                element: element.to_string(),
                why,
            };
            if element.is_empty() {
                return Err(bad("an element cannot be empty"));
            }
            let (first, last) = match element.split_once('-') {
                Some((f, l)) => (f, Some(l)),
                None => (element, None),
            };
            let number = |part: &str| {
                strtoul10(part).ok_or_else(|| bad("not a number (VIDs are decimal, 1 to 4094)"))
            };
            let lo = number(first)?;
            let hi = match last {
                Some(l) => number(l)?,
                None => lo,
            };
            let range = u64::from(VID_MIN)..=u64::from(VID_MAX);
            if !range.contains(&lo) || !range.contains(&hi) {
                return Err(bad("a VLAN ID is 1 to 4094"));
            }
            if hi < lo {
                return Err(bad("a range goes from the lower VID to the higher"));
            }
            for v in lo..=hi {
                set.insert(Vid(v as u16));
            }
        }
        Ok(set)
    }
}

/// ifconfig(8)'s way of writing a set (`print_vlans`): ascending, runs of
/// consecutive VIDs as `FIRST-LAST`, separated by commas; `none` when
/// empty, which is also how ifconfig's `iftagged` is told "no VLAN".
impl fmt::Display for VlanSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut first = true;
        let mut run: Option<(u16, u16)> = None;
        let mut flush = |f: &mut fmt::Formatter<'_>, r: (u16, u16)| -> fmt::Result {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if r.0 == r.1 {
                write!(f, "{}", r.0)
            } else {
                write!(f, "{}-{}", r.0, r.1)
            }
        };
        for v in self.iter().map(Vid::get) {
            run = match run {
                Some((lo, hi)) if hi + 1 == v => Some((lo, v)),
                Some(r) => {
                    flush(f, r)?;
                    Some((v, v))
                }
                None => Some((v, v)),
            };
        }
        if let Some(r) = run {
            flush(f, r)?;
        }
        Ok(())
    }
}

/// How BRDGSIFVLANSET changes a member's set (`BRDG_VLAN_OP_*`,
/// `<net/if_bridgevar.h>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VlanOp {
    /// Replace the set (`iftagged`).
    Set,
    /// Add to it (`+iftagged`).
    Add,
    /// Take away from it (`-iftagged`).
    Del,
}

impl VlanOp {
    /// `bv_op`.
    pub const fn code(self) -> u8 {
        match self {
            VlanOp::Set => 1,
            VlanOp::Add => 2,
            VlanOp::Del => 3,
        }
    }

    pub fn from_code(c: u8) -> Option<VlanOp> {
        [VlanOp::Set, VlanOp::Add, VlanOp::Del]
            .into_iter()
            .find(|o| o.code() == c)
    }

    /// ifconfig(8)'s command for it: `iftagged`, `+iftagged`, `-iftagged`.
    pub fn command(self) -> &'static str {
        match self {
            VlanOp::Set => "iftagged",
            VlanOp::Add => "+iftagged",
            VlanOp::Del => "-iftagged",
        }
    }
}

/// A bridge's flags (`ifbr_flags_t`, BRDGGFLAGS / BRDGSFLAGS).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BridgeFlags(pub u32);

impl BridgeFlags {
    /// `IFBRF_VLANFILTER`: the bridge filters frames by VLAN.
    pub const VLANFILTER: u32 = 1 << 0;
    /// `IFBRF_DEFQINQ`: new members get `IFBIF_QINQ`.
    pub const DEFQINQ: u32 = 1 << 1;

    pub fn vlanfilter(self) -> bool {
        self.0 & Self::VLANFILTER != 0
    }

    pub fn with_vlanfilter(self) -> BridgeFlags {
        BridgeFlags(self.0 | Self::VLANFILTER)
    }
}

/// The VLANs a bridge member is in: its untagged VLAN (the PVID, which an
/// untagged frame arriving on it belongs to) and the VLANs it carries
/// tagged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PortVlans {
    pub untagged: Option<Vid>,
    pub tagged: VlanSet,
}

impl PortVlans {
    pub fn is_empty(&self) -> bool {
        self.untagged.is_none() && self.tagged.is_empty()
    }

    /// Every VLAN the member is in, untagged or tagged: the VLANs a trunk
    /// toward it must carry.
    pub fn all(&self) -> VlanSet {
        let mut s = self.tagged;
        if let Some(v) = self.untagged {
            s.insert(v);
        }
        s
    }
}

/// What `untagged VID` and `tagged SET` after one `addm` interface ask:
/// each keyword given or not. `tagged none` is given, and asks for no
/// tagged VLAN; an interface with neither keyword asks for nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VlanArgs {
    pub untagged: Option<Vid>,
    pub tagged: Option<VlanSet>,
}

impl VlanArgs {
    /// Neither keyword was given.
    pub fn is_empty(&self) -> bool {
        self.untagged.is_none() && self.tagged.is_none()
    }

    /// The membership asked for: a keyword not given asks for no VLAN.
    pub fn ports(&self) -> PortVlans {
        PortVlans {
            untagged: self.untagged,
            tagged: self.tagged.unwrap_or_default(),
        }
    }
}

/// The keywords as given: `untagged 20 tagged none`; nothing for none.
impl fmt::Display for VlanArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.untagged, self.tagged) {
            (None, None) => Ok(()),
            (Some(u), None) => write!(f, "untagged {u}"),
            (None, Some(t)) => write!(f, "tagged {t}"),
            (Some(u), Some(t)) => write!(f, "untagged {u} tagged {t}"),
        }
    }
}

/// ifconfig(8)'s words for a membership: `untagged 20 tagged 10,30`, or
/// `no VLAN`.
impl fmt::Display for PortVlans {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.untagged, self.tagged.is_empty()) {
            (None, true) => f.write_str("no VLAN"),
            (Some(u), true) => write!(f, "untagged {u}"),
            (None, false) => write!(f, "tagged {}", self.tagged),
            (Some(u), false) => write!(f, "untagged {u} tagged {}", self.tagged),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> Result<Vec<u16>, BadSet> {
        VlanSet::parse(s).map(|s| s.to_vec())
    }

    /// The fact sheet's table for `parse_vlans` (vlan-facts.md §3), row by
    /// row.
    #[test]
    fn parse_vlans_like_ifconfig() {
        assert_eq!(set("10").unwrap(), [10]);
        let r = set("10,20-30").unwrap();
        assert_eq!(r.len(), 12);
        assert_eq!((r[0], r[1], r[11]), (10, 20, 30));
        assert_eq!(set("1-4094").unwrap().len(), 4094);
        assert_eq!(VlanSet::parse("all").unwrap(), VlanSet::all());
        assert!(set("none").unwrap().is_empty());
        assert_eq!(set("10-10").unwrap(), [10]);
        assert_eq!(set("10,20,10").unwrap(), [10, 20]);
        assert_eq!(set("30,10-12").unwrap(), [10, 11, 12, 30]);
        assert_eq!(set("010").unwrap(), [10], "base 10 here");
        for same in ["+10", " 10", "\t10"] {
            assert_eq!(set(same).unwrap(), [10], "{same:?}");
        }
        assert_eq!(set("10-+20").unwrap().len(), 11);
        assert_eq!(set("10- 20").unwrap().len(), 11);
        for bad in [
            "0",
            "4095",
            "4096",
            "0-10",
            "4000-5000",
            "20-10",
            "0x10",
            "1e3",
            "foo",
            "foo-40",
            "40-foo",
            "ALL",
            "all,5",
            "None",
            "-10",
            "-1",
            "10-",
            "-",
            "10-20-30",
            "10 ",
            "5 -7",
            "",
            "10,",
            ",10",
            ",",
            "10,,20",
            "99999999999999999999",
            "10--5",
            " ",
            "+",
        ] {
            assert!(set(bad).is_err(), "{bad:?} is refused");
        }
    }

    #[test]
    fn refusals_name_the_element() {
        let e = VlanSet::parse("10,20-5").unwrap_err();
        assert_eq!(e.element, "20-5");
        assert_eq!(
            e.to_string(),
            "\"20-5\": a range goes from the lower VID to the higher"
        );
        let e = VlanSet::parse("10,,20").unwrap_err();
        assert_eq!(
            e.to_string(),
            "an empty element: an element cannot be empty"
        );
    }

    #[test]
    fn printed_as_ifconfig_prints_it() {
        let s = VlanSet::parse("100-103,106-149,160-199").unwrap();
        assert_eq!(s.to_string(), "100-103,106-149,160-199");
        assert_eq!(
            VlanSet::parse("30,10,11,12,5").unwrap().to_string(),
            "5,10-12,30"
        );
        assert_eq!(VlanSet::EMPTY.to_string(), "none");
        assert_eq!(VlanSet::all().to_string(), "1-4094");
        // What is printed reads back as the same set.
        for s in ["1", "4094", "1,4094", "2-3,7,9-11"] {
            let v = VlanSet::parse(s).unwrap();
            assert_eq!(VlanSet::parse(&v.to_string()).unwrap(), v);
        }
    }

    #[test]
    fn words_are_the_kernels_bitset() {
        let s = VlanSet::parse("1,63,64,4094").unwrap();
        let w = s.words();
        assert_eq!(w[0], (1 << 1) | (1 << 63));
        assert_eq!(w[1], 1);
        assert_eq!(w[63], 1 << 62);
        assert_eq!(VlanSet::from_words(w).unwrap(), s);
        let mut zero = [0u64; VLAN_SET_WORDS];
        zero[0] = 1;
        assert_eq!(VlanSet::from_words(zero), Err(0));
        let mut top = [0u64; VLAN_SET_WORDS];
        top[63] = 1 << 63;
        assert_eq!(VlanSet::from_words(top), Err(4095));
    }

    #[test]
    fn set_algebra() {
        let a = VlanSet::parse("10-20").unwrap();
        let b = VlanSet::parse("15-25").unwrap();
        assert_eq!(a.union(&b).to_string(), "10-25");
        assert_eq!(a.difference(&b).to_string(), "10-14");
        assert_eq!(a.len(), 11);
        assert!(a.contains(Vid::new(10).unwrap()) && !a.contains(Vid::new(9).unwrap()));
        assert_eq!(VlanSet::from_vids([5, 4095]), None);
    }

    /// rjib's `untagged`: decimal only, so that no VID means something
    /// other than it looks like (ifconfig's base 0 reads 020 as 16).
    #[test]
    fn untagged_vids_are_plain_decimal() {
        assert_eq!(Vid::parse_decimal("20").unwrap().get(), 20);
        assert_eq!(Vid::parse_decimal("1").unwrap().get(), 1);
        assert_eq!(Vid::parse_decimal("4094").unwrap().get(), 4094);
        for (bad, why) in [
            ("0", VidError::OutOfRange),
            ("4095", VidError::OutOfRange),
            ("5000", VidError::OutOfRange),
            ("99999999999999999999", VidError::OutOfRange),
            ("020", VidError::LeadingZero),
            ("08", VidError::LeadingZero),
            ("0x14", VidError::NotDecimal),
            ("+20", VidError::NotDecimal),
            (" 20", VidError::NotDecimal),
            ("20 ", VidError::NotDecimal),
            ("-20", VidError::NotDecimal),
            ("abc", VidError::NotDecimal),
            ("", VidError::Empty),
        ] {
            assert_eq!(Vid::parse_decimal(bad), Err(why), "{bad:?}");
        }
    }

    #[test]
    fn keywords_as_given() {
        let a = VlanArgs {
            untagged: Vid::new(20),
            tagged: Some(VlanSet::EMPTY),
        };
        assert_eq!(a.to_string(), "untagged 20 tagged none");
        assert!(!a.is_empty());
        assert_eq!(a.ports().to_string(), "untagged 20");
        assert_eq!(VlanArgs::default().to_string(), "");
        assert!(VlanArgs::default().is_empty());
    }

    #[test]
    fn memberships_in_ifconfigs_words() {
        let p = PortVlans {
            untagged: Vid::new(20),
            tagged: VlanSet::parse("10,30").unwrap(),
        };
        assert_eq!(p.to_string(), "untagged 20 tagged 10,30");
        assert_eq!(p.all().to_string(), "10,20,30");
        assert_eq!(PortVlans::default().to_string(), "no VLAN");
        assert_eq!(VlanOp::from_code(2), Some(VlanOp::Add));
        assert_eq!(VlanOp::from_code(0), None);
        assert!(BridgeFlags(3).vlanfilter() && !BridgeFlags(2).vlanfilter());
        assert_eq!(BridgeFlags(2).with_vlanfilter(), BridgeFlags(3));
    }
}
