//! FTP control connection: greeting and client commands.

use crate::bytes::{contains_ci, first_line, starts_with_ci};

/// True if a `220` greeting names FTP.
pub(crate) fn greeting_says_ftp(b: &[u8]) -> bool {
    contains_ci(first_line(b, 512), b"FTP")
}

/// True for a client command that opens an FTP session (`USER`,
/// `AUTH TLS`/`AUTH SSL`, `FEAT`, `SYST`, `OPTS`).
pub(crate) fn is_command(b: &[u8]) -> bool {
    [
        b"USER ".as_slice(),
        b"AUTH TLS",
        b"AUTH SSL",
        b"FEAT\r",
        b"SYST\r",
        b"OPTS ",
    ]
    .iter()
    .any(|c| starts_with_ci(b, c))
}
