//! Typed errors of the DNS wire parser.

use std::fmt;

/// Why a DNS message (or part of it) could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsError {
    /// Fewer than the 12 header bytes.
    ShortHeader,
    /// A name, question or record runs past the end of the message.
    Truncated,
    /// A label length byte uses the reserved 0x40/0x80 prefixes.
    BadLabelType(u8),
    /// A compression pointer points at or past the end of the message.
    BadPointer(u16),
    /// Too many compression pointers followed (a loop or an abuse).
    PointerLoop,
    /// RDATA of the wrong size for its type (A must be 4 bytes, AAAA 16).
    BadRdLength {
        /// The record type.
        rtype: u16,
        /// The RDLENGTH found.
        len: u16,
    },
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsError::ShortHeader => write!(f, "DNS message shorter than its 12-byte header"),
            DnsError::Truncated => write!(f, "DNS message truncated"),
            DnsError::BadLabelType(b) => write!(f, "reserved DNS label type 0x{b:02x}"),
            DnsError::BadPointer(p) => write!(f, "DNS compression pointer {p} out of range"),
            DnsError::PointerLoop => write!(f, "DNS compression pointer loop"),
            DnsError::BadRdLength { rtype, len } => {
                write!(f, "DNS type {rtype} record with RDLENGTH {len}")
            }
        }
    }
}

impl std::error::Error for DnsError {}
