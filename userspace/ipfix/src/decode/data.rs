//! Data records (RFC 7011 §3.4.3) and their field values.

use super::list::{BasicList, BASIC_LIST_ID};
use super::reader::Reader;
use super::{DecodeError, FieldSpec, TemplateDef};

/// A decoded field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// The field's bytes as sent (without a variable-length prefix).
    Bytes(Vec<u8>),
    /// A basicList (IANA element 291).
    List(BasicList),
}

impl Value {
    /// The value as a big-endian unsigned integer of 1 to 8 bytes (reduced-size
    /// encodings included); `None` for other lengths and lists.
    pub fn as_u64(&self) -> Option<u64> {
        let bytes = self.as_bytes()?;
        if bytes.is_empty() || bytes.len() > 8 {
            return None;
        }
        Some(bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
    }

    /// The raw bytes; `None` for a list.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(bytes) => Some(bytes),
            Value::List(_) => None,
        }
    }

    /// The basicList; `None` for bytes.
    pub fn as_list(&self) -> Option<&BasicList> {
        match self {
            Value::List(list) => Some(list),
            Value::Bytes(_) => None,
        }
    }

    /// The bytes as UTF-8 text (RFC 7011 §6.1.6 `string`); `None` if they
    /// are not valid UTF-8, or for a list.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()?).ok()
    }
}

/// A decoded data record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The template (the data set's id) it was decoded with.
    pub template_id: u16,
    /// The fields, in template order.
    pub values: Vec<(FieldSpec, Value)>,
}

impl Record {
    /// The first field with element `id` of enterprise `pen` (0 = IANA).
    pub fn get(&self, pen: u32, id: u16) -> Option<&Value> {
        self.values
            .iter()
            .find(|(f, _)| f.pen == pen && f.id == id)
            .map(|(_, v)| v)
    }

    /// Decodes one record of `template` from `r`.
    fn read(r: &mut Reader<'_>, template: &TemplateDef) -> Result<Record, DecodeError> {
        let mut values = Vec::with_capacity(template.fields.len());
        for field in &template.fields {
            let bytes = if field.is_variable() {
                r.varlen("variable-length field")?
            } else {
                r.take(usize::from(field.len), "field")?
            };
            let value = if field.pen == 0 && field.id == BASIC_LIST_ID {
                // The content ends where `r` is; its start is that less its length.
                let start = r.offset().saturating_sub(bytes.len());
                Value::List(BasicList::decode(bytes, start)?)
            } else {
                Value::Bytes(bytes.to_vec())
            };
            values.push((*field, value));
        }
        Ok(Record {
            template_id: template.id,
            values,
        })
    }
}

/// Decodes the records of a data set's body `raw` with `template`. Leftover
/// bytes shorter than the template's smallest record are padding and must be
/// zero; a set of padding only is an error. On error, also returns how many
/// records were decoded before it. Offsets count from `raw`'s start.
pub(super) fn read_data_set(
    raw: &[u8],
    template: &TemplateDef,
) -> Result<Vec<Record>, (usize, DecodeError)> {
    let min = template.min_record_len();
    if min == 0 {
        // Only a hand-built template can be so; it would never end.
        return Err((
            0,
            DecodeError::EmptyRecord {
                offset: 0,
                template_id: template.id,
            },
        ));
    }
    let mut r = Reader::new(raw, 0);
    let mut records = Vec::new();
    while r.remaining() >= min {
        let record = Record::read(&mut r, template).map_err(|e| (records.len(), e))?;
        records.push(record);
    }
    let padding = r.rest();
    if padding.iter().any(|&b| b != 0) {
        let e = DecodeError::Padding {
            offset: r.offset(),
            len: padding.len(),
            min_record: min,
            nonzero: true,
        };
        return Err((records.len(), e));
    }
    if records.is_empty() {
        return Err((
            0,
            DecodeError::EmptySet {
                offset: 0,
                set_id: template.id,
            },
        ));
    }
    Ok(records)
}
