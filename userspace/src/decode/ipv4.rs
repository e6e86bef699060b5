//! IPv4 header view (variable IHL, options skipped).

use crate::decode::error::{need, DecodeError, Layer};

/// A validated view of an IPv4 header including its options.
///
/// Validation guarantees: version 4, IHL in 5..=15, the whole header is
/// present, and total length >= header length or 0. A total length of 0 is
/// what captures of TCP segmentation offload show for the large segments the
/// host handed to the NIC: the decoder then takes the captured length.
#[derive(Debug, Clone, Copy)]
pub struct Ipv4Header<'a>(&'a [u8]);

impl<'a> Ipv4Header<'a> {
    /// Length of a header without options.
    pub const MIN_LEN: usize = 20;

    /// Validates the header at the start of `buf`, which begins `offset` bytes
    /// into the frame (`offset` is only used in error reports).
    #[inline]
    pub fn new_checked(buf: &'a [u8], offset: usize) -> Result<Self, DecodeError> {
        need(Layer::Ipv4, buf, offset, Self::MIN_LEN)?;
        let version = buf[0] >> 4;
        if version != 4 {
            return Err(DecodeError::BadIpVersion {
                layer: Layer::Ipv4,
                offset,
                version,
            });
        }
        let ihl = buf[0] & 0x0f;
        if ihl < 5 {
            return Err(DecodeError::BadIpv4Ihl { offset, ihl });
        }
        let header_len = usize::from(ihl) * 4;
        need(Layer::Ipv4, buf, offset, header_len)?;
        let total_len = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
        if total_len < header_len && total_len != 0 {
            return Err(DecodeError::BadIpTotalLength {
                layer: Layer::Ipv4,
                offset,
                total_len,
                header_len,
            });
        }
        Ok(Self(&buf[..header_len]))
    }

    /// Header length in bytes (IHL * 4, 20..=60).
    pub fn header_len(&self) -> usize {
        self.0.len()
    }

    /// Total length field: header + payload octets (0 for TSO segments).
    pub fn total_len(&self) -> usize {
        usize::from(u16::from_be_bytes([self.0[2], self.0[3]]))
    }

    /// Identification field.
    pub fn identification(&self) -> u16 {
        u16::from_be_bytes([self.0[4], self.0[5]])
    }

    /// More-fragments flag.
    pub fn more_fragments(&self) -> bool {
        self.0[6] & 0x20 != 0
    }

    /// Fragment offset in 8-byte units (13 bits); nonzero for non-first fragments.
    pub fn fragment_offset(&self) -> u16 {
        u16::from_be_bytes([self.0[6], self.0[7]]) & 0x1fff
    }

    /// Time to live.
    pub fn ttl(&self) -> u8 {
        self.0[8]
    }

    /// Protocol number of the payload.
    pub fn protocol(&self) -> u8 {
        self.0[9]
    }

    /// Source address.
    pub fn src(&self) -> [u8; 4] {
        [self.0[12], self.0[13], self.0[14], self.0[15]]
    }

    /// Destination address.
    pub fn dst(&self) -> [u8; 4] {
        [self.0[16], self.0[17], self.0[18], self.0[19]]
    }
}
