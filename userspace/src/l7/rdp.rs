//! RDP: the X.224 connection request/confirm in a TPKT.

use crate::bytes::{be16, be32, contains_ci};
use crate::l7::packet::L7Packet;

/// True for a TCP TPKT (version 3, exact length) holding an X.224
/// Connection Request with an RDP cookie or negotiation request, or a
/// Connection Confirm with a negotiation response; on port 3389 any X.224
/// request or confirm counts.
pub(crate) fn is_rdp(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    if !p.is_tcp() || b.len() < 11 || b[0] != 3 || b[1] != 0 {
        return false;
    }
    if be16(b, 2) != Some(b.len() as u16) || usize::from(b[4]) + 5 != b.len() {
        return false;
    }
    let cr = b[5] == 0xe0;
    let cc = b[5] == 0xd0;
    if !(cr || cc) {
        return false;
    }
    if p.port(3389) {
        return true;
    }
    let tail = &b[11..];
    let neg = b.len() >= 19 && b[b.len() - 8] == if cr { 1 } else { 2 } && b[b.len() - 6] == 8;
    (cr && contains_ci(tail, b"Cookie: mstshash=")) || neg
}

/// True for a UDP RDP (MS-RDPEUDP) SYN or SYN+ACK: `snSourceAck` all ones
/// (SYN) or any (SYN+ACK), the SYN flag set, on port 3389 or padded to at
/// least 1232 bytes as clients do.
pub(crate) fn is_rdp_udp(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    let Some(flags) = be16(b, 6) else {
        return false;
    };
    let syn = flags & 0x0001 != 0;
    syn && p.is_udp()
        && (be32(b, 0) == Some(0xffff_ffff) || flags & 0x0004 != 0 && p.port(3389))
        && (p.port(3389) || b.len() >= 1232)
}
