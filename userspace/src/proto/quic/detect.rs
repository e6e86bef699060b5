//! QUIC: a long-header Initial packet of a known version.
//!
//! Only detection lives here. Decrypting the Initial to read the SNI is
//! `crate::proto::quic`'s job (added separately): it would be called from
//! [`initial_version`]'s callers in `detect` with the same payload once
//! this module has said the packet is an Initial.

use crate::bytes::be32;

/// QUIC versions recognized: v1, v2, IETF drafts 14 to 34, Google's
/// Q046/Q050/T050/T051, Facebook's mvfst ones, and the reserved
/// `0x?a?a?a?a` versions clients send to force version negotiation.
pub fn known_version(v: u32) -> bool {
    v & 0x0f0f_0f0f == 0x0a0a_0a0a
        || matches!(
            v,
            0x0000_0001
                | 0x6b33_43cf
                | 0xff00_000e..=0xff00_0022
                | 0x5130_3436 // Q046
                | 0x5130_3530 // Q050
                | 0x5430_3530 // T050
                | 0x5430_3531 // T051
                | 0xface_b001..=0xface_b00f
        )
}

/// Google's Q046.
const Q046: u32 = 0x5130_3436;

/// Gquic (Q043 and older) public header: flags with the version bit, an
/// 8-byte connection id, then `Q0xx`.
fn gquic_legacy(b: &[u8]) -> bool {
    let Some(&flags) = b.first() else {
        return false;
    };
    flags & 0x81 == 0x01
        && flags & 0x08 != 0
        && b.len() >= 13
        && b[9] == b'Q'
        && b[10] == b'0'
        && b[11].is_ascii_digit()
        && b[12].is_ascii_digit()
}

/// The version of the QUIC Initial packet `b` starts with, if it is one: a
/// long header (form and fixed bits set), Initial type (type 0, or 1 for
/// QUIC v2), a known version and connection ids of at most 20 bytes.
/// Google's legacy QUIC (Q043 and older) counts too (version 0 is
/// returned for it: its header carries the version as text).
pub fn initial_version(b: &[u8]) -> Option<u32> {
    let first = *b.first()?;
    if first & 0xc0 != 0xc0 {
        return gquic_legacy(b).then_some(0);
    }
    let v = be32(b, 1)?;
    if !known_version(v) {
        return None;
    }
    let kind = (first >> 4) & 3;
    let initial = if v == 0x6b33_43cf { 1 } else { 0 };
    // Google's Q046 has no Initial type distinction the same way: type 0 too.
    if kind != initial {
        return None;
    }
    if v == Q046 {
        // Google's Q046: both connection id lengths in one byte (nibbles,
        // each 0 or 3 + length), client to server always 8 and 0.
        return (b.get(5) == Some(&0x50) && b.len() > 14).then_some(v);
    }
    let dcid = usize::from(*b.get(5)?);
    if dcid > 20 {
        return None;
    }
    let scid = usize::from(*b.get(6 + dcid)?);
    (scid <= 20 && b.len() > 7 + dcid + scid).then_some(v)
}
