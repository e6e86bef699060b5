//! basicList encoding (RFC 6313 §4.5.3): semantic, the element's field
//! specifier (with its enterprise number), then the items.

use crate::field::Field;

/// List semantics (RFC 6313 §4.5.1).
pub mod semantic {
    /// None of the items.
    pub const NONE_OF: u8 = 0x00;
    /// Exactly one of the items.
    pub const EXACTLY_ONE_OF: u8 = 0x01;
    /// One or more of the items.
    pub const ONE_OR_MORE_OF: u8 = 0x02;
    /// All of the items.
    pub const ALL_OF: u8 = 0x03;
    /// All of the items, in this order (used for sequences).
    pub const ORDERED: u8 = 0x04;
    /// Not specified.
    pub const UNDEFINED: u8 = 0xFF;
}

/// Bytes of the list header: semantic, field id, element length, and the
/// enterprise number if any.
pub(crate) fn header_len(element: Field) -> usize {
    1 + element.spec_len()
}

/// Appends the list header: the semantic, then the element's field
/// specifier exactly as in a template.
pub(crate) fn put_header(buf: &mut Vec<u8>, semantic: u8, element: Field) {
    buf.push(semantic);
    element.encode_spec(buf);
}

/// Bytes of a variable-length value's length prefix (RFC 7011 §7).
pub(crate) fn varlen_prefix_len(len: usize) -> usize {
    if len < 255 {
        1
    } else {
        3
    }
}

/// Appends a variable-length value's length prefix; `len` ≤ 65535.
pub(crate) fn put_varlen_prefix(buf: &mut Vec<u8>, len: usize) {
    if len < 255 {
        buf.push(len as u8);
    } else {
        buf.push(255);
        buf.extend_from_slice(&(len.min(65535) as u16).to_be_bytes());
    }
}
