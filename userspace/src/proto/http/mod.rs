//! HTTP/1.x metadata: request and status lines, all headers (bounded), and
//! the first bytes of each body, over in-order TCP stream bytes (pipelined
//! and keep-alive messages, bodies skipped by Content-Length or chunked
//! coding, resynchronisation on the next message start) and over UDP (SSDP).
//! Written as Joy's `"http"` JSON. See docs/features-dns-http.md.
//!
//! [`head`] parses a header block in place with httparse; [`HttpMessage`] is
//! the bounded, owned summary a flow keeps.

mod chunked;
mod config;
pub mod detect;
mod direction;
pub mod head;
mod json;
mod message;
pub mod method;
pub mod start;
mod state;

#[cfg(test)]
mod tests;

pub use config::HttpConfig;
pub use json::Rewrite;
pub use message::{HttpMessage, StartLine};
pub use start::looks_like_http;
pub use state::HttpState;

impl HttpState {
    /// Writes `,"http":[...]` (leading comma) in Joy's format; `rewrite`, if
    /// given, is applied to the URI and header values (returning `Some(new)`
    /// replaces the value). Nothing is written when there is no message.
    pub fn write_json<W: std::io::Write>(
        &self,
        w: &mut W,
        rewrite: Rewrite<'_>,
    ) -> std::io::Result<()> {
        json::write_http(w, self.messages(), rewrite)
    }
}
