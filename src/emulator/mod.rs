//! ioctl emulator: the FreeBSD backend run against the simulated host.
