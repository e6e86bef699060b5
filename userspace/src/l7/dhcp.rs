//! DHCP (BOOTP with the DHCP magic cookie) on ports 67/68.

use crate::bytes::be32;
use crate::l7::packet::L7Packet;

/// True for a UDP datagram to or from port 67 or 68 holding a BOOTP
/// request or reply with the DHCP magic cookie.
pub(crate) fn is_dhcp(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    p.is_udp()
        && p.any_port(&[67, 68])
        && b.len() >= 240
        && matches!(b[0], 1 | 2)
        && be32(b, 236) == Some(0x6382_5363)
}
