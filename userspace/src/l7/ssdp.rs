//! SSDP: HTTP-over-UDP discovery messages.

use crate::bytes::starts_with_ci;
use crate::l7::packet::L7Packet;

/// True for a UDP `M-SEARCH`/`NOTIFY` request or an `HTTP/1.1 200` reply
/// (the unicast answers to a search go between ephemeral ports).
pub(crate) fn is_ssdp(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    p.is_udp()
        && (b.starts_with(b"M-SEARCH * HTTP/1.1")
            || b.starts_with(b"NOTIFY * HTTP/1.1")
            || starts_with_ci(b, b"HTTP/1.1 200"))
}
