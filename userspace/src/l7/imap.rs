//! IMAP: server greeting and tagged client commands.

use crate::bytes::{first_line, starts_with_ci};

/// True if `b` starts with the server's untagged `* OK` or `* PREAUTH`
/// greeting.
pub(crate) fn is_greeting(b: &[u8]) -> bool {
    starts_with_ci(b, b"* OK") || starts_with_ci(b, b"* PREAUTH")
}

/// True for a tagged client command typical of a session start
/// (`CAPABILITY`, `LOGIN`, `STARTTLS`, `AUTHENTICATE`, `ID`).
pub(crate) fn is_command(b: &[u8]) -> bool {
    let line = first_line(b, 256);
    let Some(sp) = line.iter().position(|&c| c == b' ') else {
        return false;
    };
    let (tag, rest) = (&line[..sp], &line[sp + 1..]);
    !tag.is_empty()
        && tag.iter().all(u8::is_ascii_alphanumeric)
        && [
            b"CAPABILITY".as_slice(),
            b"LOGIN ",
            b"STARTTLS",
            b"AUTHENTICATE ",
            b"ID ",
        ]
        .iter()
        .any(|c| starts_with_ci(rest, c))
}
