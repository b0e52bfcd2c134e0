//! Byte encoding of the kernel's request structs, field by field.
//!
//! The backend never transmutes a struct into bytes and the emulator never
//! reinterprets bytes as a struct: both go through `Wire`, which writes and
//! reads each field at the offset `offset_of!` gives for the `repr(C)`
//! definition in `abi`. The offsets the tests and `check-abi` pin are thus
//! the offsets the code uses. Byte order is the machine's (FreeBSD on
//! x86_64 and aarch64 is little-endian; the emulator runs on the same CPU as
//! the code that built the bytes).

/// A fixed-size field of a kernel struct.
pub trait Field: Sized {
    const SIZE: usize;
    /// Write `self` at the start of `b` (which is at least `SIZE` long).
    fn put(&self, b: &mut [u8]);
    /// Read a value from the start of `b` (which is at least `SIZE` long).
    fn get(b: &[u8]) -> Self;
}

macro_rules! int_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            const SIZE: usize = size_of::<$t>();
            fn put(&self, b: &mut [u8]) {
                b[..Self::SIZE].copy_from_slice(&self.to_ne_bytes());
            }
            fn get(b: &[u8]) -> Self {
                let mut a = [0u8; size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                <$t>::from_ne_bytes(a)
            }
        }
    )*};
}

int_field!(u8, u16, i16, u32, i32, u64);

impl<T: Field + Copy + Default, const N: usize> Field for [T; N] {
    const SIZE: usize = T::SIZE * N;
    fn put(&self, b: &mut [u8]) {
        for (i, x) in self.iter().enumerate() {
            x.put(&mut b[i * T::SIZE..]);
        }
    }
    fn get(b: &[u8]) -> Self {
        std::array::from_fn(|i| T::get(&b[i * T::SIZE..]))
    }
}

/// A kernel struct that can be written to and read from its bytes.
pub trait Wire: Sized {
    /// `size_of` the struct: the number of bytes the kernel copies.
    const LEN: usize;
    /// Its name in FreeBSD's headers: `struct C_NAME`.
    const C_NAME: &'static str;
    /// Its fields as FreeBSD's headers name them, with the offset and size
    /// each has here (padding that only rjib names is left out).
    fn c_fields() -> Vec<CField>;
    /// The struct's bytes (padding zeroed).
    fn to_bytes(&self) -> Vec<u8>;
    /// Read the struct from the start of `b`; `None` if `b` is too short.
    fn from_bytes(b: &[u8]) -> Option<Self>;
}

/// One field of a kernel struct, by its C name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CField {
    pub name: &'static str,
    pub offset: usize,
    pub size: usize,
}

/// The size of the field `field` picks out of a `T`.
pub fn field_size<T, F>(_field: fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// Implement `Wire` for a `repr(C)` struct by listing every field: a field
/// left out does not compile, so no byte of the struct is forgotten. The
/// one list of fields: `abicheck` checks the same names, offsets and sizes
/// against FreeBSD's headers (`"ifbreq"` is `struct ifbreq`). Padding that
/// C leaves unnamed goes after `pad`: encoded, not checked.
macro_rules! wire_struct {
    ($t:ident = $c:literal { $($f:ident),* $(,)? } $(pad { $($p:ident),* $(,)? })?) => {
        impl $crate::freebsd::wire::Wire for $t {
            const LEN: usize = ::core::mem::size_of::<$t>();
            const C_NAME: &'static str = $c;
            fn c_fields() -> Vec<$crate::freebsd::wire::CField> {
                vec![$( $crate::freebsd::wire::CField {
                    name: stringify!($f),
                    offset: ::core::mem::offset_of!($t, $f),
                    size: $crate::freebsd::wire::field_size(|s: &$t| &s.$f),
                }, )*]
            }
            fn to_bytes(&self) -> Vec<u8> {
                let mut b = vec![0u8; Self::LEN];
                $( $crate::freebsd::wire::Field::put(
                    &self.$f,
                    &mut b[::core::mem::offset_of!($t, $f)..],
                ); )*
                $($( $crate::freebsd::wire::Field::put(
                    &self.$p,
                    &mut b[::core::mem::offset_of!($t, $p)..],
                ); )*)?
                b
            }
            fn from_bytes(b: &[u8]) -> Option<$t> {
                if b.len() < Self::LEN {
                    return None;
                }
                Some($t {
                    $( $f: $crate::freebsd::wire::Field::get(
                        &b[::core::mem::offset_of!($t, $f)..],
                    ), )*
                    $($( $p: $crate::freebsd::wire::Field::get(
                        &b[::core::mem::offset_of!($t, $p)..],
                    ), )*)?
                })
            }
        }
    };
}

pub(crate) use wire_struct;

/// `name` as a NUL-padded C char array of `N` bytes. The caller guarantees
/// it fits with its NUL (`IfName` is at most 15 bytes).
pub fn c_name<const N: usize>(name: &str) -> [u8; N] {
    c_bytes(name.as_bytes())
}

/// `c_name` for a name given as bytes (one that need not be UTF-8).
pub fn c_bytes<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    debug_assert!(b.len() < N, "{b:?} does not fit in {N} bytes with its NUL");
    let n = b.len().min(N.saturating_sub(1));
    a[..n].copy_from_slice(&b[..n]);
    a
}

/// The C string at the start of `b`: the bytes before the first NUL, or all
/// of `b` when there is none (the kernel compares at most IFNAMSIZ bytes).
pub fn c_str(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_and_arrays_round_trip() {
        let mut b = [0u8; 12];
        0x1234_5678u32.put(&mut b[2..]);
        assert_eq!(u32::get(&b[2..]), 0x1234_5678);
        assert_eq!(b[..2], [0, 0]);
        [7u16, 9].put(&mut b[6..]);
        assert_eq!(<[u16; 2]>::get(&b[6..]), [7, 9]);
        assert_eq!(<[u16; 2] as Field>::SIZE, 4);
        (-2i16).put(&mut b[0..]);
        assert_eq!(i16::get(&b), -2);
    }

    #[test]
    fn c_names() {
        let a: [u8; 16] = c_name("epair0a");
        assert_eq!(&a[..8], b"epair0a\0");
        assert!(a[8..].iter().all(|&c| c == 0));
        assert_eq!(c_str(&a), b"epair0a");
        assert_eq!(c_str(b"abc"), b"abc");
        assert_eq!(c_str(b"\0abc"), b"");
    }
}
