//! WireGuard: message type and fixed sizes.

use crate::l7::packet::L7Packet;

/// True for a UDP datagram holding a WireGuard handshake initiation (148
/// bytes), response (92), cookie reply (64) or transport data (16-byte
/// aligned, counter below 2^32): type 1 to 4 and three zero bytes.
pub(crate) fn is_wireguard(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    if !p.is_udp() || b.len() < 32 || b[1..4] != [0, 0, 0] {
        return false;
    }
    match b[0] {
        1 => b.len() == 148,
        2 => b.len() == 92,
        3 => b.len() == 64,
        // Transport data: 16-byte aligned, and a counter (little endian
        // at 8..16) still below 2^32, as in any fresh tunnel.
        4 => b.len().is_multiple_of(16) && b[12..16] == [0, 0, 0, 0],
        _ => false,
    }
}
