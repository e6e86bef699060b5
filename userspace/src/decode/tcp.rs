//! TCP header view (variable data offset, options included).

use crate::decode::error::{need, DecodeError, Layer};

/// Byte ranges of the fixed header (RFC 9293 §3.1).
mod field {
    use std::ops::Range;

    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const SEQ: Range<usize> = 4..8;
    pub const ACK: Range<usize> = 8..12;
    pub const DATA_OFFSET: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WINDOW: Range<usize> = 14..16;
    pub const OPTIONS: usize = 20;
}

/// A view of a TCP header including its options.
///
/// [`TcpHeader::new_checked`] guarantees a data offset in 5..=15 and the whole
/// header present; [`TcpHeader::new_lax`] (for features reading what was
/// captured) only the fixed 20 bytes, the options possibly cut short.
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

    /// The header at the start of `buf` as captured: the fixed 20 bytes must be
    /// there and the data offset at least 5 words; options cut short by the
    /// capture are kept as far as they go. `None` otherwise.
    pub fn new_lax(buf: &'a [u8]) -> Option<Self> {
        let fixed = buf.get(..Self::MIN_LEN)?;
        let header_len = usize::from(fixed[field::DATA_OFFSET] >> 4) * 4;
        if header_len < Self::MIN_LEN {
            return None;
        }
        Some(Self(&buf[..header_len.min(buf.len())]))
    }

    fn be16(&self, r: std::ops::Range<usize>) -> u16 {
        u16::from_be_bytes([self.0[r.start], self.0[r.start + 1]])
    }

    fn be32(&self, r: std::ops::Range<usize>) -> u32 {
        let b = &self.0[r];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        self.be16(field::SRC_PORT)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        self.be16(field::DST_PORT)
    }

    /// Sequence number.
    pub fn seq(&self) -> u32 {
        self.be32(field::SEQ)
    }

    /// Acknowledgment number.
    pub fn ack(&self) -> u32 {
        self.be32(field::ACK)
    }

    /// Header length in bytes including the options captured (data offset
    /// * 4 unless cut short).
    pub fn header_len(&self) -> usize {
        self.0.len()
    }

    /// Flags byte: CWR, ECE, URG, ACK, PSH, RST, SYN, FIN (MSB to LSB).
    pub fn flags(&self) -> u8 {
        self.0[field::FLAGS]
    }

    /// The flags as [`TcpFlags`].
    pub fn tcp_flags(&self) -> TcpFlags {
        TcpFlags(self.flags())
    }

    /// Receive window.
    pub fn window(&self) -> u16 {
        self.be16(field::WINDOW)
    }

    /// Option bytes (as captured).
    pub fn options(&self) -> &'a [u8] {
        self.0.get(field::OPTIONS..).unwrap_or_default()
    }
}

/// The TCP flags byte, with named bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpFlags(pub u8);

impl std::ops::BitOr for TcpFlags {
    type Output = TcpFlags;
    fn bitor(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | other.0)
    }
}

impl std::ops::BitAnd for TcpFlags {
    type Output = TcpFlags;
    fn bitand(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 & other.0)
    }
}

impl std::ops::BitOrAssign for TcpFlags {
    fn bitor_assign(&mut self, other: TcpFlags) {
        self.0 |= other.0;
    }
}

impl TcpFlags {
    /// FIN: no more data from the sender.
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// SYN: synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// RST: reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// PSH: push.
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// ACK: the acknowledgment field is significant.
    pub const ACK: TcpFlags = TcpFlags(0x10);
    /// URG: the urgent pointer is significant.
    pub const URG: TcpFlags = TcpFlags(0x20);
    /// ECE: ECN echo.
    pub const ECE: TcpFlags = TcpFlags(0x40);
    /// CWR: congestion window reduced.
    pub const CWR: TcpFlags = TcpFlags(0x80);
    /// A SYN/ACK exactly (no other flag).
    pub const SYN_ACK: TcpFlags = TcpFlags(0x12);

    /// No flag.
    pub const NONE: TcpFlags = TcpFlags(0);

    /// True if every bit of `other` is set.
    pub fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if any bit of `other` is set.
    pub fn intersects(self, other: TcpFlags) -> bool {
        self.0 & other.0 != 0
    }

    /// True if exactly the bits of `want` are set among those of `mask`
    /// (`(SYN|ACK, SYN)`: a SYN without ACK, whatever else is set).
    pub fn masked_eq(self, mask: TcpFlags, want: TcpFlags) -> bool {
        self.0 & mask.0 == want.0
    }

    /// The raw byte.
    pub fn bits(self) -> u8 {
        self.0
    }
}
