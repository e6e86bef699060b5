//! One direction of an HTTP/1.x connection: heads, bodies skipped by
//! Content-Length or chunked coding, pipelined messages, and resynchronisation
//! on the next line that starts a request or response.

use std::collections::VecDeque;

use super::chunked::Chunked;
use super::config::HttpConfig;
use super::head::{parse_head, text, Head, HeadResult, StartView};
use super::message::HttpMessage;
use super::start::{classify, LineStart};
use crate::flow::Direction;
use crate::time::Timestamp;

/// Requests whose responses are not yet seen, oldest first, as far as
/// response bodies depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// HEAD: the response has no body.
    Head,
    /// CONNECT: a 2xx response starts a tunnel.
    Connect,
    /// Any other method.
    Other,
}

/// Most requests remembered while waiting for responses.
const MAX_PENDING: usize = 32;

/// What both directions share: the messages in arrival order and the
/// requests waiting for responses.
#[derive(Debug, Default, Clone)]
pub struct Shared {
    /// All messages, both directions.
    pub messages: Vec<HttpMessage>,
    /// Outstanding requests.
    pub pending: VecDeque<Pending>,
}

/// Where a direction is in its byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Looking for a line that starts a message; `line_start` when at one.
    Scan { line_start: bool },
    /// Inside a head (its start was recognised).
    Head,
    /// Inside a body of known length: bytes left.
    Body(u64),
    /// Inside a chunked body.
    Chunked(Chunked),
    /// A body delimited by the end of the connection.
    UntilClose,
    /// Nothing more to read: message bound reached, or a tunnel.
    Ignore,
}

/// One direction's state.
#[derive(Debug, Clone)]
pub struct DirParser {
    dir: Direction,
    phase: Phase,
    /// Head bytes (or the first bytes of a candidate line) across chunks.
    pending: Vec<u8>,
    /// Index of the message whose body prefix is being captured.
    capture: Option<usize>,
    /// Messages recorded in this direction.
    count: usize,
}

impl DirParser {
    /// Direction `dir` at the start of its stream.
    pub fn new(dir: Direction) -> Self {
        DirParser {
            dir,
            phase: Phase::Scan { line_start: true },
            pending: Vec::new(),
            capture: None,
            count: 0,
        }
    }

    /// False once nothing more will be read.
    pub fn wants_data(&self) -> bool {
        self.phase != Phase::Ignore
    }

    /// Feeds in-order stream bytes.
    pub fn feed(&mut self, mut data: &[u8], ts: Timestamp, cfg: &HttpConfig, sh: &mut Shared) {
        while !data.is_empty() {
            data = match self.phase.clone() {
                Phase::Ignore => return,
                Phase::Scan { line_start } => self.scan(data, line_start),
                Phase::Head => self.head(data, ts, cfg, sh),
                Phase::Body(left) => {
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(data.len());
                    let (body, rest) = data.split_at(n);
                    self.capture_body(body, cfg, sh);
                    let left = left - n as u64;
                    self.phase = if left == 0 {
                        self.capture = None;
                        Phase::Scan { line_start: true }
                    } else {
                        Phase::Body(left)
                    };
                    rest
                }
                Phase::Chunked(mut dec) => {
                    let mut captured = Vec::new();
                    let room = cfg.body_prefix.saturating_sub(self.captured_len(sh));
                    match dec.feed(data, |d| {
                        let take = room.saturating_sub(captured.len()).min(d.len());
                        captured.extend_from_slice(d.get(..take).unwrap_or(&[]));
                    }) {
                        Ok(used) => {
                            self.capture_body(&captured, cfg, sh);
                            self.phase = if dec.is_done() {
                                self.capture = None;
                                Phase::Scan { line_start: true }
                            } else {
                                Phase::Chunked(dec)
                            };
                            data.get(used..).unwrap_or(&[])
                        }
                        Err(_) => {
                            self.capture = None;
                            self.phase = Phase::Scan { line_start: false };
                            data
                        }
                    }
                }
                Phase::UntilClose => {
                    self.capture_body(data, cfg, sh);
                    &[]
                }
            };
        }
    }

    /// Scanning for a message start; returns the bytes not consumed.
    fn scan<'d>(&mut self, data: &'d [u8], line_start: bool) -> &'d [u8] {
        if !line_start {
            self.pending.clear();
            return match data.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.phase = Phase::Scan { line_start: true };
                    data.get(i + 1..).unwrap_or(&[])
                }
                None => &[],
            };
        }
        if self.pending.is_empty() && classify(data) == LineStart::Message {
            // The whole start is in this chunk: parse it in place.
            self.phase = Phase::Head;
            return data;
        }
        let Some((&b, rest)) = data.split_first() else {
            return data;
        };
        self.pending.push(b);
        match classify(&self.pending) {
            LineStart::Message => self.phase = Phase::Head,
            LineStart::NeedMore => {}
            LineStart::Other => {
                self.pending.clear();
                self.phase = Phase::Scan {
                    line_start: b == b'\n',
                };
            }
        }
        rest
    }

    /// Inside a head; returns the bytes not consumed.
    fn head<'d>(
        &mut self,
        data: &'d [u8],
        ts: Timestamp,
        cfg: &HttpConfig,
        sh: &mut Shared,
    ) -> &'d [u8] {
        if self.pending.is_empty() {
            let bounded = data.get(..cfg.max_header_bytes).unwrap_or(data);
            match parse_head(bounded, cfg.max_headers) {
                HeadResult::Complete(h) => {
                    let len = h.len;
                    self.on_head(h, false, ts, cfg, sh);
                    return data.get(len..).unwrap_or(&[]);
                }
                HeadResult::Invalid => {
                    self.phase = Phase::Scan { line_start: false };
                    return data;
                }
                HeadResult::Partial => {}
            }
        }
        let old = self.pending.len();
        let room = cfg.max_header_bytes.saturating_sub(old);
        let n = room.min(data.len());
        self.pending.extend_from_slice(data.get(..n).unwrap_or(&[]));
        let pending = std::mem::take(&mut self.pending);
        match parse_head(&pending, cfg.max_headers) {
            HeadResult::Complete(h) => {
                let used = h.len.saturating_sub(old);
                self.on_head(h, false, ts, cfg, sh);
                data.get(used..).unwrap_or(&[])
            }
            HeadResult::Invalid => {
                // The buffered part is dropped; this chunk is scanned again
                // from the next line on.
                self.phase = Phase::Scan { line_start: false };
                data
            }
            HeadResult::Partial if pending.len() >= cfg.max_header_bytes => {
                self.truncated_head(&pending, ts, cfg, sh);
                self.phase = Phase::Scan { line_start: false };
                data.get(n..).unwrap_or(&[])
            }
            HeadResult::Partial => {
                self.pending = pending;
                data.get(n..).unwrap_or(&[])
            }
        }
    }

    /// A head over the bound: its whole lines are recorded as a truncated message.
    fn truncated_head(&mut self, pending: &[u8], ts: Timestamp, cfg: &HttpConfig, sh: &mut Shared) {
        let Some(last_nl) = pending.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        let mut lines = pending.get(..=last_nl).unwrap_or(&[]).to_vec();
        lines.extend_from_slice(b"\r\n");
        if let HeadResult::Complete(h) = parse_head(&lines, cfg.max_headers) {
            self.on_head(h, true, ts, cfg, sh);
        }
        self.capture = None;
    }

    /// Records a head and chooses how its body is delimited.
    fn on_head(
        &mut self,
        h: Head<'_>,
        truncated: bool,
        ts: Timestamp,
        cfg: &HttpConfig,
        sh: &mut Shared,
    ) {
        self.pending = Vec::new();
        if self.count >= cfg.max_messages {
            self.phase = Phase::Ignore;
            return;
        }
        let framing = h.framing;
        let msg = HttpMessage {
            ts,
            dir: self.dir,
            start: h.start.to_owned_line(),
            headers: h
                .headers
                .iter()
                .take(cfg.max_headers)
                .map(|(n, v)| (text(n.as_bytes()), text(v)))
                .collect(),
            body: Vec::new(),
            truncated,
        };
        self.count += 1;
        self.capture = Some(sh.messages.len());
        sh.messages.push(msg);
        let by_framing = if framing.chunked {
            Phase::Chunked(Chunked::default())
        } else {
            Phase::Body(framing.content_length.unwrap_or(0))
        };
        self.phase = match h.start {
            StartView::Request { method, .. } => {
                if sh.pending.len() < MAX_PENDING {
                    sh.pending.push_back(match method {
                        "HEAD" => Pending::Head,
                        "CONNECT" => Pending::Connect,
                        _ => Pending::Other,
                    });
                }
                by_framing
            }
            StartView::Response { code: 101, .. } => Phase::Ignore,
            StartView::Response {
                code: 100..=199, ..
            } => Phase::Body(0),
            StartView::Response { code, .. } => match sh.pending.pop_front() {
                Some(Pending::Head) => Phase::Body(0),
                Some(Pending::Connect) if (200..300).contains(&code) => Phase::Ignore,
                _ if code == 204 || code == 304 => Phase::Body(0),
                _ if framing.chunked || framing.content_length.is_some() => by_framing,
                _ => Phase::UntilClose,
            },
        };
        if self.phase == Phase::Body(0) {
            self.capture = None;
            self.phase = Phase::Scan { line_start: true };
        }
        if self.count >= cfg.max_messages && matches!(self.phase, Phase::Scan { .. }) {
            self.phase = Phase::Ignore;
        }
    }

    /// Body bytes captured so far for the current message.
    fn captured_len(&self, sh: &Shared) -> usize {
        self.capture
            .and_then(|i| sh.messages.get(i))
            .map_or(0, |m| m.body.len())
    }

    /// Keeps the first body bytes of the current message.
    fn capture_body(&mut self, bytes: &[u8], cfg: &HttpConfig, sh: &mut Shared) {
        let Some(m) = self.capture.and_then(|i| sh.messages.get_mut(i)) else {
            return;
        };
        let room = cfg.body_prefix.saturating_sub(m.body.len());
        m.body
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or(&[]));
        if m.body.len() >= cfg.body_prefix && self.phase == Phase::UntilClose {
            self.phase = Phase::Ignore;
        }
    }
}
