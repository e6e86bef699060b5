//! One direction's byte stream: TLS record framing across arbitrary chunk
//! boundaries, and reassembly of handshake messages across records, bounded.

use super::record::{content, RecordError, RecordHeader, HEADER_LEN};
use super::salt::{RecordStat, Salt};
use crate::flow::Direction;
use crate::time::Timestamp;

/// Most handshake bytes buffered per direction (certificate chain included).
pub const MAX_HANDSHAKE: usize = 64 * 1024;
/// Length of a handshake message header (type and 24-bit length).
const HS_HEADER_LEN: usize = 4;

/// What a direction's stream has turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// No complete record header yet.
    #[default]
    Fresh,
    /// Well-formed TLS records so far.
    Tls,
    /// The first record header was not TLS: the stream is something else.
    NotTls(RecordError),
    /// A later record header was not TLS: framing lost, stopped.
    Desync(RecordError),
}

/// Receives complete handshake messages.
pub trait HandshakeSink {
    /// A complete, unencrypted handshake message of `typ` with `body`, sent in
    /// direction `dir`.
    fn message(&mut self, dir: Direction, typ: u8, body: &[u8]);
}

/// Framing state of one direction.
#[derive(Debug, Default)]
pub struct DirStream {
    mode: Mode,
    hdr: [u8; HEADER_LEN],
    hdr_fill: usize,
    hdr_ts: Timestamp,
    body_left: usize,
    body_type: u8,
    /// SALT index of the record whose body is being read, if recorded.
    cur_record: Option<usize>,
    /// Handshake bytes not yet forming a complete message.
    hs: Vec<u8>,
    /// SALT index of the record in which the first buffered message began.
    hs_first_record: Option<usize>,
    /// ChangeCipherSpec or application data seen: later handshake records are encrypted.
    encrypted: bool,
    /// The handshake outgrew [`MAX_HANDSHAKE`]; handshake parsing stopped.
    overflow: bool,
    /// Records seen (all, not only those kept in SALT).
    records: usize,
}

impl DirStream {
    /// What the stream has turned out to be.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Records seen in this direction.
    pub fn records(&self) -> usize {
        self.records
    }

    /// True once the handshake buffer limit was hit.
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    /// True when further bytes cannot add handshake messages or SALT records.
    pub fn done(&self, max_records: usize) -> bool {
        match self.mode {
            Mode::NotTls(_) | Mode::Desync(_) => true,
            Mode::Fresh => false,
            Mode::Tls => (self.encrypted || self.overflow) && self.records >= max_records,
        }
    }

    /// Consumes the next in-order chunk of this direction.
    pub fn feed(
        &mut self,
        dir: Direction,
        mut data: &[u8],
        ts: Timestamp,
        max_records: usize,
        salt: &mut Salt,
        sink: &mut dyn HandshakeSink,
    ) {
        while !data.is_empty() {
            if matches!(self.mode, Mode::NotTls(_) | Mode::Desync(_)) {
                return;
            }
            if self.body_left == 0 {
                // Reading a record header.
                if self.hdr_fill == 0 {
                    self.hdr_ts = ts;
                }
                let want = HEADER_LEN - self.hdr_fill;
                let n = want.min(data.len());
                let (head, rest) = data.split_at(n);
                if let Some(dst) = self.hdr.get_mut(self.hdr_fill..self.hdr_fill + n) {
                    dst.copy_from_slice(head);
                }
                self.hdr_fill += n;
                data = rest;
                if self.hdr_fill < HEADER_LEN {
                    return;
                }
                self.hdr_fill = 0;
                match RecordHeader::parse(&self.hdr) {
                    Ok(h) => self.start_record(h, dir, max_records, salt),
                    Err(e) => {
                        self.mode = if self.mode == Mode::Fresh {
                            Mode::NotTls(e)
                        } else {
                            Mode::Desync(e)
                        };
                        self.hs = Vec::new();
                        return;
                    }
                }
            } else {
                let n = self.body_left.min(data.len());
                let (body, rest) = data.split_at(n);
                if self.body_type == content::HANDSHAKE && !self.encrypted && !self.overflow {
                    self.handshake_bytes(dir, body, salt, sink);
                }
                self.body_left -= n;
                data = rest;
            }
        }
    }

    fn start_record(&mut self, h: RecordHeader, dir: Direction, max: usize, salt: &mut Salt) {
        self.mode = Mode::Tls;
        self.body_left = usize::from(h.length);
        self.body_type = h.content_type;
        self.cur_record = if self.records < max {
            Some(salt.push(RecordStat::new(h.length, h.content_type, dir, self.hdr_ts)))
        } else {
            None
        };
        self.records += 1;
        if matches!(
            h.content_type,
            content::CHANGE_CIPHER_SPEC | content::APPLICATION_DATA
        ) {
            self.encrypted = true;
            self.hs = Vec::new();
        }
    }

    fn handshake_bytes(
        &mut self,
        dir: Direction,
        body: &[u8],
        salt: &mut Salt,
        sink: &mut dyn HandshakeSink,
    ) {
        if self.hs.is_empty() {
            self.hs_first_record = self.cur_record;
        }
        if self.hs.len() + body.len() > MAX_HANDSHAKE {
            self.overflow = true;
            self.hs = Vec::new();
            return;
        }
        self.hs.extend_from_slice(body);
        let mut used = 0usize;
        while let Some(&[t, l0, l1, l2]) = self.hs.get(used..used + HS_HEADER_LEN) {
            let len = usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2);
            if len + HS_HEADER_LEN > MAX_HANDSHAKE {
                self.overflow = true;
                self.hs = Vec::new();
                return;
            }
            let start = used + HS_HEADER_LEN;
            let Some(msg) = self.hs.get(start..start + len) else {
                break;
            };
            if let Some(r) = self.hs_first_record.and_then(|i| salt.get_mut(i)) {
                r.add_handshake(t, len as u32);
            }
            sink.message(dir, t, msg);
            used = start + len;
            // Whatever follows began in the record being read now.
            self.hs_first_record = self.cur_record;
        }
        self.hs.drain(..used);
    }
}
