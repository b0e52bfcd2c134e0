//! FreeBSD kernel backend (ioctl ABI, syscall seam, Host implementation).
