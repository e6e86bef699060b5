//! The transport header after the (innermost) IP header, read leniently:
//! whatever part of it was captured gives the ports, flags and ICMP fields.

use crate::decode::icmp;
use crate::decode::network::Network;
use crate::decode::packet::{IcmpInfo, Packet};
use crate::decode::{IpProto, SctpHeader, TcpFlags, UdpHeader};

/// Nominal transport header length of `proto` given the bytes in `buf`.
#[inline]
fn header_len(proto: IpProto, buf: &[u8]) -> usize {
    match proto {
        // Data offset when present and sane, else the minimum.
        IpProto::TCP => buf.get(12).map_or(20, |b| usize::from(b >> 4) * 4).max(20),
        IpProto::UDP => UdpHeader::LEN,
        IpProto::SCTP => SctpHeader::LEN,
        IpProto::ICMP | IpProto::ICMPV6 => icmp::IcmpHeader::LEN,
        _ => 0,
    }
}

/// Builds the packet summary from the network layer and the transport header
/// at `net.l4_off`. Never fails: a transport header cut short by the capture
/// sets [`Packet::truncated`] and keeps whatever fields were captured (ports
/// need its first 4 bytes, TCP flags byte 13); malformed fields are ignored.
#[inline(always)]
pub(crate) fn transport_layer(frame: &[u8], vlan: u16, net: &Network) -> Packet {
    let end = net.end();
    let buf = frame.get(net.l4_off..end.min(frame.len())).unwrap_or(&[]);
    let mut pkt = Packet {
        vlan,
        ip_version: net.ip_version,
        src: net.src,
        dst: net.dst,
        proto: net.proto,
        frag: net.frag,
        truncated: net.cut,
        ..Packet::default()
    };
    let l4_len = if net.has_l4 {
        header_len(net.proto, buf)
    } else {
        0
    };
    if l4_len > 0 {
        match net.proto {
            IpProto::TCP | IpProto::UDP | IpProto::SCTP => {
                if let Some(p) = buf.get(..4) {
                    pkt.sport = u16::from_be_bytes([p[0], p[1]]);
                    pkt.dport = u16::from_be_bytes([p[2], p[3]]);
                }
                if net.proto == IpProto::TCP {
                    pkt.tcp_flags = TcpFlags(buf.get(13).copied().unwrap_or(0));
                }
            }
            _ => pkt.icmp = icmp_info(net.proto == IpProto::ICMPV6, buf),
        }
        // Cut short by the capture length, not by a too-small IP length.
        if buf.len() < l4_len && frame.len() < end {
            pkt.truncated = true;
        }
    }
    let ip_hdrs = net.l4_off - net.l3_off;
    pkt.ip_len = to_u32(net.ip_len);
    pkt.payload_len = to_u32(net.ip_len.saturating_sub(ip_hdrs + l4_len));
    pkt.payload_offset = to_u32((net.l4_off + l4_len).min(frame.len()));
    pkt.l4_offset = to_u32(net.l4_off.min(frame.len()));
    pkt.l3_offset = to_u32(net.l3_off.min(frame.len()));
    pkt
}

/// ICMP fields from what was captured of the header.
#[inline]
fn icmp_info(v6: bool, buf: &[u8]) -> IcmpInfo {
    let kind = buf.first().copied().unwrap_or(0);
    let id = match buf.get(4..6) {
        Some(b) if icmp::has_identifier(v6, kind) => u16::from_be_bytes([b[0], b[1]]),
        _ => 0,
    };
    IcmpInfo {
        kind,
        code: buf.get(1).copied().unwrap_or(0),
        id,
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
