//! Per-flow DNS state: the messages seen in both directions, and the TCP
//! framing of each direction.

use super::config::DnsConfig;
use super::framing::TcpFramer;
use super::message::DnsMessage;
use crate::flow::Direction;
use crate::time::Timestamp;

/// What a flow keeps of its DNS messages. Idle, it is an empty vector and two
/// empty options.
#[derive(Debug, Default, Clone)]
pub struct DnsState {
    messages: Vec<DnsMessage>,
    /// TCP framing per [`Direction`]; created on first use.
    framers: [Option<Box<TcpFramer>>; 2],
    /// The message bound was reached.
    full: bool,
}

impl DnsState {
    /// One UDP datagram's payload (DNS, mDNS 5353, LLMNR 5355 all use this).
    pub fn on_datagram(&mut self, dir: Direction, payload: &[u8], ts: Timestamp, cfg: &DnsConfig) {
        self.record(dir, payload, ts, cfg);
    }

    /// In-order TCP stream bytes of direction `dir` (RFC 1035 2-byte length
    /// framing; messages span chunks).
    pub fn on_stream(&mut self, dir: Direction, data: &[u8], ts: Timestamp, cfg: &DnsConfig) {
        if self.full {
            return;
        }
        let slot = &mut self.framers[dir];
        let framer = slot.get_or_insert_with(Box::default);
        let messages = &mut self.messages;
        let full = &mut self.full;
        framer.push(data, cfg.max_tcp_message, |msg| {
            push_message(messages, full, dir, msg, ts, cfg);
        });
    }

    /// False once the message bound is reached.
    pub fn wants_data(&self) -> bool {
        !self.full
    }

    /// The messages in arrival order, both directions.
    pub fn messages(&self) -> &[DnsMessage] {
        &self.messages
    }

    fn record(&mut self, dir: Direction, msg: &[u8], ts: Timestamp, cfg: &DnsConfig) {
        push_message(&mut self.messages, &mut self.full, dir, msg, ts, cfg);
    }
}

/// Parses and keeps one message if there is room; messages without a full
/// header are dropped (Joy drops those under 13 bytes).
fn push_message(
    messages: &mut Vec<DnsMessage>,
    full: &mut bool,
    dir: Direction,
    msg: &[u8],
    ts: Timestamp,
    cfg: &DnsConfig,
) {
    if messages.len() >= cfg.max_messages {
        *full = true;
        return;
    }
    if let Ok(m) = DnsMessage::parse(msg, dir, ts, cfg) {
        messages.push(m);
    }
    if messages.len() >= cfg.max_messages {
        *full = true;
    }
}
