//! OpenVPN: the hard-reset handshake of the control channel.

use crate::bytes::be16;
use crate::l7::packet::L7Packet;

/// Opcodes of a hard reset: client v1, server v1, client v2, server v2,
/// client v3.
const RESET: [u8; 5] = [1, 2, 7, 8, 10];
/// Opcodes of a server's hard reset (v1, v2).
const SERVER_RESET: [u8; 2] = [2, 8];
/// Control-channel opcodes that follow a reset from the same side: soft
/// reset, control, ack, control with wrapped key.
const CONTROL: [u8; 4] = [3, 4, 5, 11];

/// The OpenVPN packet in `p`: UDP as is, TCP after its 2-byte length
/// (which must match).
fn packet<'a>(p: &L7Packet<'a>) -> Option<&'a [u8]> {
    let b = p.payload;
    if p.is_tcp() {
        let len = usize::from(be16(b, 0)?);
        (len + 2 == b.len()).then(|| &b[2..])
    } else {
        Some(b)
    }
}

/// The first 4 bytes of the session id of a hard reset (key id 0, 14 to
/// 200 bytes).
pub(crate) fn reset(p: &L7Packet<'_>) -> Option<u32> {
    let b = packet(p)?;
    if !(14..=200).contains(&b.len()) || !RESET.contains(&(b[0] >> 3)) || b[0] & 7 != 0 {
        return None;
    }
    Some(u32::from_be_bytes([b[1], b[2], b[3], b[4]]))
}

/// True if `p` continues the handshake of the reset with session id
/// `sid` (first 4 bytes) sent in direction `same_side` (true: `p` comes
/// from the same side): the same side's next control packet carries the
/// same session id; the other side's server reset acknowledges it.
pub(crate) fn follows(p: &L7Packet<'_>, sid: u32, same_side: bool) -> bool {
    let Some(b) = packet(p) else {
        return false;
    };
    if b.len() < 14 {
        return false;
    }
    let op = b[0] >> 3;
    if same_side {
        CONTROL.contains(&op) && b[1..5] == sid.to_be_bytes()
    } else {
        SERVER_RESET.contains(&op) && b[9..].windows(4).any(|w| w == sid.to_be_bytes())
    }
}
