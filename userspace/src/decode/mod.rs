//! Zero-copy decoding of an Ethernet frame into a small [`Packet`] summary.
//!
//! Each header has a view type (`*Header<'a>`) whose `new_checked` validates
//! lengths once, after which its accessors cannot fail. [`decode_ethernet`]
//! chains them: Ethernet II, up to [`MAX_VLAN_TAGS`] VLAN tags, IPv4 or IPv6
//! (with extension headers), then TCP, UDP or ICMP.
//!
//! Lengths follow the IP header, not the frame: Ethernet padding is ignored,
//! and a frame cut short by the capture length still decodes (with the claimed
//! lengths) as long as every header up to the transport header is present.

pub mod error;
pub mod ethernet;
pub mod icmp;
pub mod ipv4;
pub mod ipv6;
pub mod packet;
pub mod tcp;
pub mod udp;
pub mod vlan;

#[cfg(test)]
pub(crate) mod build;
#[cfg(test)]
mod tests;

pub use error::{DecodeError, DecodeReason, Layer};
pub use ethernet::{EthernetHeader, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6};
pub use icmp::IcmpHeader;
pub use ipv4::Ipv4Header;
pub use ipv6::{Ipv6ExtHeader, Ipv6Header, MAX_EXT_HEADERS};
pub use packet::{
    Fragment, IcmpInfo, Packet, Tunnel, PROTO_ICMP, PROTO_ICMPV6, PROTO_SCTP, PROTO_TCP, PROTO_UDP,
    TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN,
};
pub use tcp::TcpHeader;
pub use udp::UdpHeader;
pub use vlan::{VlanTag, MAX_VLAN_TAGS};

/// The network layer of a frame, before the transport header is read.
struct Network {
    ip_version: u8,
    src: [u8; 16],
    dst: [u8; 16],
    proto: u8,
    /// Offset of the IP header in the frame.
    l3_off: usize,
    /// IP length claimed by the header (headers + payload).
    ip_len: usize,
    /// Offset of the transport header (after IP options / extension headers).
    l4_off: usize,
    /// False for non-first fragments, which carry no transport header.
    has_l4: bool,
}

/// Decodes an Ethernet II frame down to the transport header.
///
/// Never panics, whatever the input. Fails on frames that are not IPv4/IPv6
/// ([`DecodeError::NotIp`]), on malformed headers, and when any header up to
/// and including the transport header is cut short.
pub fn decode_ethernet(frame: &[u8]) -> Result<Packet, DecodeError> {
    let mut ethertype = EthernetHeader::new_checked(frame)?.ethertype();
    let mut off = EthernetHeader::LEN;
    let mut vlan = 0;
    let mut tags = 0;
    while vlan::is_vlan_tpid(ethertype) {
        if tags == MAX_VLAN_TAGS {
            return Err(DecodeError::TooManyVlanTags { offset: off - 2 });
        }
        let tag = VlanTag::new_checked(rest(frame, off), off)?;
        if tags == 0 {
            vlan = tag.vid();
        }
        ethertype = tag.ethertype();
        off += VlanTag::LEN;
        tags += 1;
    }
    let net = match ethertype {
        ETHERTYPE_IPV4 => ipv4_layer(frame, off)?,
        ETHERTYPE_IPV6 => ipv6_layer(frame, off)?,
        other => return Err(DecodeError::NotIp { ethertype: other }),
    };
    transport_layer(frame, vlan, &net)
}

fn ipv4_layer(frame: &[u8], off: usize) -> Result<Network, DecodeError> {
    let ip = Ipv4Header::new_checked(rest(frame, off), off)?;
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src[..4].copy_from_slice(&ip.src());
    dst[..4].copy_from_slice(&ip.dst());
    Ok(Network {
        ip_version: 4,
        src,
        dst,
        proto: ip.protocol(),
        l3_off: off,
        ip_len: ip.total_len(),
        l4_off: off + ip.header_len(),
        has_l4: ip.fragment_offset() == 0,
    })
}

fn ipv6_layer(frame: &[u8], off: usize) -> Result<Network, DecodeError> {
    let ip = Ipv6Header::new_checked(rest(frame, off), off)?;
    let ip_len = Ipv6Header::LEN + ip.payload_len();
    let ext_off = off + Ipv6Header::LEN;
    let ext_buf = bounded(frame, ext_off, off + ip_len);
    let chain = ipv6::walk_extensions(ext_buf, ext_off, ip.next_header())?;
    Ok(Network {
        ip_version: 6,
        src: ip.src(),
        dst: ip.dst(),
        proto: chain.proto,
        l3_off: off,
        ip_len,
        l4_off: ext_off + chain.ext_len,
        has_l4: !chain.non_first_fragment,
    })
}

fn transport_layer(frame: &[u8], vlan: u16, net: &Network) -> Result<Packet, DecodeError> {
    let buf = bounded(frame, net.l4_off, net.l3_off + net.ip_len);
    let at = net.l4_off;
    // (sport, dport, tcp_flags, transport header length)
    let (sport, dport, tcp_flags, l4_len) = match net.proto {
        _ if !net.has_l4 => (0, 0, 0, 0),
        PROTO_TCP => {
            let tcp = TcpHeader::new_checked(buf, at)?;
            (
                tcp.src_port(),
                tcp.dst_port(),
                tcp.flags(),
                tcp.header_len(),
            )
        }
        PROTO_UDP => {
            let udp = UdpHeader::new_checked(buf, at)?;
            (udp.src_port(), udp.dst_port(), 0, UdpHeader::LEN)
        }
        PROTO_ICMP | PROTO_ICMPV6 => {
            IcmpHeader::new_checked(buf, at)?;
            (0, 0, 0, IcmpHeader::LEN)
        }
        _ => (0, 0, 0, 0),
    };
    let ip_hdrs = net.l4_off - net.l3_off;
    let payload_len = net.ip_len.saturating_sub(ip_hdrs + l4_len);
    let payload_offset = (net.l4_off + l4_len).min(frame.len());
    Ok(Packet {
        vlan,
        ip_version: net.ip_version,
        src: net.src,
        dst: net.dst,
        proto: net.proto,
        sport,
        dport,
        tcp_flags,
        ip_len: to_u32(net.ip_len),
        payload_offset: to_u32(payload_offset),
        payload_len: to_u32(payload_len),
        ..Packet::default()
    })
}

/// The frame from `off` to its end (empty if `off` is past the end).
fn rest(frame: &[u8], off: usize) -> &[u8] {
    frame.get(off..).unwrap_or(&[])
}

/// The frame from `off` up to `end` or the frame's end, whichever is first.
fn bounded(frame: &[u8], off: usize, end: usize) -> &[u8] {
    frame.get(off..end.min(frame.len())).unwrap_or(&[])
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
