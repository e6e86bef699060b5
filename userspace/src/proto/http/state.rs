//! Per-flow HTTP state: both directions and the messages they produced.

use super::config::HttpConfig;
use super::direction::{DirParser, Shared};
use super::head::{parse_head, HeadResult};
use super::message::HttpMessage;
use super::start::looks_like_http;
use crate::flow::Direction;
use crate::time::Timestamp;

/// What a flow keeps of its HTTP messages.
#[derive(Debug, Clone)]
pub struct HttpState {
    /// Indexed by [`Direction`].
    dirs: [DirParser; 2],
    shared: Shared,
}

impl Default for HttpState {
    fn default() -> Self {
        HttpState {
            dirs: Direction::BOTH.map(DirParser::new),
            shared: Shared::default(),
        }
    }
}

impl HttpState {
    /// In-order stream bytes of direction `dir` (`Out` = sent by the flow's
    /// initiator), split at arbitrary points.
    pub fn on_data(&mut self, dir: Direction, data: &[u8], ts: Timestamp, cfg: &HttpConfig) {
        self.dirs[dir].feed(data, ts, cfg, &mut self.shared);
    }

    /// One UDP datagram carrying one HTTP message (HTTPU: SSDP on UDP 1900):
    /// its head, and the first body bytes found in the same datagram.
    pub fn on_datagram(&mut self, dir: Direction, payload: &[u8], ts: Timestamp, cfg: &HttpConfig) {
        let mine = self.shared.messages.iter().filter(|m| m.dir == dir).count();
        if mine >= cfg.max_messages || !looks_like_http(payload) {
            return;
        }
        let head = payload.get(..cfg.max_header_bytes).unwrap_or(payload);
        if let HeadResult::Complete(h) = parse_head(head, cfg.max_headers) {
            let body = payload.get(h.len..).unwrap_or(&[]);
            self.shared.messages.push(HttpMessage {
                ts,
                dir,
                start: h.start.to_owned_line(),
                headers: h
                    .headers
                    .iter()
                    .map(|(n, v)| (super::head::text(n.as_bytes()), super::head::text(v)))
                    .collect(),
                body: body.iter().take(cfg.body_prefix).copied().collect(),
                truncated: false,
            });
        }
    }

    /// False once neither direction will record anything more.
    pub fn wants_data(&self) -> bool {
        self.dirs.iter().any(DirParser::wants_data)
    }

    /// The messages in the order they were completed, both directions.
    pub fn messages(&self) -> &[HttpMessage] {
        &self.shared.messages
    }
}
