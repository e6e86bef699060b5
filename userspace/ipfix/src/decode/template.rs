//! Field specifiers, (options) template records and withdrawal records
//! (RFC 7011 §3.2, §3.4.1, §3.4.2, §8.1).

use super::reader::Reader;
use super::DecodeError;

/// The enterprise bit of a field specifier's element id.
const ENTERPRISE_BIT: u16 = 0x8000;

/// The smallest record of a (options) template set: a withdrawal record
/// (template id, field count 0). Padding must be shorter (RFC 7011 §3.3.1).
pub(super) const MIN_TEMPLATE_RECORD: usize = 4;

/// One field of a template (RFC 7011 §3.2), or the element of a basicList.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldSpec {
    /// Information element id, without the enterprise bit.
    pub id: u16,
    /// Private enterprise number; 0 for an IANA element.
    pub pen: u32,
    /// Field length; [`FieldSpec::VARIABLE`] for a variable-length field.
    pub len: u16,
}

impl FieldSpec {
    /// The field length that marks a variable-length field (RFC 7011 §7).
    pub const VARIABLE: u16 = 65535;

    /// Whether the field is variable-length.
    pub fn is_variable(&self) -> bool {
        self.len == Self::VARIABLE
    }

    /// The fewest bytes the field takes in a record: its length, or the
    /// 1-byte length prefix of a variable-length field.
    pub fn min_len(&self) -> usize {
        if self.is_variable() {
            1
        } else {
            usize::from(self.len)
        }
    }

    /// Reads a field specifier: element id with the enterprise bit, length,
    /// then the enterprise number when the bit is set.
    /// `what` names it in a truncation error.
    pub(super) fn read(r: &mut Reader<'_>, what: &'static str) -> Result<FieldSpec, DecodeError> {
        let raw = r.u16(what)?;
        let len = r.u16(what)?;
        let id = raw & !ENTERPRISE_BIT;
        let pen = if raw & ENTERPRISE_BIT != 0 {
            let offset = r.offset();
            match r.u32(what)? {
                0 => return Err(DecodeError::EnterpriseZero { offset, id }),
                pen => pen,
            }
        } else {
            0
        };
        Ok(FieldSpec { id, pen, len })
    }
}

/// A template or an options template (RFC 7011 §3.4.1, §3.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateDef {
    /// Template id (≥ 256); data sets with this set id use it.
    pub id: u16,
    /// Number of scope fields, the first ones of `fields`: 0 for a template,
    /// ≥ 1 for an options template.
    pub scope_count: u16,
    /// The fields, in record order.
    pub fields: Vec<FieldSpec>,
}

impl TemplateDef {
    /// Whether this is an options template.
    pub fn is_options(&self) -> bool {
        self.scope_count != 0
    }

    /// The scope fields (empty for a template).
    pub fn scope_fields(&self) -> &[FieldSpec] {
        self.fields
            .get(..usize::from(self.scope_count))
            .unwrap_or_default()
    }

    /// The fewest bytes a data record of this template takes; shorter
    /// leftovers at the end of a data set are padding.
    pub fn min_record_len(&self) -> usize {
        self.fields
            .iter()
            .fold(0usize, |sum, f| sum.saturating_add(f.min_len()))
    }

    /// Checks what a parsed template always satisfies, for templates in
    /// hand-built messages: id ≥ 256, a scope count that fits the kind of
    /// set (`options`) and the field count, and non-empty records.
    pub(super) fn check(&self, options: bool, offset: usize) -> Result<(), DecodeError> {
        let set_id = if options { 3 } else { 2 };
        if self.id < 256 {
            return Err(DecodeError::TemplateId {
                offset,
                set_id,
                template_id: self.id,
            });
        }
        let field_count = u16::try_from(self.fields.len()).unwrap_or(u16::MAX);
        let scope_ok = if options {
            self.scope_count >= 1 && usize::from(self.scope_count) <= self.fields.len()
        } else {
            self.scope_count == 0
        };
        if !scope_ok || self.fields.is_empty() || self.fields.len() > usize::from(u16::MAX) {
            return Err(DecodeError::ScopeCount {
                offset,
                template_id: self.id,
                scope_count: self.scope_count,
                field_count,
            });
        }
        if self.min_record_len() == 0 {
            return Err(DecodeError::EmptyRecord {
                offset,
                template_id: self.id,
            });
        }
        Ok(())
    }
}

/// One record of a template or options template set, in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TemplateItem {
    /// A (options) template record.
    Define(TemplateDef),
    /// A withdrawal record (field count 0): a template id, or the set id
    /// to withdraw all of the set's kind.
    Withdraw(u16),
}

/// Reads the records of a template set (`set_id` 2) or options template set
/// (3) from `r`, which holds the set's body. Padding (fewer than 4 bytes,
/// all zero) may end it; an empty set is an error.
pub(super) fn read_template_set(
    mut r: Reader<'_>,
    set_id: u16,
    set_offset: usize,
) -> Result<Vec<TemplateItem>, DecodeError> {
    let options = set_id == 3;
    let mut items = Vec::new();
    while r.remaining() > 0 {
        let rest = r.rest();
        let zero = rest.iter().all(|&b| b == 0);
        if rest.len() < MIN_TEMPLATE_RECORD || zero {
            // Padding: anything shorter than a withdrawal record; all-zero
            // bytes can be nothing else (template id 0 is never valid).
            if !zero || rest.len() >= MIN_TEMPLATE_RECORD {
                return Err(DecodeError::Padding {
                    offset: r.offset(),
                    len: rest.len(),
                    min_record: MIN_TEMPLATE_RECORD,
                    nonzero: !zero,
                });
            }
            break;
        }
        let offset = r.offset();
        let template_id = r.u16("template record header")?;
        let field_count = r.u16("template record header")?;
        if field_count == 0 {
            if template_id < 256 && template_id != set_id {
                return Err(DecodeError::TemplateId {
                    offset,
                    set_id,
                    template_id,
                });
            }
            items.push(TemplateItem::Withdraw(template_id));
            continue;
        }
        if template_id < 256 {
            return Err(DecodeError::TemplateId {
                offset,
                set_id,
                template_id,
            });
        }
        let scope_count = if options {
            let scope_count = r.u16("options template scope field count")?;
            if scope_count == 0 || scope_count > field_count {
                return Err(DecodeError::ScopeCount {
                    offset,
                    template_id,
                    scope_count,
                    field_count,
                });
            }
            scope_count
        } else {
            0
        };
        // Each specifier takes at least 4 bytes: bound the allocation by
        // what the set can hold, whatever the count claims.
        let mut fields = Vec::with_capacity(usize::from(field_count).min(r.remaining() / 4));
        for _ in 0..field_count {
            fields.push(FieldSpec::read(&mut r, "field specifier")?);
        }
        let def = TemplateDef {
            id: template_id,
            scope_count,
            fields,
        };
        if def.min_record_len() == 0 {
            return Err(DecodeError::EmptyRecord {
                offset,
                template_id,
            });
        }
        items.push(TemplateItem::Define(def));
    }
    if items.is_empty() {
        return Err(DecodeError::EmptySet {
            offset: set_offset,
            set_id,
        });
    }
    Ok(items)
}
