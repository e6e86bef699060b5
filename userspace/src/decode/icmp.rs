//! ICMP / ICMPv6 header view.

use crate::decode::error::{need, DecodeError, Layer};

/// A validated view of an ICMP or ICMPv6 header: type, code, checksum and
/// the 4-byte rest-of-header every message carries (8 bytes in all).
#[derive(Debug, Clone, Copy)]
pub struct IcmpHeader<'a>(&'a [u8]);

impl<'a> IcmpHeader<'a> {
    /// Header length in bytes.
    pub const LEN: usize = 8;

    /// Validates the header at the start of `buf`, which begins `offset` bytes
    /// into the frame (`offset` is only used in error reports).
    pub fn new_checked(buf: &'a [u8], offset: usize) -> Result<Self, DecodeError> {
        need(Layer::Icmp, buf, offset, Self::LEN)?;
        Ok(Self(&buf[..Self::LEN]))
    }

    /// Message type.
    pub fn icmp_type(&self) -> u8 {
        self.0[0]
    }

    /// Message code.
    pub fn code(&self) -> u8 {
        self.0[1]
    }

    /// Identifier field (bytes 4..6): meaningful for query messages, see
    /// [`has_identifier`].
    pub fn identifier(&self) -> u16 {
        u16::from_be_bytes([self.0[4], self.0[5]])
    }
}

/// True for ICMP (`v6 == false`) or ICMPv6 message types whose bytes 4..6 are
/// an identifier: echo request/reply, and for ICMP also timestamp,
/// information, address mask, domain name and extended echo messages; for
/// ICMPv6 also extended echo.
pub fn has_identifier(v6: bool, kind: u8) -> bool {
    if v6 {
        matches!(kind, 128 | 129 | 160 | 161)
    } else {
        matches!(kind, 0 | 8 | 13..=18 | 37 | 38 | 42 | 43)
    }
}
