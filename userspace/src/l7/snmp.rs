//! SNMP v1, v2c and v3 messages.

use crate::l7::ber::{element, integer};
use crate::l7::packet::L7Packet;

/// True for a UDP datagram holding an SNMP message: a SEQUENCE, version 0,
/// 1 or 3, then a community string and a PDU tag (v1/v2c) or the v3
/// header SEQUENCE.
pub(crate) fn is_snmp(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    if !p.is_udp() {
        return false;
    }
    let Some((0x30, off, len)) = element(b, 0) else {
        return false;
    };
    if off + len != b.len() && !(off + len > b.len() && p.any_port(&[161, 162])) {
        return false;
    }
    let Some((version, at)) = integer(b, off) else {
        return false;
    };
    match version {
        0 | 1 => match element(b, at) {
            Some((0x04, c, clen)) => b.get(c + clen).is_some_and(|t| (0xa0..=0xa8).contains(t)),
            _ => false,
        },
        3 => matches!(element(b, at), Some((0x30, _, _))),
        _ => false,
    }
}
