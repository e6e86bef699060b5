//! SMTP: server greeting and client commands.

use crate::bytes::{contains_ci, first_line, starts_with_ci};

/// True if `b` starts with a `220` reply line (greeting of SMTP or FTP).
pub(crate) fn is_220(b: &[u8]) -> bool {
    b.starts_with(b"220") && matches!(b.get(3), Some(b' ' | b'-' | b'\r'))
}

/// True if a `220` greeting names SMTP (`SMTP`, `ESMTP`, `Postfix`, `mail`).
pub(crate) fn greeting_says_smtp(b: &[u8]) -> bool {
    let line = first_line(b, 512);
    contains_ci(line, b"SMTP") || contains_ci(line, b"postfix") || contains_ci(line, b" mail")
}

/// True for the client's `EHLO`/`HELO` greeting.
pub(crate) fn is_hello(b: &[u8]) -> bool {
    starts_with_ci(b, b"EHLO ") || starts_with_ci(b, b"HELO ")
}
