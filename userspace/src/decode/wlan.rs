//! IEEE 802.11 data frames (LLC/SNAP-encapsulated) and the radiotap header
//! that may precede them.

use crate::decode::error::{DecodeError, Layer};
use crate::decode::l2::{self, IpStart};
use crate::decode::link::LinkType;

/// A radiotap header at `off` (its length is in bytes 2..4, little-endian),
/// then an 802.11 frame.
pub(crate) fn radiotap(frame: &[u8], off: usize, vlan: &mut u16) -> Result<IpStart, DecodeError> {
    let link = LinkType::Radiotap;
    let h = l2::take(frame, off, 8, Layer::Link(link))?;
    let len = usize::from(u16::from_le_bytes([h[2], h[3]]));
    if h[0] != 0 || len < 8 {
        return Err(DecodeError::BadLinkHeader { link, offset: off });
    }
    l2::take(frame, off, len, Layer::Link(link))?;
    ieee80211(frame, off + len, vlan)
}

/// An 802.11 frame at `off`. Only unprotected data frames carrying an
/// LLC/SNAP header lead to IP; everything else is [`DecodeError::NotIp`]
/// with the frame control field as protocol.
pub(crate) fn ieee80211(frame: &[u8], off: usize, vlan: &mut u16) -> Result<IpStart, DecodeError> {
    ieee80211_fc(frame, off, vlan, false)
}

/// [`ieee80211`], with the two frame-control bytes swapped when `swap_fc`
/// (as Cisco CAPWAP access points send them).
pub(crate) fn ieee80211_fc(
    frame: &[u8],
    off: usize,
    vlan: &mut u16,
    swap_fc: bool,
) -> Result<IpStart, DecodeError> {
    let layer = Layer::Link(LinkType::Ieee80211);
    let fc = l2::take(frame, off, 2, layer)?;
    let (fc0, flags) = if swap_fc {
        (fc[1], fc[0])
    } else {
        (fc[0], fc[1])
    };
    let not_ip = DecodeError::NotIp {
        layer,
        protocol: u32::from(u16::from_be_bytes([fc0, flags])),
    };
    let kind = (fc0 >> 2) & 0x3;
    let subtype = fc0 >> 4;
    // Data frames only; not null-function (no body), not protected (encrypted).
    if fc0 & 0x3 != 0 || kind != 2 || subtype & 0x4 != 0 || flags & 0x40 != 0 {
        return Err(not_ip);
    }
    let qos = subtype & 0x8 != 0;
    let mut len = 24;
    if flags & 0x03 == 0x03 {
        len += 6; // fourth address
    }
    let mut amsdu = false;
    if qos {
        let q = l2::take(frame, off + len, 2, layer)?;
        amsdu = q[0] & 0x80 != 0;
        len += 2;
        if flags & 0x80 != 0 {
            len += 4; // HT control
        }
    }
    l2::take(frame, off, len, layer)?;
    let mut at = off + len;
    if amsdu {
        // First A-MSDU subframe: destination, source, length, then LLC.
        l2::take(frame, at, 14, layer)?;
        at += 14;
    }
    let llc = l2::take(frame, at, 8, layer)?;
    if llc[..3] != [0xaa, 0xaa, 0x03] {
        return Err(not_ip);
    }
    let ethertype = u16::from_be_bytes([llc[6], llc[7]]);
    l2::from_ethertype(frame, ethertype, at + 8, vlan)
}
