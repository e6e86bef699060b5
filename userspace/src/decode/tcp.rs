//! TCP header view (variable data offset, options included).

use crate::decode::error::{need, DecodeError, Layer};

/// A validated view of a TCP header including its options.
///
/// Validation guarantees: data offset in 5..=15 and the whole header present.
#[derive(Debug, Clone, Copy)]
pub struct TcpHeader<'a>(&'a [u8]);

impl<'a> TcpHeader<'a> {
    /// Length of a header without options.
    pub const MIN_LEN: usize = 20;

    /// Validates the header at the start of `buf`, which begins `offset` bytes
    /// into the frame (`offset` is only used in error reports).
    pub fn new_checked(buf: &'a [u8], offset: usize) -> Result<Self, DecodeError> {
        need(Layer::Tcp, buf, offset, Self::MIN_LEN)?;
        let data_offset = buf[12] >> 4;
        if data_offset < 5 {
            return Err(DecodeError::BadTcpDataOffset {
                offset,
                data_offset,
            });
        }
        let header_len = usize::from(data_offset) * 4;
        need(Layer::Tcp, buf, offset, header_len)?;
        Ok(Self(&buf[..header_len]))
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        u16::from_be_bytes([self.0[0], self.0[1]])
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        u16::from_be_bytes([self.0[2], self.0[3]])
    }

    /// Header length in bytes including options (data offset * 4).
    pub fn header_len(&self) -> usize {
        self.0.len()
    }

    /// Flags byte: CWR, ECE, URG, ACK, PSH, RST, SYN, FIN (MSB to LSB).
    pub fn flags(&self) -> u8 {
        self.0[13]
    }
}
