//! Tunnel decapsulation: finds the IP packet carried inside the current
//! innermost one, up to [`MAX_TUNNEL_DEPTH`] levels deep.

use crate::decode::l2::{self, IpStart};
use crate::decode::network::{network_layer, Network};
use crate::decode::packet::{Packet, Tunnel};
use crate::decode::transport::transport_layer;
use crate::decode::{gre, udptun, IpProto, UdpHeader};

/// Most tunnel layers removed from one frame.
pub const MAX_TUNNEL_DEPTH: usize = 4;

/// UDP port of VXLAN.
pub const PORT_VXLAN: u16 = 4789;
/// UDP port of Geneve.
pub const PORT_GENEVE: u16 = 6081;
/// UDP port of GTP-U.
pub const PORT_GTP_U: u16 = 2152;
/// UDP port of Teredo.
pub const PORT_TEREDO: u16 = 3544;
/// UDP port of L2TP.
pub const PORT_L2TP: u16 = 1701;
/// UDP port of CAPWAP data channels.
pub const PORT_CAPWAP_DATA: u16 = 5247;

/// Replaces `pkt` (decoded from `net`) by the innermost tunnelled packet, as
/// long as each encapsulated payload parses; otherwise keeps the outer one.
pub(crate) fn decapsulate(frame: &[u8], mut net: Network, mut pkt: Packet) -> Packet {
    let vlan = pkt.vlan;
    for _ in 0..MAX_TUNNEL_DEPTH {
        // The encapsulated packet lies within the outer IP length.
        let outer = frame.get(..net.end()).unwrap_or(frame);
        let Some((kind, start)) = inner_start(outer, &net, &pkt) else {
            break;
        };
        let Ok(inner_net) = network_layer(outer, start) else {
            break;
        };
        let mut inner = transport_layer(outer, vlan, &inner_net);
        inner.tunnel = if pkt.tunnel == Tunnel::None {
            kind
        } else {
            pkt.tunnel
        };
        // A cut in the outer headers still shows in the summary.
        inner.truncated |= pkt.truncated;
        net = inner_net;
        pkt = inner;
    }
    pkt
}

/// The tunnel kind and inner IP header carried by the packet, if any.
fn inner_start(frame: &[u8], net: &Network, pkt: &Packet) -> Option<(Tunnel, IpStart)> {
    if !net.has_l4 || pkt.truncated {
        return None;
    }
    let at = net.l4_off;
    match net.proto {
        IpProto::IPIP => Some((Tunnel::IpInIp, IpStart::V4(at))),
        IpProto::IPV6 => Some((Tunnel::IpInIp, IpStart::V6(at))),
        IpProto::GRE => gre::gre(frame, at).map(|s| (Tunnel::Gre, s)),
        IpProto::UDP => {
            let data = at + UdpHeader::LEN;
            let (sport, dport) = (pkt.sport, pkt.dport);
            let either = |p| sport == p || dport == p;
            if dport == PORT_VXLAN {
                udptun::vxlan(frame, data).map(|s| (Tunnel::Vxlan, s))
            } else if dport == PORT_GENEVE {
                udptun::geneve(frame, data).map(|s| (Tunnel::Geneve, s))
            } else if either(PORT_GTP_U) {
                udptun::gtp_u(frame, data).map(|s| (Tunnel::GtpU, s))
            } else if either(PORT_TEREDO) {
                udptun::teredo(frame, data, net.end()).map(|s| (Tunnel::Teredo, s))
            } else if either(PORT_L2TP) {
                udptun::l2tp(frame, data).map(|s| (Tunnel::L2tp, s))
            } else if either(PORT_CAPWAP_DATA) {
                udptun::capwap(frame, data).map(|s| (Tunnel::Capwap, s))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// An Ethernet frame at `off` inside a tunnel, down to its IP header (inner
/// VLAN tags are not recorded).
pub(crate) fn ethernet(frame: &[u8], off: usize) -> Option<IpStart> {
    let ethertype = l2::be16(frame, off + 12)?;
    from_ethertype(frame, ethertype, off + 14)
}

/// [`l2::from_ethertype`] for tunnel payloads (inner VLAN ids are dropped).
pub(crate) fn from_ethertype(frame: &[u8], ethertype: u16, off: usize) -> Option<IpStart> {
    let mut vlan = 0;
    l2::from_ethertype(frame, ethertype, off, &mut vlan).ok()
}
