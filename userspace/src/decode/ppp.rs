//! PPP (RFC 1661, with HDLC-like framing per RFC 1662) and Cisco HDLC.

use crate::decode::error::{DecodeError, Layer};
use crate::decode::l2::{self, IpStart, ETHERTYPE_MPLS};
use crate::decode::link::LinkType;

/// PPP protocol number of IPv4.
pub const PPP_IPV4: u16 = 0x0021;
/// PPP protocol number of IPv6.
pub const PPP_IPV6: u16 = 0x0057;
/// PPP protocol number of MPLS unicast.
pub const PPP_MPLS: u16 = 0x0281;
/// PPP protocol number of MPLS multicast.
pub const PPP_MPLS_MULTICAST: u16 = 0x0283;

/// A PPP frame at `off`: optional `ff 03` address/control bytes (a Cisco
/// HDLC frame when the first byte is 0x0f or 0x8f), then the protocol.
pub(crate) fn ppp_frame(
    link: LinkType,
    frame: &[u8],
    off: usize,
    vlan: &mut u16,
) -> Result<IpStart, DecodeError> {
    let first = l2::take(frame, off, 1, Layer::Link(link))?[0];
    match first {
        0x0f | 0x8f => cisco_hdlc(link, frame, off, vlan),
        0xff => {
            l2::take(frame, off, 2, Layer::Link(link))?;
            ppp_protocol(Layer::Ppp, frame, off + 2, vlan)
        }
        _ => ppp_protocol(Layer::Ppp, frame, off, vlan),
    }
}

/// The PPP protocol field at `off` (one byte when compressed: an odd first
/// byte) and the IP header after it. `layer` names the layer in errors about
/// a missing protocol field.
pub(crate) fn ppp_protocol(
    layer: Layer,
    frame: &[u8],
    off: usize,
    vlan: &mut u16,
) -> Result<IpStart, DecodeError> {
    let first = l2::take(frame, off, 1, layer)?[0];
    let (proto, len) = if first & 1 == 1 {
        (u16::from(first), 1)
    } else {
        let b = l2::take(frame, off, 2, layer)?;
        (u16::from_be_bytes([b[0], b[1]]), 2)
    };
    match proto {
        PPP_IPV4 => Ok(IpStart::V4(off + len)),
        PPP_IPV6 => Ok(IpStart::V6(off + len)),
        PPP_MPLS | PPP_MPLS_MULTICAST => l2::from_ethertype(frame, ETHERTYPE_MPLS, off + len, vlan),
        other => Err(DecodeError::NotIp {
            layer: Layer::Ppp,
            protocol: u32::from(other),
        }),
    }
}

/// A Cisco HDLC frame at `off`: address, control, then an EtherType.
pub(crate) fn cisco_hdlc(
    link: LinkType,
    frame: &[u8],
    off: usize,
    vlan: &mut u16,
) -> Result<IpStart, DecodeError> {
    let h = l2::take(frame, off, 4, Layer::Link(link))?;
    let proto = u16::from_be_bytes([h[2], h[3]]);
    l2::from_ethertype(frame, proto, off + 4, vlan).map_err(|e| match e {
        DecodeError::NotIp {
            layer: Layer::Ethernet,
            protocol,
        } => DecodeError::NotIp {
            layer: Layer::Link(link),
            protocol,
        },
        e => e,
    })
}
