//! NTP on port 123.

use crate::l7::packet::L7Packet;

/// True for a UDP datagram from or to port 123 with an NTP header:
/// version 1 to 4 and at least 48 bytes, or an NTP control / private
/// (mode 6/7) message.
pub(crate) fn is_ntp(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    let Some(&first) = b.first() else {
        return false;
    };
    let (version, mode) = ((first >> 3) & 7, first & 7);
    p.is_udp() && p.port(123) && (1..=4).contains(&version) && (b.len() >= 48 || mode >= 6)
}
