//! Zero-copy decoding of a captured frame into a small [`Packet`] summary.
//!
//! Each header has a view type (`*Header<'a>`) whose `new_checked` validates
//! lengths once, after which its accessors cannot fail. [`decode`] chains
//! them: a link-layer header ([`LinkType`]), VLAN tags, MPLS labels and PPPoE,
//! IPv4 or IPv6 (with extension headers), then TCP, UDP, SCTP or ICMP; with
//! [`DecodeOptions::decode_tunnels`] it goes on through GRE, VXLAN, Geneve,
//! GTP-U, IP-in-IP, Teredo and L2TP to the innermost IP packet.
//!
//! Lengths follow the IP header, not the frame: Ethernet padding is ignored.
//! Once a valid IP header is found the frame decodes: a transport header cut
//! short by the capture length yields what was captured of it and sets
//! [`Packet::truncated`]. Errors are reserved for frames without IP, link
//! headers cut short, malformed IP headers and too many stacked layers.

pub mod error;
pub mod ethernet;
mod gre;
pub mod icmp;
pub mod ip_proto;
pub mod ipv4;
pub mod ipv6;
pub mod l2;
pub mod link;
mod network;
mod nflog;
pub mod packet;
mod ppp;
pub mod sctp;
pub mod tcp;
mod transport;
pub mod tunnel;
pub mod udp;
mod udptun;
pub mod vlan;
mod wlan;

pub mod emit;
#[cfg(test)]
mod tests;

pub use error::{DecodeError, DecodeReason, Layer};
pub use ethernet::{EthernetHeader, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6};
pub use icmp::IcmpHeader;
pub use ip_proto::IpProto;
pub use ipv4::Ipv4Header;
pub use ipv6::{Ipv6ExtHeader, Ipv6Header, MAX_EXT_HEADERS};
pub use l2::MAX_MPLS_LABELS;
pub use link::LinkType;
pub use packet::{Fragment, IcmpInfo, Packet, Tunnel};
pub use sctp::SctpHeader;
pub use tcp::{TcpFlags, TcpHeader};
pub use tunnel::MAX_TUNNEL_DEPTH;
pub use udp::UdpHeader;
pub use vlan::{VlanTag, MAX_VLAN_TAGS};

/// Options of [`decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeOptions {
    /// Remove tunnel encapsulations (up to [`MAX_TUNNEL_DEPTH`]) so that the
    /// packet describes the innermost IP header; `false` keys packets by
    /// their outer IP header.
    pub decode_tunnels: bool,
}

/// Decodes a frame of link type `link` down to the transport header.
///
/// Never panics and never allocates, whatever the input. Fails on frames
/// without IPv4/IPv6 ([`DecodeError::NotIp`]), link headers cut short,
/// malformed IP headers and too many VLAN tags, MPLS labels or IPv6 extension
/// headers. With `opts.decode_tunnels`, an encapsulated payload that does not
/// parse leaves the outer packet as the result.
#[inline]
pub fn decode(link: LinkType, frame: &[u8], opts: DecodeOptions) -> Result<Packet, DecodeError> {
    let mut vlan = 0;
    let start = link::locate_ip(link, frame, 0, &mut vlan)?;
    // One arm per IP version, so that each `Network` stays in registers.
    match network::resolve(frame, start) {
        l2::IpStart::V4(off) => {
            let net = network::ipv4_layer(frame, off)?;
            Ok(finish(frame, vlan, net, opts))
        }
        l2::IpStart::V6(off) => {
            let net = network::ipv6_layer(frame, off)?;
            Ok(finish(frame, vlan, net, opts))
        }
    }
}

/// The transport layer, then the tunnels if asked.
#[inline(always)]
fn finish(frame: &[u8], vlan: u16, net: network::Network, opts: DecodeOptions) -> Packet {
    let pkt = transport::transport_layer(frame, vlan, &net);
    if opts.decode_tunnels {
        tunnel::decapsulate(frame, net, pkt)
    } else {
        pkt
    }
}

/// Decodes an Ethernet II frame without removing tunnels: the live capture
/// path. Same as `decode(LinkType::Ethernet, frame, DecodeOptions::default())`.
#[inline]
pub fn decode_ethernet(frame: &[u8]) -> Result<Packet, DecodeError> {
    decode(LinkType::Ethernet, frame, DecodeOptions::default())
}
