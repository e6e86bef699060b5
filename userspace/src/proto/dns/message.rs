//! One DNS message: header fields, questions and records, read as far as the
//! bytes allow (a malformed record keeps everything before it, as Joy does).

use super::config::DnsConfig;
use super::error::DnsError;
use super::record::{DnsAnswer, DnsQuestion, Section};
use super::wire::{Cursor, Header};
use crate::flow::Direction;
use crate::time::Timestamp;

/// Where parsing stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed {
    /// What went wrong.
    pub error: DnsError,
    /// Bytes of the message left from the start of the bad item (Joy's
    /// `"malformed"` value is the bytes left at the failure).
    pub remaining: usize,
}

/// A DNS message's summary, owned and bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsMessage {
    /// Capture time of the datagram (or of the TCP chunk that completed it).
    pub ts: Timestamp,
    /// The direction it was sent in (`Out`: by the flow's initiator).
    pub dir: Direction,
    /// Transaction id.
    pub id: u16,
    /// QR bit: a response.
    pub response: bool,
    /// Opcode (0 query, 4 notify, 5 update, ...).
    pub opcode: u8,
    /// Response code (RCODE, the low 4 bits).
    pub rcode: u8,
    /// Header counts: questions, answers, authority, additional.
    pub counts: [u16; 4],
    /// The questions, at most [`DnsConfig::max_questions`].
    pub questions: Vec<DnsQuestion>,
    /// Records of all three sections in order, at most [`DnsConfig::max_answers`].
    pub answers: Vec<DnsAnswer>,
    /// Set when the message ended before its counts said (or was bad).
    pub malformed: Option<Malformed>,
}

impl DnsMessage {
    /// Parses one whole message. Fails only when there is no 12-byte header;
    /// otherwise returns what could be read, with [`DnsMessage::malformed`] set.
    pub fn parse(
        msg: &[u8],
        dir: Direction,
        ts: Timestamp,
        cfg: &DnsConfig,
    ) -> Result<Self, DnsError> {
        let h = Header::parse(msg)?;
        let mut m = DnsMessage {
            ts,
            dir,
            id: h.id(),
            response: h.is_response(),
            opcode: h.opcode(),
            rcode: h.rcode(),
            counts: [h.qdcount(), h.ancount(), h.nscount(), h.arcount()],
            questions: Vec::new(),
            answers: Vec::new(),
            malformed: None,
        };
        let mut cur = Cursor::new(msg, 12);
        if let Err(error) = m.read_body(&mut cur, cfg) {
            m.malformed = Some(Malformed {
                error,
                remaining: cur.remaining(),
            });
        }
        Ok(m)
    }

    /// Reads questions then records; the cursor stays at the failing item.
    fn read_body(&mut self, cur: &mut Cursor<'_>, cfg: &DnsConfig) -> Result<(), DnsError> {
        let [qd, an, ns, ar] = self.counts;
        for _ in 0..qd {
            if self.questions.len() >= cfg.max_questions {
                return Ok(());
            }
            let mut c = *cur;
            let q = DnsQuestion::parse(&mut c)?;
            *cur = c;
            self.questions.push(q);
        }
        let sections = [
            (Section::Answer, an),
            (Section::Authority, ns),
            (Section::Additional, ar),
        ];
        for (section, count) in sections {
            for _ in 0..count {
                if self.answers.len() >= cfg.max_answers {
                    return Ok(());
                }
                let mut c = *cur;
                let rr = DnsAnswer::parse(&mut c, section, cfg.max_rdata_bytes)?;
                *cur = c;
                self.answers.push(rr);
            }
        }
        Ok(())
    }
}
