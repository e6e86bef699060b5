//! The DNS message family: DNS (port 53), MDNS (5353) and LLMNR (5355).

use crate::bytes::be16;
use crate::l7::packet::L7Packet;
use crate::l7::proto::L7Proto;

/// DNS, MDNS or LLMNR by port, if `p` carries a well-formed DNS message
/// (over TCP with its 2-byte length prefix).
pub(crate) fn detect(p: &L7Packet<'_>) -> Option<L7Proto> {
    let proto = if p.port(5353) && p.is_udp() {
        L7Proto::Mdns
    } else if p.port(5355) {
        L7Proto::Llmnr
    } else if p.port(53) {
        L7Proto::Dns
    } else {
        return None;
    };
    let msg = if p.is_tcp() {
        let len = usize::from(be16(p.payload, 0)?);
        let m = p.payload.get(2..)?;
        if len < 12 || m.len() > len {
            return None;
        }
        m
    } else {
        p.payload
    };
    is_message(msg).then_some(proto)
}

/// True if `b` starts with a plausible DNS header (opcode query, inverse
/// query, status, notify or update; at most 64 questions and 1024
/// answers; a question, or an answer in a response)
/// followed by a well-formed first name (when captured).
pub(crate) fn is_message(b: &[u8]) -> bool {
    let (Some(flags), Some(qd), Some(an), true) =
        (be16(b, 2), be16(b, 4), be16(b, 6), b.len() >= 12)
    else {
        return false;
    };
    let opcode = (flags >> 11) & 0xf;
    if !matches!(opcode, 0 | 1 | 2 | 4 | 5) || flags & 0x0040 != 0 && opcode == 0 && qd == 0 {
        return false;
    }
    let response = flags & 0x8000 != 0;
    // As nDPI, only the question and answer counts are bounded.
    if qd > 64 || an > 1024 {
        return false;
    }
    if qd == 0 && (!response || an == 0) && opcode == 0 {
        return false;
    }
    if b.len() == 12 {
        return true;
    }
    name_ok(b, 12)
}

/// True if a well-formed (possibly compressed) name starts at `at`, or the
/// capture ends inside it.
fn name_ok(b: &[u8], mut at: usize) -> bool {
    let mut total = 0usize;
    loop {
        let Some(&len) = b.get(at) else {
            return true;
        };
        match len {
            0 => return true,
            1..=63 => {
                total += usize::from(len) + 1;
                at += usize::from(len) + 1;
                if total > 255 {
                    return false;
                }
            }
            0xc0..=0xff => return true,
            _ => return false,
        }
    }
}
