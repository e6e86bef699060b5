//! STUN (RFC 5389 with the magic cookie, and classic RFC 3489).

use crate::bytes::{be16, be32};

/// The RFC 5389 magic cookie.
const COOKIE: u32 = 0x2112_a442;

/// True if `b` is one STUN message (over TCP: starts with one): message
/// type with the top two bits clear, a length that is a multiple of 4 and
/// fills the datagram, and
/// either the magic cookie or (classic STUN) a known message type and
/// attributes that tile the body exactly.
pub(crate) fn is_stun(b: &[u8], tcp: bool) -> bool {
    let (Some(kind), Some(len)) = (be16(b, 0), be16(b, 2)) else {
        return false;
    };
    let len = usize::from(len);
    if kind & 0xc000 != 0 || len % 4 != 0 {
        return false;
    }
    let cookie = be32(b, 4) == Some(COOKIE);
    // Over TCP, several messages may share a segment.
    if cookie && tcp && 20 + len <= b.len() {
        return true;
    }
    if 20 + len != b.len() {
        return false;
    }
    if cookie {
        return true;
    }
    let known = matches!(
        kind,
        0x0001
            | 0x0101
            | 0x0111
            | 0x0002
            | 0x0102
            | 0x0112
            | 0x0003
            | 0x0103
            | 0x0113
            | 0x0004
            | 0x0104
            | 0x0114
            | 0x0115
            | 0x0016
            | 0x0017
    );
    known && attributes_tile(&b[20..])
}

/// True if TLV attributes (4-byte aligned values) exactly fill `body`.
fn attributes_tile(body: &[u8]) -> bool {
    let mut at = 0;
    while at < body.len() {
        let Some(len) = be16(body, at + 2) else {
            return false;
        };
        at += 4 + usize::from(len).div_ceil(4) * 4;
    }
    at == body.len()
}

/// True for STUN over TCP with RFC 4571 framing (a 2-byte length, then the
/// message), as Microsoft Teams sends it.
pub(crate) fn is_framed(b: &[u8]) -> bool {
    be16(b, 0).is_some_and(|len| usize::from(len) + 2 <= b.len() && len >= 20)
        && be32(b, 6) == Some(COOKIE)
        && is_stun(&b[2..], true)
}
