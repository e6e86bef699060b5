//! NetBIOS over TCP/IP: name service (UDP 137), datagram service (UDP 138,
//! whose mailslot messages may carry SMB) and session service (TCP 139).

use crate::bytes::be16;
use crate::l7::packet::L7Packet;
use crate::l7::proto::L7Proto;
use crate::l7::smb;

/// True if `b[at..]` holds a first-level encoded NetBIOS name: length 32,
/// then (as far as captured) 32 letters `A`..`P`.
fn encoded_name(b: &[u8], at: usize) -> bool {
    b.get(at) == Some(&0x20)
        && b.get(at + 1..b.len().min(at + 33))
            .is_some_and(|n| n.iter().all(|c| (b'A'..=b'P').contains(c)))
}

/// NetBIOS, or SMBv1 for datagrams carrying an SMB message, if `p` is a
/// NetBIOS name or datagram service packet (UDP 137/138) or a session
/// service control packet (TCP 139).
pub(crate) fn detect(p: &L7Packet<'_>) -> Option<L7Proto> {
    let b = p.payload;
    if p.is_udp() && p.port(137) {
        let flags = be16(b, 2)?;
        let opcode = (flags >> 11) & 0xf;
        let counts_ok = be16(b, 4)? <= 1 && be16(b, 6)? <= 1;
        return (matches!(opcode, 0 | 5..=8) && counts_ok && encoded_name(b, 12))
            .then_some(L7Proto::NetBios);
    }
    if p.is_udp() && p.port(138) {
        return match b.first()? {
            // Direct unique/group and broadcast datagrams: header, then
            // source and destination names, then user data.
            0x10..=0x12 => {
                if !encoded_name(b, 14) {
                    return None;
                }
                Some(smb::dialect(b.get(82..).unwrap_or(&[])).unwrap_or(L7Proto::NetBios))
            }
            0x13..=0x16 => Some(L7Proto::NetBios),
            _ => None,
        };
    }
    if p.is_tcp() && p.port(139) {
        if let Some(s) = smb::over_session(b) {
            return Some(s);
        }
        return match (b.first()?, be16(b, 2)) {
            // Session request with the called and calling names.
            (0x81, Some(68)) if encoded_name(b, 4) => Some(L7Proto::NetBios),
            (0x82 | 0x85, Some(0)) => Some(L7Proto::NetBios),
            (0x83, Some(1)) => Some(L7Proto::NetBios),
            _ => None,
        };
    }
    None
}
