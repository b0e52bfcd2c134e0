//! Small helpers shared by the layers.

/// An I/O error's reason without Rust's " (os error N)" tail.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(super::io_reason(&e), "No such file or directory");
    }
}
