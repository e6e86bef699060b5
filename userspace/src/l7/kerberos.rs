//! Kerberos v5 messages (UDP, or TCP with the 4-byte record mark).

use crate::bytes::be32;
use crate::l7::ber::{element, integer};
use crate::l7::packet::L7Packet;

/// True if the payload holds a Kerberos v5 message: an application tag of
/// AS-REQ/REP, TGS-REQ/REP, AP-REQ/REP or KRB-ERROR around a SEQUENCE whose
/// first field is `pvno` 5 (over TCP, after the record length).
pub(crate) fn is_kerberos(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    let msg = if p.is_tcp() {
        match (be32(b, 0), b.get(4..)) {
            (Some(len), Some(m)) if len as usize >= m.len() && len < 1 << 20 => m,
            _ => return false,
        }
    } else {
        b
    };
    let Some((tag, off, _)) = element(msg, 0) else {
        return false;
    };
    if !matches!(tag, 0x6a..=0x6f | 0x7e) {
        return false;
    }
    let Some((0x30, seq, _)) = element(msg, off) else {
        return false;
    };
    // AS-REQ/TGS-REQ carry pvno in [1], the others in [0].
    let Some((ctx, inner, _)) = element(msg, seq) else {
        return false;
    };
    matches!(ctx, 0xa0 | 0xa1) && matches!(integer(msg, inner), Some((5, _)))
}
