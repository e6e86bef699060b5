//! DHCPv6 on ports 546/547.

use crate::l7::packet::L7Packet;

/// True for a UDP datagram between ports 546 and 547 (either way, or
/// relay agents on 547) with a known message type (SOLICIT .. RELAY-REPL
/// and later ones up to 36).
pub(crate) fn is_dhcpv6(p: &L7Packet<'_>) -> bool {
    p.is_udp()
        && p.any_port(&[546, 547])
        && p.payload.len() >= 4
        && matches!(p.payload[0], 1..=13 | 20..=36)
}
