//! The small, reference-free summary of one decoded frame.

/// Summary of one decoded Ethernet frame: everything the flow table needs.
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
    pub proto: u8,
    /// Source port for TCP/UDP, 0 otherwise and for non-first fragments.
    pub sport: u16,
    /// Destination port for TCP/UDP, 0 otherwise and for non-first fragments.
    pub dport: u16,
    /// TCP flags byte (CWR..FIN), 0 if not TCP.
    pub tcp_flags: u8,
    /// IP header(s) + payload octets as claimed by the IP header
    /// (IPv4 total length, IPv6 payload length + 40); excludes Ethernet padding.
    pub ip_len: u32,
    /// Offset in the frame where the transport payload starts, clamped to the
    /// frame length (the payload may be cut short by the capture length).
    pub payload_offset: u32,
    /// Transport payload octets per the IP length (Joy's byte count): IP length
    /// minus IP headers minus the TCP/UDP/ICMP header; for other protocols and
    /// non-first fragments, IP length minus IP headers.
    pub payload_len: u32,
}

/// TCP FIN flag bit in [`Packet::tcp_flags`].
pub const TCP_FIN: u8 = 0x01;
/// TCP SYN flag bit in [`Packet::tcp_flags`].
pub const TCP_SYN: u8 = 0x02;
/// TCP RST flag bit in [`Packet::tcp_flags`].
pub const TCP_RST: u8 = 0x04;
/// TCP ACK flag bit in [`Packet::tcp_flags`].
pub const TCP_ACK: u8 = 0x10;

/// IP protocol number of ICMP.
pub const PROTO_ICMP: u8 = 1;
/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;
/// IP protocol number of ICMPv6.
pub const PROTO_ICMPV6: u8 = 58;
