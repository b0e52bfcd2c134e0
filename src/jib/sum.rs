//! BSD sum(1): the 16-bit rotating checksum jib feeds the jail name to.

/// FreeBSD `sum` (cksum -o 1) of `bytes`: rotate right by one, add the byte,
/// keep 16 bits.
///
/// ```
/// // `echo -n jamulus | sum` prints 41186 on FreeBSD
/// assert_eq!(rjib::jib::sum::bsd_sum(b"jamulus"), 41186);
/// ```
pub fn bsd_sum(bytes: &[u8]) -> u16 {
    bytes
        .iter()
        .fold(0u16, |s, &c| s.rotate_right(1).wrapping_add(u16::from(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sums() {
        // Values from the spec (recorded with FreeBSD's sum(1)).
        assert_eq!(bsd_sum(b"jamulus"), 41186);
        assert_eq!(bsd_sum(b"jamulus"), 0xa0e2);
        assert_eq!(bsd_sum(b"web"), 0x40b2);
        assert_eq!(bsd_sum(b"x"), 0x0078);
        assert_eq!(bsd_sum(b"Alpha_1"), 0x2491);
        assert_eq!(bsd_sum(b"10"), 0x8048);
        assert_eq!(bsd_sum(b""), 0);
    }

    #[test]
    fn rotation_is_the_spec_formula() {
        // s = ((s >> 1) | ((s & 1) << 15)) + c, low 16 bits, on long input
        let name: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
        let mut s: u32 = 0;
        for &c in &name {
            s = (((s >> 1) | ((s & 1) << 15)) + u32::from(c)) & 0xffff;
        }
        assert_eq!(u32::from(bsd_sum(&name)), s);
    }
}
