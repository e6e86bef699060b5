//! UDP header view.

use crate::decode::error::{need, DecodeError, Layer};

/// A validated view of the 8-byte UDP header.
#[derive(Debug, Clone, Copy)]
pub struct UdpHeader<'a>(&'a [u8]);

impl<'a> UdpHeader<'a> {
    /// Header length in bytes.
    pub const LEN: usize = 8;

    /// Validates the header at the start of `buf`, which begins `offset` bytes
    /// into the frame (`offset` is only used in error reports).
    pub fn new_checked(buf: &'a [u8], offset: usize) -> Result<Self, DecodeError> {
        need(Layer::Udp, buf, offset, Self::LEN)?;
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

    /// Length field (header + data). Not used for byte counts, which follow
    /// the IP length.
    pub fn length(&self) -> u16 {
        u16::from_be_bytes([self.0[4], self.0[5]])
    }
}
