//! The caller's memory as the emulated kernel sees it: the buffers passed
//! with a request, found by the addresses stored in the request. Like the
//! kernel's copyin(9)/copyout(9), an address that is not inside one of
//! them, or a range that runs past its end, is EFAULT.

use crate::net::Errno;

pub struct UserMem<'a, 'b> {
    bufs: &'a mut [&'b mut [u8]],
}

impl<'a, 'b> UserMem<'a, 'b> {
    pub fn new(bufs: &'a mut [&'b mut [u8]]) -> UserMem<'a, 'b> {
        UserMem { bufs }
    }

    /// (buffer, offset) holding `len` bytes at `addr`.
    fn locate(&self, addr: u64, len: usize) -> Result<(usize, usize), Errno> {
        for (i, b) in self.bufs.iter().enumerate() {
            let start = b.as_ptr().addr() as u64;
            if addr >= start && addr - start <= b.len() as u64 {
                let off = (addr - start) as usize;
                if off + len <= b.len() {
                    return Ok((i, off));
                }
            }
        }
        Err(Errno::EFAULT)
    }

    /// copyin(9): `len` bytes at `addr`.
    pub fn copyin(&self, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
        let (i, off) = self.locate(addr, len)?;
        Ok(self.bufs[i][off..off + len].to_vec())
    }

    /// copyout(9): write `data` at `addr`.
    pub fn copyout(&mut self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        let (i, off) = self.locate(addr, data.len())?;
        self.bufs[i][off..off + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// copyinstr(9): a NUL-terminated string of at most `max` bytes with its
    /// NUL (ENAMETOOLONG if none within `max`), without the NUL.
    pub fn copyinstr(&self, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
        let (i, off) = self.locate(addr, 0)?;
        let avail = &self.bufs[i][off..];
        match avail.iter().take(max).position(|&c| c == 0) {
            Some(n) => Ok(avail[..n].to_vec()),
            None if avail.len() >= max => Err(Errno::ENAMETOOLONG),
            None => Err(Errno::EFAULT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::freebsd::sys::addr_of;

    #[test]
    fn finds_buffers_by_address_only() {
        let mut a = vec![1u8, 2, 3, 4];
        let mut b = *b"em0\0xx";
        let (pa, pb) = (addr_of(&mut a), addr_of(&mut b));
        let mut bufs: [&mut [u8]; 2] = [&mut a, &mut b];
        let mut m = UserMem::new(&mut bufs);
        assert_eq!(m.copyin(pa + 1, 3).unwrap(), vec![2, 3, 4]);
        assert_eq!(m.copyin(pa + 1, 4), Err(Errno::EFAULT));
        assert_eq!(m.copyin(0x10, 1), Err(Errno::EFAULT));
        assert_eq!(m.copyinstr(pb, 16).unwrap(), b"em0".to_vec());
        assert_eq!(m.copyinstr(pb + 4, 16), Err(Errno::EFAULT));
        assert_eq!(m.copyinstr(pb + 4, 2), Err(Errno::ENAMETOOLONG));
        m.copyout(pa, &[9, 9]).unwrap();
        assert_eq!(m.copyout(pa + 3, &[9, 9]), Err(Errno::EFAULT));
        assert_eq!(a, vec![9, 9, 3, 4]);
    }
}
