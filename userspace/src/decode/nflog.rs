//! Linux NFLOG captures: a 4-byte header, then type-length-value attributes
//! whose payload attribute holds the logged IP packet.

use crate::decode::error::{DecodeError, Layer};
use crate::decode::l2::{self, IpStart};
use crate::decode::link::LinkType;

/// Attribute type of the packet payload (`NFULA_PAYLOAD`).
pub const NFULA_PAYLOAD: u16 = 9;

/// An NFLOG record at `off`: family, version, resource id, then TLVs. TLV
/// lengths and types are in the capturing host's byte order: little-endian is
/// tried first, big-endian when the little-endian length does not fit.
pub(crate) fn nflog(frame: &[u8], off: usize) -> Result<IpStart, DecodeError> {
    let link = LinkType::Nflog;
    let layer = Layer::Link(link);
    let family = l2::take(frame, off, 4, layer)?[0];
    let mut at = off + 4;
    loop {
        if at >= frame.len() {
            // No payload attribute: nothing to decode.
            return Err(DecodeError::NotIp {
                layer,
                protocol: u32::from(family),
            });
        }
        let tlv = l2::take(frame, at, 4, layer)?;
        let left = l2::rest(frame, at).len();
        let le_len = usize::from(u16::from_le_bytes([tlv[0], tlv[1]]));
        let (len, kind) = if (4..=left).contains(&le_len) {
            (le_len, u16::from_le_bytes([tlv[2], tlv[3]]))
        } else {
            let be_len = usize::from(u16::from_be_bytes([tlv[0], tlv[1]]));
            (be_len, u16::from_be_bytes([tlv[2], tlv[3]]))
        };
        if len < 4 {
            return Err(DecodeError::BadLinkHeader { link, offset: at });
        }
        if kind & 0x7fff == NFULA_PAYLOAD {
            let first = l2::take(frame, at + 4, 1, layer)?[0];
            return match first >> 4 {
                4 => Ok(IpStart::V4(at + 4)),
                6 => Ok(IpStart::V6(at + 4)),
                _ => Err(DecodeError::NotIp {
                    layer,
                    protocol: u32::from(family),
                }),
            };
        }
        // Attributes are padded to 4 bytes.
        at += (len + 3) & !3;
    }
}
