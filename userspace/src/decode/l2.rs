//! The layers between a link header and IP that are chosen by an EtherType:
//! VLAN tags (802.1Q, 802.1ad, QinQ), MPLS label stacks (with Ethernet
//! pseudowires), Cisco FabricPath and PPPoE sessions.

use crate::decode::error::{DecodeError, Layer};
use crate::decode::ethernet::{EthernetHeader, ETHERTYPE_IPV4, ETHERTYPE_IPV6};
use crate::decode::ppp;
use crate::decode::vlan::{self, VlanTag, MAX_VLAN_TAGS};

/// EtherType of MPLS unicast.
pub const ETHERTYPE_MPLS: u16 = 0x8847;
/// EtherType of MPLS multicast.
pub const ETHERTYPE_MPLS_MULTICAST: u16 = 0x8848;
/// EtherType of a PPPoE session.
pub const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
/// EtherType of Cisco FabricPath: a 2-byte FTag/TTL, then an Ethernet frame.
pub const ETHERTYPE_FABRICPATH: u16 = 0x8903;
/// Most MPLS labels the decoder walks before giving up.
pub const MAX_MPLS_LABELS: usize = 8;

/// Where an IP header starts in the frame, and which version it should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpStart {
    /// An IPv4 header at this offset.
    V4(usize),
    /// An IPv6 header at this offset.
    V6(usize),
}

/// The frame from `off` to its end (empty if `off` is past the end).
#[inline]
pub(crate) fn rest(frame: &[u8], off: usize) -> &[u8] {
    frame.get(off..).unwrap_or(&[])
}

/// The `n` bytes at `off`, or `Truncated` for `layer`.
#[inline]
pub(crate) fn take(frame: &[u8], off: usize, n: usize, layer: Layer) -> Result<&[u8], DecodeError> {
    match frame.get(off..).and_then(|r| r.get(..n)) {
        Some(b) => Ok(b),
        None => Err(DecodeError::Truncated {
            layer,
            offset: off,
            needed: n,
            available: rest(frame, off).len(),
        }),
    }
}

pub(crate) use crate::bytes::be16;

/// Follows `ethertype` (whose payload starts at `off`) through VLAN tags,
/// MPLS labels, Ethernet pseudowires and PPPoE down to IPv4 or IPv6. The first
/// VLAN id met is written to `vlan` if it is still 0.
pub(crate) fn from_ethertype(
    frame: &[u8],
    mut ethertype: u16,
    mut off: usize,
    vlan: &mut u16,
) -> Result<IpStart, DecodeError> {
    let mut tags = 0;
    let mut labels = 0;
    loop {
        match ethertype {
            ETHERTYPE_IPV4 => return Ok(IpStart::V4(off)),
            ETHERTYPE_IPV6 => return Ok(IpStart::V6(off)),
            t if vlan::is_vlan_tpid(t) => {
                if tags == MAX_VLAN_TAGS {
                    return Err(DecodeError::TooManyVlanTags { offset: off - 2 });
                }
                let tag = VlanTag::new_checked(rest(frame, off), off)?;
                if *vlan == 0 {
                    *vlan = tag.vid();
                }
                ethertype = tag.ethertype();
                off += VlanTag::LEN;
                tags += 1;
            }
            ETHERTYPE_MPLS | ETHERTYPE_MPLS_MULTICAST => {
                let (next, at) = mpls(frame, off, &mut labels)?;
                match next {
                    MplsPayload::Ip(start) => return Ok(start),
                    MplsPayload::Ethernet => {
                        let h = take(frame, at, EthernetHeader::LEN, Layer::Ethernet)?;
                        ethertype = u16::from_be_bytes([h[12], h[13]]);
                        off = at + EthernetHeader::LEN;
                    }
                }
            }
            ETHERTYPE_FABRICPATH => {
                // FTag/TTL, then the original Ethernet frame.
                let h = take(frame, off + 2, EthernetHeader::LEN, Layer::Ethernet)?;
                ethertype = u16::from_be_bytes([h[12], h[13]]);
                off += 2 + EthernetHeader::LEN;
            }
            ETHERTYPE_PPPOE_SESSION => {
                take(frame, off, 6, Layer::Pppoe)?;
                return ppp::ppp_protocol(Layer::Pppoe, frame, off + 6, vlan);
            }
            other => {
                return Err(DecodeError::NotIp {
                    layer: Layer::Ethernet,
                    protocol: u32::from(other),
                })
            }
        }
    }
}

/// What follows an MPLS label stack.
enum MplsPayload {
    Ip(IpStart),
    /// An Ethernet frame at the returned offset (pseudowire after its control word).
    Ethernet,
}

/// Walks an MPLS label stack at `off` (counting labels in `labels`) and
/// guesses the payload from the first nibble after the bottom-of-stack label:
/// 4 IPv4, 6 IPv6, 0 a pseudowire control word followed by Ethernet.
fn mpls(
    frame: &[u8],
    mut off: usize,
    labels: &mut usize,
) -> Result<(MplsPayload, usize), DecodeError> {
    loop {
        if *labels == MAX_MPLS_LABELS {
            return Err(DecodeError::TooManyMplsLabels { offset: off });
        }
        let l = take(frame, off, 4, Layer::Mpls)?;
        off += 4;
        *labels += 1;
        if l[2] & 0x01 != 0 {
            break;
        }
    }
    let first = take(frame, off, 1, Layer::Mpls)?[0];
    match first >> 4 {
        4 => Ok((MplsPayload::Ip(IpStart::V4(off)), off)),
        6 => Ok((MplsPayload::Ip(IpStart::V6(off)), off)),
        0 => Ok((MplsPayload::Ethernet, off + 4)),
        nibble => Err(DecodeError::NotIp {
            layer: Layer::Mpls,
            protocol: u32::from(nibble),
        }),
    }
}
