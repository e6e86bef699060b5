//! One HTTP/1.x message's summary, owned and bounded.

use crate::flow::Direction;
use crate::time::Timestamp;

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD URI VERSION`.
    Request {
        /// Method token.
        method: String,
        /// Request target as sent.
        uri: String,
        /// e.g. "HTTP/1.1".
        version: String,
    },
    /// `VERSION CODE REASON`.
    Response {
        /// e.g. "HTTP/1.1".
        version: String,
        /// Status code.
        code: u16,
        /// Reason phrase (may be empty).
        reason: String,
    },
}

/// A request or response head and the first bytes of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpMessage {
    /// Time of the chunk that completed the head.
    pub ts: Timestamp,
    /// The direction it was sent in (`Out`: by the flow's initiator).
    pub dir: Direction,
    /// Request or status line.
    pub start: StartLine,
    /// Headers in order, names as sent, at most [`super::HttpConfig::max_headers`].
    pub headers: Vec<(String, String)>,
    /// The first body bytes (de-chunked), at most [`super::HttpConfig::body_prefix`].
    pub body: Vec<u8>,
    /// The head was longer than the bound: only its first lines are here.
    pub truncated: bool,
}

impl HttpMessage {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The Host header.
    pub fn host(&self) -> Option<&str> {
        self.header("host")
    }

    /// The User-Agent header.
    pub fn user_agent(&self) -> Option<&str> {
        self.header("user-agent")
    }

    /// Request method, if a request.
    pub fn method(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// Request URI, if a request.
    pub fn uri(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    /// Status code, if a response.
    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }
}
