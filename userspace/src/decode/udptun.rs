//! Tunnels carried in UDP: VXLAN, Geneve, GTP-U, Teredo, L2TPv2 and CAPWAP data. Each
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

/// CAPWAP data channel (RFC 5415): preamble version 0 type 0, a header of
/// HLEN 4-byte words, then an 802.3 frame, or with the T bit set a frame in
/// the binding's native format (WBID 1: IEEE 802.11; when its frame control
/// is not valid as sent, it is read byte-swapped, as Cisco access points send
/// it and Wireshark reads it). Keep-alives (K bit) and fragments other than
/// the first carry no frame.
pub(crate) fn capwap(frame: &[u8], off: usize) -> Option<IpStart> {
    let h = frame.get(off..)?.get(..8)?;
    if h[0] != 0 {
        return None;
    }
    // HLEN(5) RID(5) WBID(5) T(1) | F L W M K flags(3) | fragment id | offset(13) rsvd(3)
    let hlen = usize::from(h[1] >> 3) * 4;
    let wbid = (h[2] >> 1) & 0x1f;
    let native = h[2] & 0x01 != 0;
    let keep_alive = h[3] & 0x08 != 0;
    let frag_offset = u16::from_be_bytes([h[6], h[7]]) >> 3;
    if hlen < 8 || keep_alive || frag_offset != 0 {
        return None;
    }
    let at = off + hlen;
    if !native {
        return crate::decode::tunnel::ethernet(frame, at);
    }
    if wbid != 1 {
        return None;
    }
    let mut vlan = 0;
    let swapped = frame.get(at).is_some_and(|fc0| fc0 & 0x03 != 0);
    crate::decode::wlan::ieee80211_fc(frame, at, &mut vlan, swapped).ok()
}

/// IPv4 or IPv6 at `off` by its version nibble.
fn by_nibble(frame: &[u8], off: usize) -> Option<IpStart> {
    match *frame.get(off)? >> 4 {
        4 => Some(IpStart::V4(off)),
        6 => Some(IpStart::V6(off)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::emit::{eth, ipv4, tcp, udp};
    use crate::decode::{decode, DecodeOptions, LinkType, Tunnel};

    const TUNNELS: DecodeOptions = DecodeOptions {
        decode_tunnels: true,
    };

    fn capwap_frame(header: [u8; 8], payload: &[u8]) -> Vec<u8> {
        let data = [&header[..], payload].concat();
        let outer = ipv4(
            17,
            [10, 0, 0, 1],
            [10, 0, 0, 2],
            &[],
            0,
            &udp(41264, 5247, &data),
        );
        eth(&[], 0x0800, &outer)
    }

    fn inner_ip() -> Vec<u8> {
        ipv4(
            6,
            [192, 168, 1, 1],
            [8, 8, 8, 8],
            &[],
            0,
            &tcp(1234, 443, 0x02, &[], b""),
        )
    }

    #[test]
    fn capwap_802_3_payload_is_decapsulated() {
        // HLEN 2 words, WBID 1, T clear: an Ethernet frame follows.
        let f = capwap_frame(
            [0, 2 << 3, 1 << 1, 0, 0, 0, 0, 0],
            &eth(&[], 0x0800, &inner_ip()),
        );
        let p = decode(LinkType::Ethernet, &f, TUNNELS).unwrap();
        assert_eq!((p.sport, p.dport, p.tunnel), (1234, 443, Tunnel::Capwap));
        assert_eq!(&p.src[..4], &[192, 168, 1, 1]);
        let outer = decode(LinkType::Ethernet, &f, DecodeOptions::default()).unwrap();
        assert_eq!(
            (outer.sport, outer.dport, outer.tunnel),
            (41264, 5247, Tunnel::None)
        );
    }

    #[test]
    fn capwap_802_11_payload_with_swapped_frame_control() {
        // 802.11 data frame to the DS, frame control sent byte-swapped, LLC/SNAP, IPv4.
        let mut wlan = vec![0x01, 0x08, 0, 0];
        wlan.extend_from_slice(&[0u8; 20]);
        wlan.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        wlan.extend_from_slice(&inner_ip());
        let f = capwap_frame([0, 2 << 3, (1 << 1) | 1, 0, 0, 0, 0, 0], &wlan);
        let p = decode(LinkType::Ethernet, &f, TUNNELS).unwrap();
        assert_eq!((p.sport, p.dport, p.tunnel), (1234, 443, Tunnel::Capwap));
        // A keep-alive (K bit) carries no frame: the outer packet keys the flow.
        let ka = capwap_frame(
            [0, 2 << 3, 1 << 1, 0x08, 0, 0, 0, 0],
            &eth(&[], 0x0800, &inner_ip()),
        );
        assert_eq!(
            decode(LinkType::Ethernet, &ka, TUNNELS).unwrap().dport,
            5247
        );
    }
}
