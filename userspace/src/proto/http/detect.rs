//! HTTP/1.x: a request line with a known method, or a status line.

use crate::bytes::{first_line, starts_with_ci};

/// Request methods nDPI's HTTP dissector knows (RFC 9110 and WebDAV).
const METHODS: &[&[u8]] = &[
    b"GET ",
    b"POST ",
    b"HEAD ",
    b"PUT ",
    b"DELETE ",
    b"OPTIONS ",
    b"CONNECT ",
    b"PATCH ",
    b"TRACE ",
    b"PROPFIND ",
    b"PROPPATCH ",
    b"MKCOL ",
    b"MOVE ",
    b"COPY ",
    b"LOCK ",
    b"UNLOCK ",
    b"REPORT ",
    b"SEARCH ",
    b"MKCALENDAR ",
    b"SUBSCRIBE ",
];

/// True if `b` starts an HTTP/1.x request (method, then ` HTTP/1.` on the
/// first line when the line is complete) or response (`HTTP/1.x NNN`).
pub(crate) fn is_http(b: &[u8]) -> bool {
    if is_response(b) {
        return true;
    }
    if !METHODS.iter().any(|m| b.starts_with(m)) {
        return false;
    }
    let line = first_line(b, 4096);
    // A cut-short first line still counts; a complete one must end in HTTP/1.x.
    line.len() == b.len().min(4096) || line.windows(7).any(|w| w == b" HTTP/1")
}

/// True for an HTTP/1.x status line.
fn is_response(b: &[u8]) -> bool {
    (starts_with_ci(b, b"HTTP/1.0 ") || starts_with_ci(b, b"HTTP/1.1 "))
        && b.get(9..12)
            .is_some_and(|c| c.iter().all(u8::is_ascii_digit))
}
