//! POP3: server greeting and client commands.

use crate::bytes::starts_with_ci;

/// True if `b` starts with the server's `+OK` greeting.
pub(crate) fn is_greeting(b: &[u8]) -> bool {
    b.starts_with(b"+OK") && matches!(b.get(3), Some(b' ' | b'\r'))
}

/// True for a POP3-only client command (`CAPA`, `STLS`, `APOP`, `UIDL`).
pub(crate) fn is_command(b: &[u8]) -> bool {
    [b"CAPA\r".as_slice(), b"STLS\r", b"APOP ", b"UIDL"]
        .iter()
        .any(|c| starts_with_ci(b, c))
}
