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
}
