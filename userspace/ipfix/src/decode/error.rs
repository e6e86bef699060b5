//! [`DecodeError`]: everything the decoder refuses, with where and why.

use std::fmt;

use super::TemplateDef;

/// What the decoder found wrong, and where.
///
/// Offsets are byte offsets:
/// - from [`parse_message`](super::parse_message): from the start of the
///   buffer given (the message's first byte);
/// - from [`parse_stream`](super::parse_stream): from the start of the stream;
/// - inside [`DecodeError::InDataSet`]: from the first byte after that data
///   set's 4-byte header (the start of [`Set::Data`](super::Set::Data)'s `raw`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A structure runs past the end of the bytes that may hold it (buffer,
    /// message, set, field or list).
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// How many bytes it needs.
        needed: usize,
        /// How many bytes there were.
        available: usize,
    },
    /// The message header's version is not 10.
    Version {
        /// Offset of the message.
        offset: usize,
        /// The version found.
        version: u16,
    },
    /// The message header's length is less than the header's 16 bytes.
    MessageLength {
        /// Offset of the message.
        offset: usize,
        /// The length found.
        length: u16,
    },
    /// A message without any set (RFC 7011 §3: a header, then one or more sets).
    NoSets {
        /// Offset of the message.
        offset: usize,
    },
    /// A set id that is neither 2, 3 nor ≥ 256 (0 and 1 are unused, 4..=255
    /// reserved: RFC 7011 §3.3.2).
    SetId {
        /// Offset of the set.
        offset: usize,
        /// The set id found.
        set_id: u16,
    },
    /// A set length below the set header's 4 bytes, or past the message's end.
    SetLength {
        /// Offset of the set.
        offset: usize,
        /// The set's id.
        set_id: u16,
        /// The length found.
        length: u16,
        /// Bytes left in the message from the set's start.
        available: usize,
    },
    /// A set without any record (RFC 7011 §3.3: a set header, then one or
    /// more records), perhaps padding only.
    EmptySet {
        /// Offset of the set (0 inside [`DecodeError::InDataSet`]).
        offset: usize,
        /// The set's id.
        set_id: u16,
    },
    /// Padding at the end of a set that is not all zero, or not shorter than
    /// the smallest record the set may hold (RFC 7011 §3.3.1).
    Padding {
        /// Offset of the padding.
        offset: usize,
        /// Its length.
        len: usize,
        /// The smallest record the set may hold.
        min_record: usize,
        /// Whether a byte was not zero (else it was too long).
        nonzero: bool,
    },
    /// A template id not allowed where it is: a (options) template record
    /// with an id below 256, or a withdrawal of an id below 256 other than the
    /// set's own id (2: all templates, 3: all options templates).
    TemplateId {
        /// Offset of the record (0 for a hand-built [`Message`](super::Message)).
        offset: usize,
        /// The set's id (2 or 3).
        set_id: u16,
        /// The template id found.
        template_id: u16,
    },
    /// An options template whose scope field count is 0 or above its field
    /// count (RFC 7011 §3.4.2.2); or, in a hand-built message, a template
    /// with a scope count in a (non-options) template set.
    ScopeCount {
        /// Offset of the record (0 for a hand-built message).
        offset: usize,
        /// The template's id.
        template_id: u16,
        /// The scope field count found.
        scope_count: u16,
        /// The field count.
        field_count: u16,
    },
    /// A field specifier with the enterprise bit set and enterprise number 0
    /// (reserved; it would read as an IANA element).
    EnterpriseZero {
        /// Offset of the enterprise number.
        offset: usize,
        /// The element id (enterprise bit removed).
        id: u16,
    },
    /// A template whose data records would be 0 bytes long (every field
    /// fixed-length 0): data sets using it could not be delimited.
    EmptyRecord {
        /// Offset of the template record (0 for a hand-built message).
        offset: usize,
        /// The template's id.
        template_id: u16,
    },
    /// A basicList semantic not assigned by IANA (0..=4 and 255 are).
    ListSemantic {
        /// Offset of the semantic byte.
        offset: usize,
        /// The value found.
        semantic: u8,
    },
    /// A basicList whose element length is 0: its items could not be counted.
    ListElementLength {
        /// Offset of the element length.
        offset: usize,
    },
    /// A basicList of fixed-length items whose content is not a whole number
    /// of items (RFC 6313 §4.5.1).
    ListTiling {
        /// Offset of the list's content (after its header).
        offset: usize,
        /// Length of the content.
        content_len: usize,
        /// The element length.
        element_len: u16,
    },
    /// The header's sequence number is not the number of data records this
    /// domain sent before the message (RFC 7011 §3.1), modulo 2^32.
    SequenceMismatch {
        /// The observation domain.
        domain: u32,
        /// The count of data records seen before this message.
        expected: u32,
        /// The header's sequence number.
        got: u32,
    },
    /// A data set whose template is not known (never defined, or withdrawn).
    UnknownTemplate {
        /// The observation domain.
        domain: u32,
        /// Index of the set in [`Message::sets`](super::Message::sets).
        set: usize,
        /// The data set's id.
        template_id: u16,
    },
    /// A template id defined again, differently, without a withdrawal first
    /// (RFC 7011 §8.1).
    TemplateRedefined {
        /// The observation domain.
        domain: u32,
        /// The definition in force.
        old: TemplateDef,
        /// The new, different one.
        new: TemplateDef,
    },
    /// A withdrawal of a template id that is not defined (RFC 7011 §8.1).
    UnknownWithdrawal {
        /// The observation domain.
        domain: u32,
        /// The withdrawing set's id (2 or 3).
        set_id: u16,
        /// The template id.
        template_id: u16,
    },
    /// A withdrawal in a template set (2) of an options template, or in an
    /// options template set (3) of a template (RFC 7011 §8.1: set id 2
    /// withdraws templates, 3 options templates).
    WithdrawalKind {
        /// The observation domain.
        domain: u32,
        /// The withdrawing set's id (2 or 3).
        set_id: u16,
        /// The template id.
        template_id: u16,
    },
    /// A withdrawal received by a session marked UDP (RFC 7011 §8.4:
    /// withdrawals are not sent over UDP).
    WithdrawalOverUdp {
        /// The observation domain.
        domain: u32,
        /// The template id withdrawn.
        template_id: u16,
    },
    /// An error in a data set's records; `source`'s offsets count from the
    /// first byte after the set header.
    InDataSet {
        /// The observation domain.
        domain: u32,
        /// Index of the set in [`Message::sets`](super::Message::sets).
        set: usize,
        /// The data set's id.
        template_id: u16,
        /// How many records of the set were decoded before the error.
        record: usize,
        /// What was wrong.
        source: Box<DecodeError>,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeError::*;
        match self {
            Truncated {
                what,
                offset,
                needed,
                available,
            } => write!(
                f,
                "truncated {what} at offset {offset}: needs {needed} bytes, {available} left"
            ),
            Version { offset, version } => {
                write!(f, "message at offset {offset}: version {version}, not 10")
            }
            MessageLength { offset, length } => {
                write!(
                    f,
                    "message at offset {offset}: length {length} is below the 16-byte header"
                )
            }
            NoSets { offset } => write!(f, "message at offset {offset} has no set"),
            SetId { offset, set_id } => write!(
                f,
                "set at offset {offset}: set id {set_id} is not 2, 3 or ≥ 256"
            ),
            SetLength {
                offset,
                set_id,
                length,
                available,
            } => write!(
                f,
                "set {set_id} at offset {offset}: length {length} is below 4 or past the \
                 message's end ({available} bytes left)"
            ),
            EmptySet { offset, set_id } => {
                write!(f, "set {set_id} at offset {offset} holds no record")
            }
            Padding {
                offset,
                len,
                min_record,
                nonzero: true,
            } => write!(
                f,
                "padding of {len} bytes at offset {offset} is not all zero \
                 (smallest record: {min_record} bytes)"
            ),
            Padding {
                offset,
                len,
                min_record,
                nonzero: false,
            } => write!(
                f,
                "padding of {len} bytes at offset {offset} is not shorter than the smallest \
                 record ({min_record} bytes)"
            ),
            TemplateId {
                offset,
                set_id,
                template_id,
            } => write!(
                f,
                "record at offset {offset} of set {set_id}: template id {template_id} not allowed"
            ),
            ScopeCount {
                offset,
                template_id,
                scope_count,
                field_count,
            } => write!(
                f,
                "template {template_id} at offset {offset}: scope field count {scope_count} \
                 with {field_count} fields"
            ),
            EnterpriseZero { offset, id } => write!(
                f,
                "field {id}: enterprise bit set with enterprise number 0 at offset {offset}"
            ),
            EmptyRecord {
                offset,
                template_id,
            } => write!(
                f,
                "template {template_id} at offset {offset}: its records would be 0 bytes long"
            ),
            ListSemantic { offset, semantic } => {
                write!(
                    f,
                    "basicList at offset {offset}: unassigned semantic {semantic}"
                )
            }
            ListElementLength { offset } => {
                write!(f, "basicList element length 0 at offset {offset}")
            }
            ListTiling {
                offset,
                content_len,
                element_len,
            } => write!(
                f,
                "basicList content at offset {offset}: {content_len} bytes are not a whole \
                 number of {element_len}-byte items"
            ),
            SequenceMismatch {
                domain,
                expected,
                got,
            } => write!(
                f,
                "domain {domain}: sequence number {got}, expected {expected}"
            ),
            UnknownTemplate {
                domain,
                set,
                template_id,
            } => write!(
                f,
                "domain {domain}, set #{set}: data set for unknown template {template_id}"
            ),
            TemplateRedefined { domain, old, new } => write!(
                f,
                "domain {domain}: template {} redefined without withdrawal: {old:?} then {new:?}",
                new.id
            ),
            UnknownWithdrawal {
                domain,
                set_id,
                template_id,
            } => write!(
                f,
                "domain {domain}: set {set_id} withdraws unknown template {template_id}"
            ),
            WithdrawalKind {
                domain,
                set_id,
                template_id,
            } => write!(
                f,
                "domain {domain}: set {set_id} withdraws template {template_id} of the other kind"
            ),
            WithdrawalOverUdp {
                domain,
                template_id,
            } => write!(
                f,
                "domain {domain}: withdrawal of template {template_id} over UDP"
            ),
            InDataSet {
                domain,
                set,
                template_id,
                record,
                source,
            } => write!(
                f,
                "domain {domain}, set #{set} (template {template_id}), record #{record}: {source}"
            ),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::InDataSet { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}
