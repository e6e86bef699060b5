//! Assembles data sets into messages that never exceed the maximum message
//! size: a record that would overflow the current message moves to the
//! next one, its set closed and reopened there (RFC 7011 §3, §10.3.3).
//!
//! The builder holds the sets of one message (everything after the 16-byte
//! header); each collector writes its own header (its own sequence number)
//! when it sends the message.

/// Bytes of the message header.
pub const HEADER_LEN: usize = 16;
/// Bytes of a set header.
pub const SET_HEADER_LEN: usize = 4;

/// The size of a message holding one record of `record_len` bytes alone:
/// more than the maximum message size means no message can carry it.
pub(crate) fn alone_len(record_len: usize) -> usize {
    HEADER_LEN + SET_HEADER_LEN + record_len
}

/// The data set being written.
#[derive(Clone, Copy, Debug)]
struct OpenSet {
    template: u16,
    /// Offset of the set header in `buf`.
    start: usize,
    /// Complete records in the set.
    records: u32,
}

/// A position to return to (ipfixlolib's data field marker).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Marker {
    pos: usize,
    records: u32,
    set_records: u32,
    record_start: Option<usize>,
    generation: u64,
}

/// The sets of the message being assembled.
#[derive(Debug)]
pub(crate) struct MessageBuilder {
    buf: Vec<u8>,
    mtu: usize,
    /// Data records complete in `buf`.
    records: u32,
    /// Template ids of the data sets in `buf` (each once).
    templates: Vec<u16>,
    open: Option<OpenSet>,
    /// Start of the record being written, if any.
    record_start: Option<usize>,
    /// Bumped whenever the buffer is handed out and cleared.
    generation: u64,
}

/// What [`MessageBuilder::end_record`] decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum EndRecord {
    /// The record fits the message.
    Fits,
    /// The record was taken out: send the message, then
    /// [`MessageBuilder::reopen_with`] the returned bytes.
    Split(Vec<u8>),
    /// The record alone is larger than a message; it was removed.
    TooLarge(usize),
}

impl MessageBuilder {
    pub(crate) fn new(mtu: usize) -> MessageBuilder {
        MessageBuilder {
            buf: Vec::with_capacity(mtu),
            mtu,
            records: 0,
            templates: Vec::new(),
            open: None,
            record_start: None,
            generation: 0,
        }
    }

    /// The maximum message size, header included.
    pub(crate) fn mtu(&self) -> usize {
        self.mtu
    }

    /// The buffer values are appended to.
    pub(crate) fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Opens a data set for `template` unless it is the open one.
    pub(crate) fn open_set(&mut self, template: u16) {
        if self.open.map(|s| s.template) == Some(template) {
            return;
        }
        self.close_set();
        self.open = Some(OpenSet {
            template,
            start: self.buf.len(),
            records: 0,
        });
        self.buf.extend_from_slice(&template.to_be_bytes());
        self.buf.extend_from_slice(&[0, 0]);
    }

    /// Closes the open data set: writes its length, or removes it when it
    /// holds no record.
    pub(crate) fn close_set(&mut self) {
        self.abandon_record();
        let Some(set) = self.open.take() else {
            return;
        };
        let len = self.buf.len() - set.start;
        if len == SET_HEADER_LEN {
            self.buf.truncate(set.start);
            return;
        }
        // A set never exceeds the message size, itself ≤ 65535.
        self.buf[set.start + 2..set.start + 4].copy_from_slice(&(len as u16).to_be_bytes());
        if !self.templates.contains(&set.template) {
            self.templates.push(set.template);
        }
    }

    /// Starts a record in the open set.
    pub(crate) fn begin_record(&mut self) {
        self.abandon_record();
        self.record_start = Some(self.buf.len());
    }

    /// Drops the record being written, if any.
    pub(crate) fn abandon_record(&mut self) {
        if let Some(start) = self.record_start.take() {
            self.buf.truncate(start);
        }
    }

    /// Ends the record being written.
    pub(crate) fn end_record(&mut self) -> EndRecord {
        let Some(start) = self.record_start.take() else {
            return EndRecord::Fits;
        };
        if HEADER_LEN + self.buf.len() <= self.mtu {
            self.count_record();
            return EndRecord::Fits;
        }
        let alone = alone_len(self.buf.len() - start);
        if alone > self.mtu {
            self.buf.truncate(start);
            return EndRecord::TooLarge(alone);
        }
        let rec = self.buf.split_off(start);
        EndRecord::Split(rec)
    }

    /// After a split was sent: opens the set again in the new message and
    /// puts the record in it.
    pub(crate) fn reopen_with(&mut self, template: u16, rec: &[u8]) {
        self.open_set(template);
        self.buf.extend_from_slice(rec);
        self.count_record();
    }

    fn count_record(&mut self) {
        self.records += 1;
        if let Some(s) = &mut self.open {
            s.records += 1;
        }
    }

    /// Complete records in the message so far.
    pub(crate) fn records(&self) -> u32 {
        self.records
    }

    /// Whether the message holds any set.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Closes the open set and returns the message's sets, data record
    /// count and template ids; call [`MessageBuilder::clear`] once sent.
    /// The open set's template is remembered so writing can continue.
    pub(crate) fn finish(&mut self) -> (&[u8], u32, &[u16]) {
        self.close_set();
        (&self.buf, self.records, &self.templates)
    }

    /// Empties the builder after its message was sent.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.records = 0;
        self.templates.clear();
        self.open = None;
        self.record_start = None;
        self.generation += 1;
    }

    /// A marker at the current position of the open set.
    pub(crate) fn marker(&self) -> Marker {
        Marker {
            pos: self.buf.len(),
            records: self.records,
            set_records: self.open.map_or(0, |s| s.records),
            record_start: self.record_start,
            generation: self.generation,
        }
    }

    /// Deletes everything written after `m`, if `m` is still in this
    /// message and in the open set; returns whether it could.
    pub(crate) fn delete_to(&mut self, m: Marker) -> bool {
        let in_set = self.open.is_some_and(|s| m.pos >= s.start + SET_HEADER_LEN);
        if m.generation != self.generation || !in_set || m.pos > self.buf.len() {
            return false;
        }
        self.buf.truncate(m.pos);
        self.records = m.records;
        if let Some(s) = &mut self.open {
            s.records = m.set_records;
        }
        self.record_start = m.record_start;
        true
    }

    /// Drops the open set and its records (ipfixlolib's cancel); returns
    /// how many complete records were dropped.
    pub(crate) fn cancel_set(&mut self) -> u32 {
        self.record_start = None;
        let Some(set) = self.open.take() else {
            return 0;
        };
        self.buf.truncate(set.start);
        self.records -= set.records;
        set.records
    }
}
