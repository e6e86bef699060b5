//! IP protocol numbers (IANA "Assigned Internet Protocol Numbers").

use std::fmt;

/// An IP protocol number: IPv4's protocol, IPv6's next header after the
/// extension headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct IpProto(pub u8);

impl IpProto {
    /// ICMP.
    pub const ICMP: IpProto = IpProto(1);
    /// IPv4 encapsulated in IP (IP-in-IP).
    pub const IPIP: IpProto = IpProto(4);
    /// TCP.
    pub const TCP: IpProto = IpProto(6);
    /// UDP.
    pub const UDP: IpProto = IpProto(17);
    /// IPv6 encapsulated in IP (6in4, 6in6).
    pub const IPV6: IpProto = IpProto(41);
    /// GRE.
    pub const GRE: IpProto = IpProto(47);
    /// ESP (IPsec).
    pub const ESP: IpProto = IpProto(50);
    /// ICMPv6.
    pub const ICMPV6: IpProto = IpProto(58);
    /// SCTP.
    pub const SCTP: IpProto = IpProto(132);

    /// The number.
    #[inline]
    pub fn number(self) -> u8 {
        self.0
    }

    /// True for ICMP and ICMPv6.
    #[inline]
    pub fn is_icmp(self) -> bool {
        self == IpProto::ICMP || self == IpProto::ICMPV6
    }

    /// True for TCP, UDP and SCTP, which have ports.
    #[inline]
    pub fn has_ports(self) -> bool {
        matches!(self, IpProto::TCP | IpProto::UDP | IpProto::SCTP)
    }
}

impl From<u8> for IpProto {
    fn from(n: u8) -> Self {
        IpProto(n)
    }
}

/// The number, as Joy's and PF_RING FT's records print it.
impl fmt::Display for IpProto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
