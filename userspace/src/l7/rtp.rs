//! RTP and RTCP (RFC 3550) heuristics.

use crate::bytes::{be16, be32};

/// The payload type, sequence number and SSRC of an RTP header: version 2,
/// a static (0..=34) or dynamic (96..=127) payload type, and room for the
/// CSRC list.
pub(crate) fn header(b: &[u8]) -> Option<(u8, u16, u32)> {
    let (&first, &second) = (b.first()?, b.get(1)?);
    let pt = second & 0x7f;
    if first >> 6 != 2 || b.len() < 12 + 4 * usize::from(first & 0x0f) {
        return None;
    }
    if !matches!(pt, 0..=34 | 96..=127) {
        return None;
    }
    Some((pt, be16(b, 2)?, be32(b, 8)?))
}

/// True if `b` starts with an RTCP packet: version 2, packet type SR, RR,
/// SDES, BYE, APP, RTPFB, PSFB or XR, and a length that fits.
pub(crate) fn is_rtcp(b: &[u8]) -> bool {
    let (Some(&first), Some(&pt), Some(words)) = (b.first(), b.get(1), be16(b, 2)) else {
        return false;
    };
    let len = (usize::from(words) + 1) * 4;
    first >> 6 == 2
        && (200..=207).contains(&pt)
        && len <= b.len()
        && (pt > 201 || len >= 8 + 24 * usize::from(first & 0x1f))
}

/// True if `seq` plausibly follows `prev` in one RTP stream (1 to 16 ahead,
/// modulo 2^16).
pub(crate) fn follows(prev: u16, seq: u16) -> bool {
    (1..=16).contains(&seq.wrapping_sub(prev))
}
