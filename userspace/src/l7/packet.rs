//! The view of one packet the classifier gets.

use crate::decode::{IpProto, TcpFlags};
use crate::flow::Direction;

/// One packet of a flow as the L7 classifier sees it: transport ports, the
/// direction and the transport payload, borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct L7Packet<'a> {
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...).
    pub ip_proto: IpProto,
    /// The packet's source port (0 without ports).
    pub sport: u16,
    /// The packet's destination port (0 without ports).
    pub dport: u16,
    /// Sent by the flow's source (`Out`: its first sender, normally the client).
    pub dir: Direction,
    /// Transport payload as captured (may be cut short by the capture length).
    pub payload: &'a [u8],
    /// TCP flags (0 for other protocols).
    pub tcp_flags: TcpFlags,
}

impl L7Packet<'_> {
    /// True for TCP.
    pub fn is_tcp(&self) -> bool {
        self.ip_proto == IpProto::TCP
    }

    /// True for UDP.
    pub fn is_udp(&self) -> bool {
        self.ip_proto == IpProto::UDP
    }

    /// True if either port is `port`.
    pub fn port(&self, port: u16) -> bool {
        self.sport == port || self.dport == port
    }

    /// True if the packet goes to `port` or comes from it.
    pub fn any_port(&self, ports: &[u16]) -> bool {
        ports.iter().any(|&p| self.port(p))
    }
}
