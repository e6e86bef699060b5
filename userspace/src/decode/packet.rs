//! The small, reference-free summary of one decoded frame.

use crate::decode::{IpProto, TcpFlags};

/// Summary of one decoded frame: everything the flow table needs.
///
/// Addresses are 16-byte arrays for both IP versions. **IPv4 addresses occupy
/// the first 4 bytes and the remaining 12 bytes are zero** (not IPv4-mapped);
/// `ip_version` tells the two apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Packet {
    /// Outer VLAN id (12 bits), 0 when untagged.
    pub vlan: u16,
    /// 4 or 6.
    pub ip_version: u8,
    /// Source address (IPv4 in bytes 0..4, rest zero).
    pub src: [u8; 16],
    /// Destination address (IPv4 in bytes 0..4, rest zero).
    pub dst: [u8; 16],
    /// Transport protocol number (after IPv6 extension headers).
    pub proto: IpProto,
    /// Source port for TCP/UDP/SCTP, 0 otherwise and for non-first fragments.
    pub sport: u16,
    /// Destination port for TCP/UDP/SCTP, 0 otherwise and for non-first fragments.
    pub dport: u16,
    /// TCP flags byte (CWR..FIN), 0 if not TCP.
    pub tcp_flags: TcpFlags,
    /// IP header(s) + payload octets as claimed by the IP header
    /// (IPv4 total length, IPv6 payload length + 40); excludes Ethernet padding.
    pub ip_len: u32,
    /// Offset in the frame where the transport payload starts, clamped to the
    /// frame length (the payload may be cut short by the capture length).
    pub payload_offset: u32,
    /// Offset in the frame where the (innermost) IP header starts.
    pub l3_offset: u32,
    /// Offset in the frame where the transport header (TCP, UDP, ICMP...)
    /// starts, clamped to the frame length.
    pub l4_offset: u32,
    /// Transport payload octets per the IP length (Joy's byte count): IP length
    /// minus IP headers minus the TCP/UDP/ICMP header; for other protocols and
    /// non-first fragments, IP length minus IP headers.
    pub payload_len: u32,
    /// IP fragmentation of the (innermost) IP header, `None` when not a fragment.
    pub frag: Option<Fragment>,
    /// ICMP/ICMPv6 type, code and identifier (echo id, 0 for other types);
    /// all 0 for other protocols.
    pub icmp: IcmpInfo,
    /// The outermost tunnel decapsulated to reach this packet's IP header
    /// ([`Tunnel::None`] when tunnels are not decoded or there is none).
    pub tunnel: Tunnel,
    /// True when the frame was cut short by the capture length somewhere in the
    /// headers the flow key needs (the packet still counts, with what was read).
    pub truncated: bool,
}

/// Fragmentation fields of an IPv4 header or an IPv6 fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fragment {
    /// Identification (16 bits for IPv4, 32 bits for IPv6).
    pub id: u32,
    /// Fragment offset in 8-byte units; 0 for the first fragment.
    pub offset: u16,
    /// More-fragments flag.
    pub more: bool,
}

impl Fragment {
    /// True for the first fragment, the one carrying the transport header.
    pub fn is_first(&self) -> bool {
        self.offset == 0
    }
}

/// ICMP fields that tell ICMP flows apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IcmpInfo {
    /// Message type.
    pub kind: u8,
    /// Message code.
    pub code: u8,
    /// Identifier of echo / timestamp / information messages, else 0.
    pub id: u16,
}

/// Tunnel encapsulations the decoder can remove (when asked to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[repr(u8)]
pub enum Tunnel {
    /// Not tunnelled (or tunnels not decoded).
    #[default]
    None = 0,
    /// GRE (including ERSPAN and transparent Ethernet bridging).
    Gre,
    /// VXLAN (UDP 4789).
    Vxlan,
    /// Geneve (UDP 6081).
    Geneve,
    /// GTP-U (UDP 2152).
    GtpU,
    /// IP in IP: IPv4/IPv6 carried directly in IPv4/IPv6 (protocols 4 and 41).
    IpInIp,
    /// Teredo: IPv6 in UDP (port 3544).
    Teredo,
    /// L2TPv2 data (UDP 1701) carrying PPP.
    L2tp,
    /// CAPWAP data channel (UDP 5247) carrying 802.3 or 802.11 frames.
    Capwap,
}

impl Tunnel {
    /// Lowercase name used in JSON (`"gre"`, `"vxlan"`, ...); `"none"` for `None`.
    pub fn name(self) -> &'static str {
        match self {
            Tunnel::None => "none",
            Tunnel::Gre => "gre",
            Tunnel::Vxlan => "vxlan",
            Tunnel::Geneve => "geneve",
            Tunnel::GtpU => "gtp-u",
            Tunnel::IpInIp => "ip-in-ip",
            Tunnel::Teredo => "teredo",
            Tunnel::L2tp => "l2tp",
            Tunnel::Capwap => "capwap",
        }
    }
}
