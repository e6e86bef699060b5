//! Port-based guesses, used only when payload detection gave up.

use crate::decode::IpProto;
use crate::l7::proto::L7Proto;

/// Well-known TCP ports and their protocol (nDPI's default ports).
const TCP_PORTS: &[(u16, L7Proto)] = &[
    (21, L7Proto::FtpControl),
    (22, L7Proto::Ssh),
    (25, L7Proto::Smtp),
    (53, L7Proto::Dns),
    (80, L7Proto::Http),
    (88, L7Proto::Kerberos),
    (110, L7Proto::Pop3),
    (139, L7Proto::NetBios),
    (143, L7Proto::Imap),
    (389, L7Proto::Ldap),
    (443, L7Proto::Tls),
    (445, L7Proto::SmbV23),
    (465, L7Proto::Smtps),
    (587, L7Proto::Smtp),
    (993, L7Proto::Imaps),
    (995, L7Proto::Pops),
    (1194, L7Proto::OpenVpn),
    (1883, L7Proto::Mqtt),
    (3389, L7Proto::Rdp),
    (5060, L7Proto::Sip),
    (5061, L7Proto::Sip),
    (6881, L7Proto::BitTorrent),
];

/// Well-known UDP ports and their protocol.
const UDP_PORTS: &[(u16, L7Proto)] = &[
    (53, L7Proto::Dns),
    (67, L7Proto::Dhcp),
    (68, L7Proto::Dhcp),
    (88, L7Proto::Kerberos),
    (123, L7Proto::Ntp),
    (137, L7Proto::NetBios),
    (138, L7Proto::NetBios),
    (161, L7Proto::Snmp),
    (162, L7Proto::Snmp),
    (389, L7Proto::Ldap),
    (443, L7Proto::Quic),
    (514, L7Proto::Syslog),
    (546, L7Proto::Dhcpv6),
    (547, L7Proto::Dhcpv6),
    (1194, L7Proto::OpenVpn),
    (1900, L7Proto::Ssdp),
    (3478, L7Proto::Stun),
    (5060, L7Proto::Sip),
    (5353, L7Proto::Mdns),
    (5355, L7Proto::Llmnr),
    (6881, L7Proto::BitTorrent),
    (51820, L7Proto::WireGuard),
];

/// The protocol a TCP or UDP flow between ports `sport` and `dport` most
/// likely carries: the destination port's, else the source port's; `None`
/// when neither is a known port.
pub fn guess(ip_proto: IpProto, sport: u16, dport: u16) -> Option<L7Proto> {
    let table = match ip_proto {
        IpProto::TCP => TCP_PORTS,
        IpProto::UDP => UDP_PORTS,
        _ => return None,
    };
    let find = |port: u16| table.iter().find(|&&(p, _)| p == port).map(|&(_, l)| l);
    find(dport).or_else(|| find(sport))
}
