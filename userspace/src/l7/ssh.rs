//! SSH: the identification string.

/// True if `b` starts with an SSH identification string (`SSH-2.0-`,
/// `SSH-1.99-`, `SSH-1.5-`).
pub(crate) fn is_ssh(b: &[u8]) -> bool {
    b.starts_with(b"SSH-2.0-") || b.starts_with(b"SSH-1.99-") || b.starts_with(b"SSH-1.5-")
}
