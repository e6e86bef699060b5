//! Application protocols Sluice detects, with nDPI's names and numbers (the
//! names PF_RING FT rules use, `ndpi_protocol_ids.h`).

use std::fmt;

use crate::flow::AppLabel;

macro_rules! protocols {
    ($($(#[$doc:meta])* $variant:ident = $id:literal, $name:literal;)*) => {
        /// An application protocol, as nDPI names and numbers it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum L7Proto {
            $($(#[$doc])* $variant = $id,)*
        }

        impl L7Proto {
            /// Every protocol, `Unknown` first.
            pub const ALL: &'static [L7Proto] = &[$(L7Proto::$variant,)*];

            /// nDPI's name (`ndpi_get_proto_name`), e.g. `TLS`, `FTP_CONTROL`.
            pub fn name(self) -> &'static str {
                match self {
                    $(L7Proto::$variant => $name,)*
                }
            }
        }
    };
}

protocols! {
    /// Not (yet) classified.
    #[default]
    Unknown = 0, "Unknown";
    /// FTP control connection.
    FtpControl = 1, "FTP_CONTROL";
    /// POP3.
    Pop3 = 2, "POP3";
    /// SMTP.
    Smtp = 3, "SMTP";
    /// IMAP.
    Imap = 4, "IMAP";
    /// DNS.
    Dns = 5, "DNS";
    /// HTTP/1.x.
    Http = 7, "HTTP";
    /// Multicast DNS.
    Mdns = 8, "MDNS";
    /// NTP.
    Ntp = 9, "NTP";
    /// NetBIOS (name, datagram and session services).
    NetBios = 10, "NetBIOS";
    /// SSDP (HTTP over UDP multicast).
    Ssdp = 12, "SSDP";
    /// SNMP.
    Snmp = 14, "SNMP";
    /// SMB version 1.
    SmbV1 = 16, "SMBv1";
    /// Syslog.
    Syslog = 17, "Syslog";
    /// DHCP.
    Dhcp = 18, "DHCP";
    /// POP3 over TLS.
    Pops = 23, "POPS";
    /// SMTP over TLS.
    Smtps = 29, "SMTPS";
    /// DTLS.
    Dtls = 30, "DTLS";
    /// BitTorrent.
    BitTorrent = 37, "BitTorrent";
    /// SMB versions 2 and 3.
    SmbV23 = 41, "SMBv23";
    /// IMAP over TLS.
    Imaps = 51, "IMAPS";
    /// STUN (and TURN).
    Stun = 78, "STUN";
    /// ICMP.
    Icmp = 81, "ICMP";
    /// RTP.
    Rtp = 87, "RTP";
    /// Remote Desktop Protocol.
    Rdp = 88, "RDP";
    /// TLS.
    Tls = 91, "TLS";
    /// SSH.
    Ssh = 92, "SSH";
    /// SIP.
    Sip = 100, "SIP";
    /// ICMPv6.
    Icmpv6 = 102, "ICMPV6";
    /// DHCPv6.
    Dhcpv6 = 103, "DHCPV6";
    /// Kerberos.
    Kerberos = 111, "Kerberos";
    /// LDAP.
    Ldap = 112, "LDAP";
    /// Link-Local Multicast Name Resolution.
    Llmnr = 154, "LLMNR";
    /// OpenVPN.
    OpenVpn = 159, "OpenVPN";
    /// RTCP.
    Rtcp = 165, "RTCP";
    /// FTP data connection.
    FtpData = 175, "FTP_DATA";
    /// QUIC.
    Quic = 188, "QUIC";
    /// WireGuard.
    WireGuard = 206, "WireGuard";
    /// MQTT.
    Mqtt = 222, "MQTT";
}

impl L7Proto {
    /// nDPI's protocol number.
    pub fn id(self) -> u16 {
        self as u16
    }

    /// The protocol with nDPI name `name` (case-insensitive), as PF_RING FT's
    /// `pfring_ft_set_filter_protocol_by_name` takes it.
    pub fn from_name(name: &str) -> Option<L7Proto> {
        L7Proto::ALL
            .iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The protocol with nDPI number `id`.
    pub fn from_id(id: u16) -> Option<L7Proto> {
        L7Proto::ALL.iter().copied().find(|p| p.id() == id)
    }
}

/// A flow record's application label carries nDPI's number.
impl From<L7Proto> for AppLabel {
    fn from(p: L7Proto) -> Self {
        AppLabel(p.id())
    }
}

impl PartialEq<L7Proto> for AppLabel {
    fn eq(&self, other: &L7Proto) -> bool {
        self.0 == other.id()
    }
}

impl AppLabel {
    /// The protocol this label numbers (`Unknown` for a number Sluice does
    /// not know).
    pub fn proto(self) -> L7Proto {
        L7Proto::from_id(self.0).unwrap_or_default()
    }

    /// nDPI's name of the protocol.
    pub fn name(self) -> &'static str {
        self.proto().name()
    }
}

impl fmt::Display for L7Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip() {
        for &p in L7Proto::ALL {
            assert_eq!(L7Proto::from_name(p.name()), Some(p));
            assert_eq!(L7Proto::from_id(p.id()), Some(p));
        }
        assert_eq!(L7Proto::from_name("tls"), Some(L7Proto::Tls));
        assert_eq!(L7Proto::from_name("ftp_control"), Some(L7Proto::FtpControl));
        assert_eq!(L7Proto::from_name("nope"), None);
        assert_eq!(L7Proto::Tls.id(), 91);
        assert_eq!(L7Proto::Quic.name(), "QUIC");
    }
}
