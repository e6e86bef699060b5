//! BitTorrent: the peer wire handshake, DHT (bencoded KRPC) and uTP.

use crate::bytes::be16;

/// True if `b` starts the peer wire protocol handshake.
pub(crate) fn is_handshake(b: &[u8]) -> bool {
    b.starts_with(b"\x13BitTorrent protocol")
}

/// True if the UDP payload `b` is a DHT KRPC message (a bencoded
/// dictionary with a `y` key), a peer handshake, a local service discovery
/// announce (`BT-SEARCH`) or a uTP SYN.
pub(crate) fn is_udp(b: &[u8]) -> bool {
    if is_handshake(b) || b.starts_with(b"BT-SEARCH * HTTP/1.1") {
        return true;
    }
    if b.starts_with(b"d1:") || b.starts_with(b"d2:ip") {
        let head = &b[..b.len().min(1024)];
        return b.last() == Some(&b'e')
            && head
                .windows(5)
                .any(|w| w == b"1:y1:" || w == b"1:q4:" || w == b"2:id2");
    }
    is_utp_syn(b)
}

/// A uTP ST_SYN: type 4 version 1, extension 0 or 2, 20 bytes (or more
/// with an extension), sequence ack 0.
fn is_utp_syn(b: &[u8]) -> bool {
    b.len() >= 20
        && b[0] == 0x41
        && matches!(b[1], 0 | 2)
        && (b[1] != 0 || b.len() == 20)
        && be16(b, 18) == Some(0)
}
