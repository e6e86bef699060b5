//! SCTP common header view (RFC 9260 section 3.1).

use crate::decode::error::{need, DecodeError, Layer};

/// A validated view of the 12-byte SCTP common header.
#[derive(Debug, Clone, Copy)]
pub struct SctpHeader<'a>(&'a [u8]);

impl<'a> SctpHeader<'a> {
    /// Header length in bytes.
    pub const LEN: usize = 12;

    /// Validates the header at the start of `buf`, which begins `offset` bytes
    /// into the frame (`offset` is only used in error reports).
    pub fn new_checked(buf: &'a [u8], offset: usize) -> Result<Self, DecodeError> {
        need(Layer::Sctp, buf, offset, Self::LEN)?;
        Ok(Self(&buf[..Self::LEN]))
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        u16::from_be_bytes([self.0[0], self.0[1]])
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        u16::from_be_bytes([self.0[2], self.0[3]])
    }

    /// Verification tag.
    pub fn verification_tag(&self) -> u32 {
        u32::from_be_bytes([self.0[4], self.0[5], self.0[6], self.0[7]])
    }
}
