//! Information element type records (RFC 5610): tell collectors the name,
//! type and semantics of enterprise elements, so they can decode them (e.g.
//! `ipfixDump --rfc5610`). Sent at the start of every session (new UDP
//! refresh, TCP connection, file), before the other templates, so that a
//! collector knows the elements' types when it reads the templates.
//!
//! The options template has the layout libfixbuf reads: scope
//! privateEnterpriseNumber (346) and informationElementId (303), then
//! informationElementDataType (339), informationElementSemantics (344),
//! informationElementUnits (345), informationElementRangeBegin (342),
//! informationElementRangeEnd (343), informationElementName (341) and
//! informationElementDescription (340).

use crate::error::ExportError;
use crate::field::{Field, VARLEN};
use crate::list::put_varlen_prefix;
use crate::message::{HEADER_LEN, SET_HEADER_LEN};
use crate::registry::{ie, DataType};
use crate::template::Template;

/// Information element semantics (RFC 5610 §3.2, IANA registry).
pub mod semantics {
    /// No semantics given.
    pub const DEFAULT: u8 = 0;
    /// A quantity.
    pub const QUANTITY: u8 = 1;
    /// A counter since some start.
    pub const TOTAL_COUNTER: u8 = 2;
    /// A counter since the previous report.
    pub const DELTA_COUNTER: u8 = 3;
    /// An identifier.
    pub const IDENTIFIER: u8 = 4;
    /// Flags.
    pub const FLAGS: u8 = 5;
    /// A list.
    pub const LIST: u8 = 6;
}

/// Information element units (RFC 5610 §3.2, IANA registry).
pub mod units {
    /// No units.
    pub const NONE: u16 = 0;
    /// Bits.
    pub const BITS: u16 = 1;
    /// Octets.
    pub const OCTETS: u16 = 2;
    /// Packets.
    pub const PACKETS: u16 = 3;
    /// Milliseconds.
    pub const MILLISECONDS: u16 = 6;
}

/// What a collector should know of one enterprise element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementInfo {
    /// Private enterprise number (not 0).
    pub pen: u32,
    /// Element id, without the enterprise bit.
    pub id: u16,
    /// Abstract data type.
    pub data_type: DataType,
    /// Semantics code (see [`semantics`]).
    pub semantics: u8,
    /// Units code (see [`units`]).
    pub units: u16,
    /// Name (camelCase, as IANA names).
    pub name: String,
    /// One-line description.
    pub description: String,
}

/// The element type records of an exporter: the options template and the
/// records, packed into message-sized data sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preamble {
    /// The options template.
    pub template: std::sync::Arc<Template>,
    /// Data sets (each with its header) and the records each holds.
    pub sets: Vec<(Vec<u8>, u32)>,
}

/// The RFC 5610 options template with id `id`.
pub fn element_type_template(id: u16) -> Template {
    Template::options(id, 2)
        .field(Field::iana(ie::PRIVATE_ENTERPRISE_NUMBER, 4))
        .field(Field::iana(ie::INFORMATION_ELEMENT_ID, 2))
        .field(Field::iana(ie::INFORMATION_ELEMENT_DATA_TYPE, 1))
        .field(Field::iana(ie::INFORMATION_ELEMENT_SEMANTICS, 1))
        .field(Field::iana(ie::INFORMATION_ELEMENT_UNITS, 2))
        .field(Field::iana(ie::INFORMATION_ELEMENT_RANGE_BEGIN, 8))
        .field(Field::iana(ie::INFORMATION_ELEMENT_RANGE_END, 8))
        .field(Field::iana(ie::INFORMATION_ELEMENT_NAME, VARLEN))
        .field(Field::iana(ie::INFORMATION_ELEMENT_DESCRIPTION, VARLEN))
}

/// Encodes the records of `elements` for template `id`, in sets that fit
/// messages of `mtu` bytes.
pub(crate) fn build(
    id: u16,
    elements: &[ElementInfo],
    mtu: usize,
) -> Result<Preamble, ExportError> {
    let template = element_type_template(id);
    template.validate()?;
    let room = mtu.saturating_sub(HEADER_LEN + SET_HEADER_LEN);
    let mut sets: Vec<(Vec<u8>, u32)> = Vec::new();
    let mut body: Vec<u8> = Vec::new();
    let mut n = 0u32;
    let mut rec = Vec::new();
    for e in elements {
        if e.pen == 0 || e.id == 0 || e.id > 0x7fff {
            return Err(ExportError::BadField {
                id: e.id,
                pen: e.pen,
                why: "element type records describe enterprise elements (id 1..=32767)".into(),
            });
        }
        rec.clear();
        rec.extend_from_slice(&e.pen.to_be_bytes());
        rec.extend_from_slice(&e.id.to_be_bytes());
        rec.push(e.data_type.iana_code());
        rec.push(e.semantics);
        rec.extend_from_slice(&e.units.to_be_bytes());
        rec.extend_from_slice(&0u64.to_be_bytes());
        rec.extend_from_slice(&0u64.to_be_bytes());
        for s in [&e.name, &e.description] {
            let b = &s.as_bytes()[..s.len().min(1000)];
            put_varlen_prefix(&mut rec, b.len());
            rec.extend_from_slice(b);
        }
        if rec.len() > room {
            return Err(ExportError::RecordTooLarge {
                template: id,
                needed: rec.len() + HEADER_LEN + SET_HEADER_LEN,
                mtu,
            });
        }
        if body.len() + rec.len() > room {
            sets.push((close(id, &body), n));
            body.clear();
            n = 0;
        }
        body.extend_from_slice(&rec);
        n += 1;
    }
    if n > 0 {
        sets.push((close(id, &body), n));
    }
    Ok(Preamble {
        template: std::sync::Arc::new(template),
        sets,
    })
}

/// A data set of template `id` holding `records`.
fn close(id: u16, records: &[u8]) -> Vec<u8> {
    let mut set = Vec::with_capacity(records.len() + SET_HEADER_LEN);
    set.extend_from_slice(&id.to_be_bytes());
    // Bounded by the mtu.
    set.extend_from_slice(&((records.len() + SET_HEADER_LEN) as u16).to_be_bytes());
    set.extend_from_slice(records);
    set
}
