//! Capture link types (pcap `LINKTYPE_*` numbers) and the link-layer walk that
//! finds the IP header behind each of them.

use crate::decode::error::{DecodeError, Layer};
use crate::decode::ethernet::{EthernetHeader, ETHERTYPE_IPV4, ETHERTYPE_IPV6};
use crate::decode::l2::{self, IpStart};
use crate::decode::{nflog, ppp, wlan};

/// Link-layer header types the decoder understands, named after pcap's
/// `LINKTYPE_*` values (see [`LinkType::from_dlt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// Ethernet II (1), with VLAN, MPLS and PPPoE layers below.
    Ethernet,
    /// Linux "cooked" capture v1 (113): 16-byte header ending in an EtherType.
    LinuxSll,
    /// Linux "cooked" capture v2 (276): 20-byte header starting with an EtherType.
    LinuxSll2,
    /// Raw IP (101; also DLT_RAW 12 and 14): IPv4 or IPv6 by the version nibble.
    Raw,
    /// Raw IPv4 (228).
    Ipv4,
    /// Raw IPv6 (229).
    Ipv6,
    /// BSD loopback (0): a 4-byte address family in the capturing host's byte
    /// order (both orders are accepted).
    Null,
    /// OpenBSD loopback (108): a 4-byte address family in network byte order.
    Loop,
    /// PPP (9), optionally with HDLC address/control bytes.
    Ppp,
    /// PPP in HDLC-like framing (50); Cisco HDLC frames are recognised too.
    PppHdlc,
    /// Cisco HDLC (104): address, control, then an EtherType.
    CiscoHdlc,
    /// Per-Packet Information (192): a PPI header, then a frame of its inner link type.
    Ppi,
    /// IEEE 802.11 (105): data frames carrying LLC/SNAP.
    Ieee80211,
    /// Radiotap (127) followed by an IEEE 802.11 frame.
    Radiotap,
    /// Linux NFLOG (239): TLVs, the payload attribute holds the IP packet.
    Nflog,
}

impl LinkType {
    /// Every link type, for tests and documentation.
    pub const ALL: [LinkType; 15] = [
        LinkType::Ethernet,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::Raw,
        LinkType::Ipv4,
        LinkType::Ipv6,
        LinkType::Null,
        LinkType::Loop,
        LinkType::Ppp,
        LinkType::PppHdlc,
        LinkType::CiscoHdlc,
        LinkType::Ppi,
        LinkType::Ieee80211,
        LinkType::Radiotap,
        LinkType::Nflog,
    ];

    /// The link type of a pcap / pcapng `LINKTYPE_*` (or platform `DLT_*`)
    /// number; `None` for link types the decoder does not handle.
    pub fn from_dlt(dlt: u32) -> Option<LinkType> {
        Some(match dlt {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            9 => LinkType::Ppp,
            12 | 14 | 101 => LinkType::Raw,
            50 => LinkType::PppHdlc,
            104 => LinkType::CiscoHdlc,
            105 => LinkType::Ieee80211,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            127 => LinkType::Radiotap,
            192 => LinkType::Ppi,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            239 => LinkType::Nflog,
            276 => LinkType::LinuxSll2,
            _ => return None,
        })
    }

    /// Short lowercase name, e.g. `"linux-sll"`.
    pub fn name(self) -> &'static str {
        match self {
            LinkType::Ethernet => "ethernet",
            LinkType::LinuxSll => "linux-sll",
            LinkType::LinuxSll2 => "linux-sll2",
            LinkType::Raw => "raw",
            LinkType::Ipv4 => "ipv4",
            LinkType::Ipv6 => "ipv6",
            LinkType::Null => "null",
            LinkType::Loop => "loop",
            LinkType::Ppp => "ppp",
            LinkType::PppHdlc => "ppp-hdlc",
            LinkType::CiscoHdlc => "cisco-hdlc",
            LinkType::Ppi => "ppi",
            LinkType::Ieee80211 => "ieee802.11",
            LinkType::Radiotap => "radiotap",
            LinkType::Nflog => "nflog",
        }
    }
}

/// BSD address family values of IPv6 (FreeBSD/DragonFly 28, Darwin 30,
/// NetBSD/OpenBSD/BSD-OS 24).
fn is_af_inet6(af: u32) -> bool {
    matches!(af, 24 | 28 | 30)
}

/// Finds the IP header of a frame of type `link` starting at `off`; writes the
/// outer VLAN id (if any) to `vlan`.
#[inline]
pub(crate) fn locate_ip(
    link: LinkType,
    frame: &[u8],
    off: usize,
    vlan: &mut u16,
) -> Result<IpStart, DecodeError> {
    match link {
        LinkType::Ethernet => {
            let h = l2::take(frame, off, EthernetHeader::LEN, Layer::Ethernet)?;
            let ethertype = u16::from_be_bytes([h[12], h[13]]);
            let next = off + EthernetHeader::LEN;
            // Fast path for untagged IP, the common case of live capture.
            match ethertype {
                ETHERTYPE_IPV4 => Ok(IpStart::V4(next)),
                ETHERTYPE_IPV6 => Ok(IpStart::V6(next)),
                _ => l2::from_ethertype(frame, ethertype, next, vlan),
            }
        }
        LinkType::LinuxSll => {
            let h = l2::take(frame, off, 16, Layer::Link(link))?;
            let arphrd = u16::from_be_bytes([h[2], h[3]]);
            let proto = u16::from_be_bytes([h[14], h[15]]);
            cooked(link, frame, arphrd, proto, off + 16, vlan)
        }
        LinkType::LinuxSll2 => {
            let h = l2::take(frame, off, 20, Layer::Link(link))?;
            let arphrd = u16::from_be_bytes([h[8], h[9]]);
            let proto = u16::from_be_bytes([h[0], h[1]]);
            cooked(link, frame, arphrd, proto, off + 20, vlan)
        }
        LinkType::Raw => {
            let h = l2::take(frame, off, 1, Layer::Link(link))?;
            match h[0] >> 4 {
                4 => Ok(IpStart::V4(off)),
                6 => Ok(IpStart::V6(off)),
                version => Err(DecodeError::BadIpVersion {
                    layer: Layer::Link(link),
                    offset: off,
                    version,
                }),
            }
        }
        LinkType::Ipv4 => Ok(IpStart::V4(off)),
        LinkType::Ipv6 => Ok(IpStart::V6(off)),
        LinkType::Null | LinkType::Loop => {
            let h = l2::take(frame, off, 4, Layer::Link(link))?;
            let be = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
            let le = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            let host = link == LinkType::Null;
            if be == 2 || (host && le == 2) {
                Ok(IpStart::V4(off + 4))
            } else if is_af_inet6(be) || (host && is_af_inet6(le)) {
                Ok(IpStart::V6(off + 4))
            } else {
                Err(DecodeError::NotIp {
                    layer: Layer::Link(link),
                    protocol: if host { le.min(be) } else { be },
                })
            }
        }
        LinkType::Ppp | LinkType::PppHdlc => ppp::ppp_frame(link, frame, off, vlan),
        LinkType::CiscoHdlc => ppp::cisco_hdlc(link, frame, off, vlan),
        LinkType::Ppi => {
            let h = l2::take(frame, off, 8, Layer::Link(link))?;
            let len = usize::from(u16::from_le_bytes([h[2], h[3]]));
            let dlt = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
            match LinkType::from_dlt(dlt) {
                Some(inner) if len >= 8 && inner != LinkType::Ppi => {
                    l2::take(frame, off, len, Layer::Link(link))?;
                    locate_ip(inner, frame, off + len, vlan)
                }
                _ => Err(DecodeError::BadLinkHeader { link, offset: off }),
            }
        }
        LinkType::Ieee80211 => wlan::ieee80211(frame, off, vlan),
        LinkType::Radiotap => wlan::radiotap(frame, off, vlan),
        LinkType::Nflog => nflog::nflog(frame, off),
    }
}

/// The rest of a Linux cooked header: `proto` is an EtherType unless the
/// ARPHRD type is netlink (824) or the protocol is one of the 802.2/802.3
/// pseudo values below 0x0600.
fn cooked(
    link: LinkType,
    frame: &[u8],
    arphrd: u16,
    proto: u16,
    off: usize,
    vlan: &mut u16,
) -> Result<IpStart, DecodeError> {
    if arphrd == 824 || proto < 0x0600 {
        return Err(DecodeError::NotIp {
            layer: Layer::Link(link),
            protocol: u32::from(proto),
        });
    }
    l2::from_ethertype(frame, proto, off, vlan)
}
