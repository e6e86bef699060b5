//! Recognising the first line of an HTTP/1.x message, for resynchronising on
//! a stream and for routing flows to this parser.

use crate::proto::http::method::METHODS;

/// What the first bytes of a line say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStart {
    /// A request line (`METHOD ` ) or a status line (`HTTP/1.`).
    Message,
    /// Not the start of a message.
    Other,
    /// Too few bytes to tell.
    NeedMore,
}

/// Bytes that are always enough to decide.
pub const LONGEST_PREFIX: usize = 12;

/// Classifies the first bytes of a line.
pub fn classify(prefix: &[u8]) -> LineStart {
    let mut need_more = false;
    let status = b"HTTP/1.";
    for cand in METHODS
        .iter()
        .map(|m| (m.name, true))
        .chain([(&status[..], false)])
    {
        let (token, is_method) = cand;
        let n = prefix.len().min(token.len());
        if prefix.get(..n) != token.get(..n) {
            continue;
        }
        if prefix.len() < token.len() || (is_method && prefix.len() == token.len()) {
            need_more = true;
            continue;
        }
        if !is_method || prefix.get(token.len()) == Some(&b' ') {
            return LineStart::Message;
        }
    }
    if need_more {
        LineStart::NeedMore
    } else {
        LineStart::Other
    }
}

/// True when `payload` starts like an HTTP/1.x request or response: a cheap
/// test for routing a flow on a port not known to carry HTTP.
pub fn looks_like_http(payload: &[u8]) -> bool {
    classify(payload.get(..LONGEST_PREFIX).unwrap_or(payload)) == LineStart::Message
}
