//! Field specifiers: an information element (IANA or enterprise) and the
//! length it is encoded with in a template (RFC 7011 §3.2).

/// Length of a variable-length field in a template (RFC 7011 §7).
pub const VARLEN: u16 = 65535;
/// The enterprise bit of a field id on the wire.
pub const ENTERPRISE_BIT: u16 = 0x8000;
/// Private enterprise numbers (IANA) of the elements the engine exports.
pub mod pen {
    /// Cisco: the Encrypted Traffic Analytics elements (SPLT, byte distribution, TLS).
    pub const CISCO: u32 = 9;
    /// CESNET: ipfixprobe's elements (TLS SNI, JA4).
    pub const CESNET: u32 = 8057;
    /// Flowmon (Progress): JA3.
    pub const FLOWMON: u32 = 39499;
    /// ntop: nDPI's protocol numbers (RFC 6759 selector ids).
    pub const NTOP: u32 = 35632;
    /// RFC 5612's example enterprise: elements no enterprise has
    /// registered (the flow's Community ID), until Sluice has a number of
    /// its own.
    pub const EXAMPLE: u32 = 32473;
    /// RFC 5103 reverse elements.
    pub const REVERSE: u32 = super::PEN_REVERSE;
}

/// RFC 5103: the private enterprise number of the reverse counterparts of
/// IANA elements.
pub const PEN_REVERSE: u32 = 29305;
/// RFC 5103 §6.1: the bit set in an enterprise element's id to name its
/// reverse counterpart (same enterprise number).
pub const REVERSE_BIT: u16 = 0x4000;

/// One field of a template: element id (15 bits), enterprise number (0 for
/// IANA elements) and encoded length ([`VARLEN`] for variable length).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// Element id, without the enterprise bit.
    pub id: u16,
    /// Private enterprise number; 0 for IANA elements.
    pub pen: u32,
    /// Encoded length in bytes, or [`VARLEN`].
    pub len: u16,
}

impl Field {
    /// An IANA element encoded with `len` bytes.
    pub const fn iana(id: u16, len: u16) -> Field {
        Field { id, pen: 0, len }
    }

    /// An enterprise element. `id` may be given with the enterprise bit set
    /// (as vendors often publish them, e.g. Cisco's 44952): the bit is dropped.
    pub const fn enterprise(pen: u32, id: u16, len: u16) -> Field {
        Field {
            id: id & !ENTERPRISE_BIT,
            pen,
            len,
        }
    }

    /// The reverse-direction counterpart (RFC 5103): an IANA element moves
    /// under PEN 29305; an enterprise element keeps its PEN and gains
    /// [`REVERSE_BIT`].
    pub const fn reverse(self) -> Field {
        if self.pen == 0 {
            Field {
                pen: PEN_REVERSE,
                ..self
            }
        } else {
            Field {
                id: self.id | REVERSE_BIT,
                ..self
            }
        }
    }

    /// Whether values are variable length.
    pub const fn is_variable(self) -> bool {
        self.len == VARLEN
    }

    /// Whether the element is an enterprise one.
    pub const fn is_enterprise(self) -> bool {
        self.pen != 0
    }

    /// Bytes of this specifier in a template: 4, or 8 with an enterprise number.
    pub const fn spec_len(self) -> usize {
        if self.pen != 0 {
            8
        } else {
            4
        }
    }

    /// Smallest encoding of a value: the fixed length, or 1 (an empty
    /// variable-length value).
    pub const fn min_value_len(self) -> usize {
        if self.is_variable() {
            1
        } else {
            self.len as usize
        }
    }

    /// Appends the field specifier (RFC 7011 §3.2).
    pub(crate) fn encode_spec(self, out: &mut Vec<u8>) {
        if self.pen != 0 {
            out.extend_from_slice(&(self.id | ENTERPRISE_BIT).to_be_bytes());
            out.extend_from_slice(&self.len.to_be_bytes());
            out.extend_from_slice(&self.pen.to_be_bytes());
        } else {
            out.extend_from_slice(&self.id.to_be_bytes());
            out.extend_from_slice(&self.len.to_be_bytes());
        }
    }
}
