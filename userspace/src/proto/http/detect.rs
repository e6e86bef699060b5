//! HTTP/1.x: a request line with a known method, or a status line.

use crate::bytes::{first_line, starts_with_ci};
use crate::proto::http::method::{opens_request, METHODS};

/// True if `b` starts an HTTP/1.x request (method, then ` HTTP/1.` on the
/// first line when the line is complete) or response (`HTTP/1.x NNN`).
pub(crate) fn is_http(b: &[u8]) -> bool {
    if is_response(b) {
        return true;
    }
    if !METHODS.iter().any(|m| m.labels_http && opens_request(b, m)) {
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
