//! Writing data records: typed values checked against the template's
//! fields, in network byte order (unlike ipfixlolib, callers never convert).
//!
//! A value that does not fit its field abandons the record being written
//! (the set and its earlier records stay) and returns the error.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use crate::batch::RecordBatch;
use crate::error::ExportError;
use crate::exporter::Exporter;
use crate::field::Field;
use crate::list;
use crate::message::MessageBuilder;
use crate::message::{EndRecord, Marker};
use crate::template::Template;

/// Where a data set's records go.
enum Target<'a> {
    /// The exporter's message being assembled.
    Exporter(&'a mut Exporter),
    /// A batch encoded apart; `first` is the set's first record there.
    Batch {
        batch: &'a mut RecordBatch,
        first: usize,
    },
}

impl Target<'_> {
    /// The bytes the record's values are appended to.
    fn buf(&mut self) -> &mut Vec<u8> {
        match self {
            Target::Exporter(e) => e.builder_mut().buf(),
            Target::Batch { batch, .. } => batch.buf(),
        }
    }

    fn begin_record(&mut self) {
        match self {
            Target::Exporter(e) => e.builder_mut().begin_record(),
            Target::Batch { batch, .. } => batch.begin_record(),
        }
    }

    fn abandon_record(&mut self) {
        match self {
            Target::Exporter(e) => e.builder_mut().abandon_record(),
            Target::Batch { batch, .. } => batch.abandon_record(),
        }
    }

    /// The exporter's message builder (markers live there only).
    fn builder(&mut self) -> Option<&mut MessageBuilder> {
        match self {
            Target::Exporter(e) => Some(e.builder_mut()),
            Target::Batch { .. } => None,
        }
    }
}

/// An open data set of one template (ipfixlolib's `ipfix_start_data_set`
/// .. `ipfix_end_data_set`), in an [`Exporter`]'s message or in a
/// [`RecordBatch`]. Dropping it ends the set, keeping its complete records
/// and discarding an unfinished one.
pub struct DataSet<'a> {
    to: Target<'a>,
    tpl: Arc<Template>,
    /// Index of the next field of the record being written.
    field: usize,
    in_record: bool,
    marker: Option<SetMarker>,
    records: u32,
}

/// A marker: the builder's position and this set's record state there.
#[derive(Clone, Copy)]
struct SetMarker {
    at: Marker,
    field: usize,
    in_record: bool,
    records: u32,
}

impl<'a> DataSet<'a> {
    pub(crate) fn new(exp: &'a mut Exporter, tpl: Arc<Template>) -> DataSet<'a> {
        exp.builder_mut().open_set(tpl.id());
        DataSet::with_target(Target::Exporter(exp), tpl)
    }

    pub(crate) fn for_batch(batch: &'a mut RecordBatch, tpl: Arc<Template>) -> DataSet<'a> {
        let first = batch.record_count();
        DataSet::with_target(Target::Batch { batch, first }, tpl)
    }

    fn with_target(to: Target<'a>, tpl: Arc<Template>) -> DataSet<'a> {
        DataSet {
            to,
            tpl,
            field: 0,
            in_record: false,
            marker: None,
            records: 0,
        }
    }

    /// The template of this set.
    pub fn template(&self) -> &Template {
        &self.tpl
    }

    /// Records ended in this set so far.
    pub fn records(&self) -> u32 {
        self.records
    }

    fn next(&mut self) -> Result<Field, ExportError> {
        let Some(&f) = self.tpl.fields().get(self.field) else {
            return Err(self.fail(format!(
                "the template has only {} fields",
                self.tpl.fields().len()
            )));
        };
        if !self.in_record {
            self.to.begin_record();
            self.in_record = true;
        }
        Ok(f)
    }

    /// The field the next value goes into, if the record has one left.
    pub(crate) fn next_field(&self) -> Option<Field> {
        self.tpl.fields().get(self.field).copied()
    }

    /// Abandons the record being written, for `why`.
    pub(crate) fn refuse(&mut self, why: String) -> ExportError {
        self.fail(why)
    }

    fn fail(&mut self, why: String) -> ExportError {
        let field = self.field;
        self.abandon_record();
        ExportError::BadValue {
            template: self.tpl.id(),
            field,
            why,
        }
    }

    /// Discards the record being written (its fields so far).
    pub fn abandon_record(&mut self) {
        if self.in_record {
            self.to.abandon_record();
        }
        self.in_record = false;
        self.field = 0;
    }

    fn done_field(&mut self) {
        self.field += 1;
    }

    /// An unsigned integer (unsignedN, dateTimeSeconds/Milliseconds), in the
    /// field's length (reduced-size encoding when shorter than 8).
    pub fn put_uint(&mut self, v: u64) -> Result<(), ExportError> {
        let len = self.int_field()?;
        if !uint_fits(v, len) {
            return Err(self.fail(format!("{v} does not fit in {len} bytes")));
        }
        self.push(&v.to_be_bytes()[8 - len..]);
        Ok(())
    }

    /// A signed integer (signedN), in the field's length.
    pub fn put_int(&mut self, v: i64) -> Result<(), ExportError> {
        let len = self.int_field()?;
        let bits = 8 * len as u32;
        if bits < 64 && (v < -(1i64 << (bits - 1)) || v >= (1i64 << (bits - 1))) {
            return Err(self.fail(format!("{v} does not fit in {len} bytes")));
        }
        self.push(&v.to_be_bytes()[8 - len..]);
        Ok(())
    }

    /// The length of the next field, which must take an integer (1..=8
    /// bytes).
    fn int_field(&mut self) -> Result<usize, ExportError> {
        let f = self.next()?;
        if f.is_variable() || f.len > 8 {
            return Err(self.fail(format!("an integer cannot fill a {}-byte field", f.len)));
        }
        Ok(usize::from(f.len))
    }

    /// Appends the encoded value of the current field and moves to the next.
    fn push(&mut self, bytes: &[u8]) {
        self.to.buf().extend_from_slice(bytes);
        self.done_field();
    }

    /// A float64 (or float32 when the field is 4 bytes).
    pub fn put_f64(&mut self, v: f64) -> Result<(), ExportError> {
        let f = self.next()?;
        match f.len {
            8 => self.push(&v.to_be_bytes()),
            4 => self.push(&(v as f32).to_be_bytes()),
            n => return Err(self.fail(format!("a float cannot fill a {n}-byte field"))),
        }
        Ok(())
    }

    /// A boolean (RFC 7011 §6.1.5: true is 1, false is 2).
    pub fn put_bool(&mut self, v: bool) -> Result<(), ExportError> {
        self.put_uint(if v { 1 } else { 2 })
    }

    /// An IPv4 address.
    pub fn put_ipv4(&mut self, a: Ipv4Addr) -> Result<(), ExportError> {
        self.put_fixed(&a.octets())
    }

    /// An IPv6 address.
    pub fn put_ipv6(&mut self, a: Ipv6Addr) -> Result<(), ExportError> {
        self.put_fixed(&a.octets())
    }

    /// A MAC address.
    pub fn put_mac(&mut self, a: [u8; 6]) -> Result<(), ExportError> {
        self.put_fixed(&a)
    }

    /// Bytes of exactly the field's length (a fixed-length field only).
    fn put_fixed(&mut self, v: &[u8]) -> Result<(), ExportError> {
        let f = self.next()?;
        if usize::from(f.len) != v.len() {
            return Err(self.fail(format!(
                "a {}-byte value for a {}-byte field",
                v.len(),
                f.len
            )));
        }
        self.push(v);
        Ok(())
    }

    /// An octetArray: any length for a variable-length field (one-byte
    /// length, or 255 and a two-byte length), exactly the field's length
    /// for a fixed one.
    pub fn put_bytes(&mut self, v: &[u8]) -> Result<(), ExportError> {
        let f = self.next()?;
        if !f.is_variable() {
            return self.put_fixed(v);
        }
        if v.len() > 65535 {
            return Err(self.fail(format!("{} bytes (at most 65535)", v.len())));
        }
        let buf = self.to.buf();
        list::put_varlen_prefix(buf, v.len());
        buf.extend_from_slice(v);
        self.done_field();
        Ok(())
    }

    /// A string (UTF-8), like [`DataSet::put_bytes`].
    pub fn put_str(&mut self, v: &str) -> Result<(), ExportError> {
        self.put_bytes(v.as_bytes())
    }

    /// A basicList of unsigned integers, each encoded in `element.len`
    /// bytes (1..=8), with `semantic` (see [`crate::semantic`]).
    pub fn put_uint_list<I>(
        &mut self,
        semantic: u8,
        element: Field,
        items: I,
    ) -> Result<(), ExportError>
    where
        I: IntoIterator<Item = u64>,
        I::IntoIter: ExactSizeIterator,
    {
        let items = items.into_iter();
        let elen = usize::from(element.len);
        if element.is_variable() || elen == 0 || elen > 8 {
            self.next()?;
            return Err(self.fail(format!(
                "list items of length {} are not integers",
                element.len
            )));
        }
        let content = list::header_len(element) + items.len() * elen;
        self.list_start(content)?;
        list::put_header(self.to.buf(), semantic, element);
        for v in items {
            if !uint_fits(v, elen) {
                return Err(self.fail(format!("list item {v} does not fit in {elen} bytes")));
            }
            self.to
                .buf()
                .extend_from_slice(&v.to_be_bytes()[8 - elen..]);
        }
        self.done_field();
        Ok(())
    }

    /// A basicList of octet strings: each of exactly `element.len` bytes,
    /// or length-prefixed when `element` is variable length.
    pub fn put_bytes_list(
        &mut self,
        semantic: u8,
        element: Field,
        items: &[&[u8]],
    ) -> Result<(), ExportError> {
        let mut content = list::header_len(element);
        for it in items {
            if element.is_variable() {
                content += list::varlen_prefix_len(it.len()) + it.len();
            } else if it.len() != usize::from(element.len) {
                self.next()?;
                return Err(self.fail(format!(
                    "a {}-byte list item for {}-byte elements",
                    it.len(),
                    element.len
                )));
            } else {
                content += it.len();
            }
        }
        self.list_start(content)?;
        let buf = self.to.buf();
        list::put_header(buf, semantic, element);
        for it in items {
            if element.is_variable() {
                list::put_varlen_prefix(buf, it.len());
            }
            buf.extend_from_slice(it);
        }
        self.done_field();
        Ok(())
    }

    /// Checks the field takes a list of `content` bytes and writes the
    /// length prefix of a variable-length field.
    fn list_start(&mut self, content: usize) -> Result<(), ExportError> {
        let f = self.next()?;
        if f.is_variable() {
            if content > 65535 {
                return Err(self.fail(format!("a {content}-byte list (at most 65535)")));
            }
            list::put_varlen_prefix(self.to.buf(), content);
        } else if usize::from(f.len) != content {
            return Err(self.fail(format!("a {content}-byte list for a {}-byte field", f.len)));
        }
        Ok(())
    }

    /// Ends the record: every field must have a value. The record goes in
    /// the current message, or starts the next one if it would overflow
    /// the maximum message size (the current one is sent first).
    pub fn end_record(&mut self) -> Result<(), ExportError> {
        if !self.in_record || self.field != self.tpl.fields().len() {
            let (got, want) = (self.field, self.tpl.fields().len());
            self.abandon_record();
            return Err(ExportError::BadValue {
                template: self.tpl.id(),
                field: got,
                why: format!("the record has {got} of {want} values"),
            });
        }
        self.in_record = false;
        self.field = 0;
        self.finish_record()
    }

    /// Puts one record already encoded for this set's template (by a
    /// [`RecordBatch`] against the same definition) and ends it.
    pub(crate) fn put_encoded_record(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        self.abandon_record();
        self.to.begin_record();
        self.to.buf().extend_from_slice(bytes);
        self.finish_record()
    }

    /// Ends the record just written in the target: in the current message,
    /// or in the next one if it would overflow (the current one is sent
    /// first), or refused if no message can hold it.
    fn finish_record(&mut self) -> Result<(), ExportError> {
        let id = self.tpl.id();
        match &mut self.to {
            Target::Batch { batch, .. } => batch.end_record(id)?,
            Target::Exporter(exp) => match exp.builder_mut().end_record() {
                EndRecord::Fits => {}
                EndRecord::Split(rec) => {
                    self.marker = None;
                    exp.send();
                    exp.builder_mut().reopen_with(id, &rec);
                }
                EndRecord::TooLarge(needed) => {
                    exp.count_too_large();
                    return Err(ExportError::RecordTooLarge {
                        template: id,
                        needed,
                        mtu: exp.builder_mut().mtu(),
                    });
                }
            },
        }
        self.records += 1;
        Ok(())
    }

    /// Remembers the current position (ipfixlolib's
    /// `ipfix_set_data_field_marker`). A set of a [`RecordBatch`] keeps no
    /// marker.
    pub fn set_marker(&mut self) {
        let (field, in_record, records) = (self.field, self.in_record, self.records);
        self.marker = self.to.builder().map(|b| SetMarker {
            at: b.marker(),
            field,
            in_record,
            records,
        });
    }

    /// Deletes what was written after the marker, records included
    /// (ipfixlolib's `ipfix_delete_data_fields_upto_marker`). Fails when no
    /// marker is set in this set, or a message was sent since.
    pub fn delete_to_marker(&mut self) -> Result<(), ExportError> {
        let Some(m) = self.marker else {
            return Err(ExportError::NoMarker);
        };
        let deleted = self.to.builder().is_some_and(|b| b.delete_to(m.at));
        if !deleted {
            self.marker = None;
            return Err(ExportError::NoMarker);
        }
        self.field = m.field;
        self.in_record = m.in_record;
        self.records = m.records;
        Ok(())
    }

    /// Ends the set; returns the records it holds (ipfixlolib's
    /// `ipfix_end_data_set`).
    pub fn end(mut self) -> u32 {
        self.abandon_record();
        self.records
    }

    /// Drops the records of this set not yet sent (ipfixlolib's
    /// `ipfix_cancel_data_set`). Records already sent because the message
    /// filled up stay sent.
    pub fn cancel(mut self) {
        self.abandon_record();
        match &mut self.to {
            Target::Exporter(exp) => {
                exp.builder_mut().cancel_set();
            }
            Target::Batch { batch, first } => batch.truncate_records(*first),
        }
        self.records = 0;
    }
}

impl Drop for DataSet<'_> {
    fn drop(&mut self) {
        self.abandon_record();
    }
}

/// Whether `v` fits in `len` (1..=8) big-endian bytes.
fn uint_fits(v: u64, len: usize) -> bool {
    len >= 8 || v >> (8 * len) == 0
}
