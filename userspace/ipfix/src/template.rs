//! Templates and options templates (RFC 7011 §3.4.1, §3.4.2).

use crate::error::ExportError;
use crate::field::{Field, VARLEN};
use crate::registry;

/// Set id of template sets.
pub const SET_TEMPLATE: u16 = 2;
/// Set id of options template sets.
pub const SET_OPTIONS_TEMPLATE: u16 = 3;
/// Smallest template id (and data set id).
pub const MIN_TEMPLATE_ID: u16 = 256;

/// A template: an id and its fields. An options template also has a scope
/// count: its first `scope_count` fields are scope fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    id: u16,
    scope_count: u16,
    fields: Vec<Field>,
}

impl Template {
    /// An empty template (add fields with [`Template::field`]).
    pub fn new(id: u16) -> Template {
        Template {
            id,
            scope_count: 0,
            fields: Vec::new(),
        }
    }

    /// An empty options template whose first `scope_count` fields will be
    /// its scope.
    pub fn options(id: u16, scope_count: u16) -> Template {
        Template {
            id,
            scope_count,
            fields: Vec::new(),
        }
    }

    /// Adds a field (builder style).
    pub fn field(mut self, f: Field) -> Template {
        self.fields.push(f);
        self
    }

    /// Adds a field (ipfixlolib's `ipfix_put_template_field`).
    pub fn push(&mut self, f: Field) {
        self.fields.push(f);
    }

    /// The template id.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// The fields, scope fields first.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Scope field count; 0 for a plain template.
    pub fn scope_count(&self) -> u16 {
        self.scope_count
    }

    /// Whether this is an options template.
    pub fn is_options(&self) -> bool {
        self.scope_count > 0
    }

    /// Smallest data record of this template, in bytes.
    pub fn min_record_len(&self) -> usize {
        self.fields.iter().map(|f| f.min_value_len()).sum()
    }

    /// Checks the template: id ≥ 256, 1..=65535 fields, a sensible scope,
    /// IANA fields known to the registry and encoded with a length their
    /// type allows (RFC 7011 §6.2 reduced-size encoding).
    pub fn validate(&self) -> Result<(), ExportError> {
        if self.id < MIN_TEMPLATE_ID {
            return Err(ExportError::ReservedTemplateId(self.id));
        }
        let bad = |why: String| ExportError::BadTemplate {
            template: self.id,
            why,
        };
        if self.fields.is_empty() {
            return Err(bad("no fields".into()));
        }
        if self.fields.len() > usize::from(u16::MAX) {
            return Err(bad(format!("{} fields (at most 65535)", self.fields.len())));
        }
        if usize::from(self.scope_count) > self.fields.len() {
            return Err(bad(format!(
                "scope count {} exceeds the {} fields",
                self.scope_count,
                self.fields.len()
            )));
        }
        for f in &self.fields {
            validate_field(*f)?;
        }
        Ok(())
    }

    /// Appends the template record (header and field specifiers).
    pub(crate) fn encode_record(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        // validate() bounds the count to u16.
        out.extend_from_slice(&(self.fields.len() as u16).to_be_bytes());
        if self.scope_count > 0 {
            out.extend_from_slice(&self.scope_count.to_be_bytes());
        }
        for f in &self.fields {
            f.encode_spec(out);
        }
    }

    /// Bytes of the template record.
    pub(crate) fn record_len(&self) -> usize {
        4 + if self.scope_count > 0 { 2 } else { 0 }
            + self.fields.iter().map(|f| f.spec_len()).sum::<usize>()
    }

    /// The set id this template travels in.
    pub(crate) fn set_id(&self) -> u16 {
        if self.is_options() {
            SET_OPTIONS_TEMPLATE
        } else {
            SET_TEMPLATE
        }
    }
}

/// Checks one field: an IANA element must be in the registry, in range
/// (ipfixlolib's `ipfix_id_rangecheck`) and of a length its type allows.
/// Enterprise elements are the enterprise's business; only the id range is
/// checked.
pub fn validate_field(f: Field) -> Result<(), ExportError> {
    let bad = |why: String| ExportError::BadField {
        id: f.id,
        pen: f.pen,
        why,
    };
    if f.id == 0 || f.id > 0x7fff {
        return Err(bad("element ids are 1..=32767".into()));
    }
    if f.len == 0 {
        return Err(bad("length 0".into()));
    }
    if f.pen != 0 {
        return Ok(());
    }
    if !registry::id_rangecheck(f.id) {
        return Err(bad("not a valid IANA element id".into()));
    }
    let Some(ie) = registry::by_id(f.id) else {
        return Err(bad("not in the IANA registry".into()));
    };
    if f.len != VARLEN && !ie.data_type.length_ok(f.len) {
        return Err(bad(format!(
            "{} ({}) cannot be encoded in {} bytes",
            ie.name,
            ie.data_type.name(),
            f.len
        )));
    }
    if f.len == VARLEN && ie.data_type.natural_length().is_some() {
        return Err(bad(format!(
            "{} ({}) has a fixed length",
            ie.name,
            ie.data_type.name()
        )));
    }
    Ok(())
}
