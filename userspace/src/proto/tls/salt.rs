//! SALT: per-record lengths, content types, handshake types, directions and
//! times (Joy's `srlt` list), kept up to a per-direction limit.

use crate::flow::Direction;
use crate::time::Timestamp;

/// Joy records at most five handshake messages per record.
pub const MAX_HS_PER_RECORD: usize = 5;

/// One TLS record as seen on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordStat {
    /// Body length (the 5-byte header excluded), as Joy's "b".
    pub len: u16,
    /// Content type.
    pub content_type: u8,
    /// The direction it was sent in (`Out`: by the flow's initiator).
    pub dir: Direction,
    /// Time of the chunk in which the record header began.
    pub ts: Timestamp,
    hs_types: [u8; MAX_HS_PER_RECORD],
    hs_lens: [u32; MAX_HS_PER_RECORD],
    hs_count: u8,
}

impl RecordStat {
    /// A record with no handshake messages attributed yet.
    pub fn new(len: u16, content_type: u8, dir: Direction, ts: Timestamp) -> Self {
        RecordStat {
            len,
            content_type,
            dir,
            ts,
            hs_types: [0; MAX_HS_PER_RECORD],
            hs_lens: [0; MAX_HS_PER_RECORD],
            hs_count: 0,
        }
    }

    /// Notes a handshake message that began in this record (ignored beyond five).
    pub fn add_handshake(&mut self, typ: u8, len: u32) {
        let i = usize::from(self.hs_count);
        if let (Some(t), Some(l)) = (self.hs_types.get_mut(i), self.hs_lens.get_mut(i)) {
            *t = typ;
            *l = len;
            self.hs_count += 1;
        }
    }

    /// Handshake message types that began in this record.
    pub fn handshake_types(&self) -> &[u8] {
        self.hs_types
            .get(..usize::from(self.hs_count))
            .unwrap_or(&[])
    }

    /// Body lengths of those handshake messages.
    pub fn handshake_lens(&self) -> &[u32] {
        self.hs_lens
            .get(..usize::from(self.hs_count))
            .unwrap_or(&[])
    }
}

/// The SALT list of a flow, both directions interleaved in arrival order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Salt {
    records: Vec<RecordStat>,
}

impl Salt {
    /// Appends a record and returns its index.
    pub fn push(&mut self, r: RecordStat) -> usize {
        self.records.push(r);
        self.records.len() - 1
    }

    /// The record at `i`, for attributing handshake messages.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut RecordStat> {
        self.records.get_mut(i)
    }

    /// Records sorted by time (stable: arrival order breaks ties).
    pub fn sorted(&self) -> Vec<RecordStat> {
        let mut v = self.records.clone();
        v.sort_by_key(|r| r.ts);
        v
    }

    /// All records in arrival order.
    pub fn records(&self) -> &[RecordStat] {
        &self.records
    }
}
