//! Joy's `"http"` JSON: request/response pairs, each an array of one-key
//! objects (start-line parts, then headers, then the body's first bytes).

use std::io::{self, Write};

use crate::flow::Direction;
use crate::json::write_str as string;

use super::message::{HttpMessage, StartLine};

pub use crate::json::Rewrite;

/// `{"key":"value"}`.
fn pair<W: Write>(w: &mut W, key: &str, value: &str) -> io::Result<()> {
    w.write_all(b"{")?;
    string(w, key)?;
    w.write_all(b":")?;
    string(w, value)?;
    w.write_all(b"}")
}

fn rewritten(value: &str, rewrite: Rewrite<'_>) -> Option<String> {
    rewrite.and_then(|f| f(value))
}

/// One message as Joy's array.
fn message<W: Write>(w: &mut W, m: &HttpMessage, rewrite: Rewrite<'_>) -> io::Result<()> {
    w.write_all(b"[")?;
    match &m.start {
        StartLine::Request {
            method,
            uri,
            version,
        } => {
            pair(w, "method", method)?;
            w.write_all(b",")?;
            pair(w, "uri", rewritten(uri, rewrite).as_deref().unwrap_or(uri))?;
            w.write_all(b",")?;
            pair(w, "version", version)?;
        }
        StartLine::Response {
            version,
            code,
            reason,
        } => {
            pair(w, "version", version)?;
            w.write_all(b",")?;
            pair(w, "code", &code.to_string())?;
            w.write_all(b",")?;
            pair(w, "reason", reason)?;
        }
    }
    for (name, value) in &m.headers {
        w.write_all(b",")?;
        pair(
            w,
            name,
            rewritten(value, rewrite).as_deref().unwrap_or(value),
        )?;
    }
    if !m.body.is_empty() {
        w.write_all(b",{\"body\":\"")?;
        crate::json::num::write_hex(w, &m.body)?;
        w.write_all(b"\"}")?;
    }
    w.write_all(b"]")
}

/// Writes `,"http":[...]`: the i-th message sent `Out` with the i-th sent
/// `In`, as Joy pairs them; nothing when there are no messages.
pub fn write_http<W: Write>(
    w: &mut W,
    messages: &[HttpMessage],
    rewrite: Rewrite<'_>,
) -> io::Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let out: Vec<&HttpMessage> = messages
        .iter()
        .filter(|m| m.dir == Direction::Out)
        .collect();
    let inb: Vec<&HttpMessage> = messages.iter().filter(|m| m.dir == Direction::In).collect();
    w.write_all(b",\"http\":[")?;
    for i in 0..out.len().max(inb.len()) {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{")?;
        if let Some(m) = out.get(i) {
            w.write_all(b"\"out\":")?;
            message(w, m, rewrite)?;
        }
        if let Some(m) = inb.get(i) {
            if out.get(i).is_some() {
                w.write_all(b",")?;
            }
            w.write_all(b"\"in\":")?;
            message(w, m, rewrite)?;
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"]")
}
