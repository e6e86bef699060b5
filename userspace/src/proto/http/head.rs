//! Parsing one header block (start line, headers, blank line) with httparse,
//! without copying, into a [`Head`] that borrows the bytes.

use super::message::StartLine;

/// How the body after a head is delimited (RFC 9112 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// Transfer-Encoding's last coding is chunked.
    pub chunked: bool,
    /// Content-Length, when valid.
    pub content_length: Option<u64>,
}

/// A complete head, borrowed from the stream bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head<'a> {
    /// Bytes of the head, blank line included.
    pub len: usize,
    /// Request or status line parts.
    pub start: StartView<'a>,
    /// Headers as (name, value) bytes.
    pub headers: Vec<(&'a str, &'a [u8])>,
    /// Body delimitation.
    pub framing: Framing,
}

/// The start line, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartView<'a> {
    /// Request line.
    Request {
        /// Method token.
        method: &'a str,
        /// Request target.
        uri: &'a str,
        /// Minor version (HTTP/1.x).
        minor: u8,
    },
    /// Status line.
    Response {
        /// Minor version (HTTP/1.x).
        minor: u8,
        /// Status code.
        code: u16,
        /// Reason phrase.
        reason: &'a str,
    },
}

impl StartView<'_> {
    /// Owned copy.
    pub fn to_owned_line(&self) -> StartLine {
        match *self {
            StartView::Request { method, uri, minor } => StartLine::Request {
                method: text(method.as_bytes()),
                uri: text(uri.as_bytes()),
                version: format!("HTTP/1.{minor}"),
            },
            StartView::Response {
                minor,
                code,
                reason,
            } => StartLine::Response {
                version: format!("HTTP/1.{minor}"),
                code,
                reason: text(reason.as_bytes()),
            },
        }
    }
}

/// Result of trying to parse a head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadResult<'a> {
    /// A whole head.
    Complete(Head<'a>),
    /// More bytes needed.
    Partial,
    /// Not an HTTP/1.x head (or more headers than the bound).
    Invalid,
}

/// Lenient settings: what real servers and clients send and tshark reads.
fn config() -> httparse::ParserConfig {
    let mut c = httparse::ParserConfig::default();
    c.allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_request_line_delimiters(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .ignore_invalid_headers_in_requests(true)
        .ignore_invalid_headers_in_responses(true);
    c
}

/// Parses the head at the start of `buf`, keeping at most `max_headers`.
pub fn parse_head(buf: &[u8], max_headers: usize) -> HeadResult<'_> {
    let mut slots = vec![httparse::EMPTY_HEADER; max_headers];
    let is_response = buf.starts_with(b"HTTP/");
    let (status, start, headers) = if is_response {
        let mut r = httparse::Response::new(&mut slots);
        let status = config().parse_response(&mut r, buf);
        let start = match (r.version, r.code) {
            (Some(minor), Some(code)) => Some(StartView::Response {
                minor,
                code,
                reason: r.reason.unwrap_or(""),
            }),
            _ => None,
        };
        (
            status,
            start,
            r.headers
                .iter()
                .map(|h| (h.name, h.value))
                .collect::<Vec<_>>(),
        )
    } else {
        let mut r = httparse::Request::new(&mut slots);
        let status = config().parse_request(&mut r, buf);
        let start = match (r.method, r.path, r.version) {
            (Some(method), Some(uri), Some(minor)) => {
                Some(StartView::Request { method, uri, minor })
            }
            _ => None,
        };
        (
            status,
            start,
            r.headers
                .iter()
                .map(|h| (h.name, h.value))
                .collect::<Vec<_>>(),
        )
    };
    match status {
        Ok(httparse::Status::Complete(len)) => match start {
            Some(start) => {
                let framing = framing(&headers);
                HeadResult::Complete(Head {
                    len,
                    start,
                    headers,
                    framing,
                })
            }
            None => HeadResult::Invalid,
        },
        Ok(httparse::Status::Partial) => HeadResult::Partial,
        Err(_) => HeadResult::Invalid,
    }
}

/// Body delimitation from the headers.
fn framing(headers: &[(&str, &[u8])]) -> Framing {
    let mut f = Framing {
        chunked: false,
        content_length: None,
    };
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.rsplit(|&b| b == b',').next().unwrap_or(&[]);
            f.chunked = last.trim_ascii().eq_ignore_ascii_case(b"chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            f.content_length = std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.trim().parse().ok());
        }
    }
    f
}

/// Header and start-line bytes as text: UTF-8 kept, control characters and
/// bytes that are not UTF-8 as '.' (Joy maps every byte outside 32..=126 to
/// '.'; we keep non-ASCII text, as tshark shows it).
pub fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s
            .chars()
            .map(|c| if c.is_control() { '.' } else { c })
            .collect(),
        Err(_) => bytes
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    char::from(b)
                } else {
                    '.'
                }
            })
            .collect(),
    }
}
