//! Tunnels carried in UDP: VXLAN, Geneve, GTP-U, Teredo and L2TPv2. Each
//! function takes the offset of the UDP payload and returns the inner IP
//! header's start when the payload is a tunnel packet carrying IP.

use crate::decode::gre::{ppp_payload, GRE_TEB};
use crate::decode::ipv6::Ipv6Header;
use crate::decode::l2::{self, IpStart};
use crate::decode::tunnel::{ethernet, from_ethertype};

/// Most GTP-U extension headers skipped.
const MAX_GTP_EXTENSIONS: usize = 8;

/// VXLAN (RFC 7348): 8-byte header, then Ethernet.
pub(crate) fn vxlan(frame: &[u8], off: usize) -> Option<IpStart> {
    l2::take(frame, off, 8, crate::decode::Layer::Udp).ok()?;
    ethernet(frame, off + 8)
}

/// Geneve (RFC 8926): 8-byte header plus options, then the protocol type
/// (Ethernet bridging or an EtherType).
pub(crate) fn geneve(frame: &[u8], off: usize) -> Option<IpStart> {
    let h = frame.get(off..)?.get(..8)?;
    if h[0] >> 6 != 0 {
        return None;
    }
    let at = off + 8 + usize::from(h[0] & 0x3f) * 4;
    match u16::from_be_bytes([h[2], h[3]]) {
        GRE_TEB => ethernet(frame, at),
        proto => from_ethertype(frame, proto, at),
    }
}

/// GTP-U version 1 G-PDU (type 255): 8-byte header, the optional 4-byte
/// sequence/N-PDU/next-extension field, extension headers, then IPv4 or IPv6
/// by the version nibble. Other messages (echo, error indication, ...) and
/// GTP' are not tunnels.
pub(crate) fn gtp_u(frame: &[u8], off: usize) -> Option<IpStart> {
    let h = frame.get(off..)?.get(..8)?;
    if h[0] >> 5 != 1 || h[0] & 0x10 == 0 || h[1] != 255 {
        return None;
    }
    let mut at = off + 8;
    if h[0] & 0x07 != 0 {
        let mut next = *frame.get(at + 3)?;
        at += 4;
        if h[0] & 0x04 != 0 {
            let mut n = 0;
            while next != 0 {
                let len = usize::from(*frame.get(at)?) * 4;
                if len == 0 || n == MAX_GTP_EXTENSIONS {
                    return None;
                }
                next = *frame.get(at + len - 1)?;
                at += len;
                n += 1;
            }
        }
    }
    by_nibble(frame, at)
}

/// Teredo (RFC 4380): optional authentication and origin indication
/// headers, then IPv6 — only if an IPv6 header whose claimed length fits the
/// UDP payload (ending at `end`) really follows.
pub(crate) fn teredo(frame: &[u8], off: usize, end: usize) -> Option<IpStart> {
    let mut at = off;
    if l2::be16(frame, at)? == 0x0001 {
        let id_len = usize::from(*frame.get(at + 2)?);
        let auth_len = usize::from(*frame.get(at + 3)?);
        at += 4 + id_len + auth_len + 8 + 1;
    }
    if l2::be16(frame, at)? == 0x0000 {
        at += 8;
    }
    let ip = Ipv6Header::new_checked(frame.get(at..)?, at).ok()?;
    (at + Ipv6Header::LEN + ip.payload_len() <= end).then_some(IpStart::V6(at))
}

/// L2TPv2 (RFC 2661) data message: header with optional length, sequence and
/// offset fields, then PPP carrying IP.
pub(crate) fn l2tp(frame: &[u8], off: usize) -> Option<IpStart> {
    let flags = l2::be16(frame, off)?;
    // Version 2, data message (T bit clear).
    if flags & 0x000f != 2 || flags & 0x8000 != 0 {
        return None;
    }
    let mut at = off + 2;
    if flags & 0x4000 != 0 {
        at += 2; // length
    }
    at += 4; // tunnel id, session id
    if flags & 0x0800 != 0 {
        at += 4; // Ns, Nr
    }
    if flags & 0x0200 != 0 {
        at += 2 + usize::from(l2::be16(frame, at)?); // offset size + padding
    }
    ppp_payload(frame, at)
}

/// IPv4 or IPv6 at `off` by its version nibble.
fn by_nibble(frame: &[u8], off: usize) -> Option<IpStart> {
    match *frame.get(off)? >> 4 {
        4 => Some(IpStart::V4(off)),
        6 => Some(IpStart::V6(off)),
        _ => None,
    }
}
