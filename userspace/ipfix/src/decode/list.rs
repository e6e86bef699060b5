//! basicList content (RFC 6313 §4.5.1).

use super::reader::Reader;
use super::{DecodeError, FieldSpec};

/// The IANA element id of basicList.
pub const BASIC_LIST_ID: u16 = 291;

/// basicList semantics (RFC 6313 §4.4, IANA "IPFIX Structured Data Types
/// Semantics"): none of the items.
pub const SEMANTIC_NONE_OF: u8 = 0;
/// Exactly one of the items.
pub const SEMANTIC_EXACTLY_ONE_OF: u8 = 1;
/// One or more of the items.
pub const SEMANTIC_ONE_OR_MORE_OF: u8 = 2;
/// All of the items.
pub const SEMANTIC_ALL_OF: u8 = 3;
/// All of the items, in this order.
pub const SEMANTIC_ORDERED: u8 = 4;
/// Semantic not specified.
pub const SEMANTIC_UNDEFINED: u8 = 255;

/// A decoded basicList: one element, repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicList {
    /// The list's semantic (`SEMANTIC_*`).
    pub semantic: u8,
    /// The element: id (enterprise bit removed), length of each item
    /// ([`FieldSpec::VARIABLE`] if variable) and enterprise number.
    pub field: FieldSpec,
    /// The items' bytes, in order, without their variable-length prefixes.
    pub items: Vec<Vec<u8>>,
}

impl BasicList {
    /// Decodes a basicList field's bytes: semantic, element id (with the
    /// enterprise bit), element length, enterprise number if the bit is set,
    /// then the items, which must fill the field exactly. `base` is the
    /// field's offset, for errors.
    pub(super) fn decode(bytes: &[u8], base: usize) -> Result<BasicList, DecodeError> {
        let mut r = Reader::new(bytes, base);
        let offset = r.offset();
        let semantic = r.u8("basicList header")?;
        if !matches!(semantic, 0..=4 | 255) {
            return Err(DecodeError::ListSemantic { offset, semantic });
        }
        let len_offset = r.offset().saturating_add(2);
        let field = FieldSpec::read(&mut r, "basicList header")?;
        if field.len == 0 {
            return Err(DecodeError::ListElementLength { offset: len_offset });
        }
        let mut items = Vec::new();
        if field.is_variable() {
            while r.remaining() > 0 {
                items.push(r.varlen("basicList item")?.to_vec());
            }
        } else {
            let content = r.rest();
            let len = usize::from(field.len);
            if !content.len().is_multiple_of(len) {
                return Err(DecodeError::ListTiling {
                    offset: r.offset(),
                    content_len: content.len(),
                    element_len: field.len,
                });
            }
            items.extend(content.chunks_exact(len).map(<[u8]>::to_vec));
        }
        Ok(BasicList {
            semantic,
            field,
            items,
        })
    }
}
