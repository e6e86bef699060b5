//! GRE (RFC 2784 / 2890, and the enhanced GRE of PPTP, RFC 2637) and the
//! ERSPAN headers it may carry.

use crate::decode::error::Layer;
use crate::decode::l2::{self, IpStart};
use crate::decode::ppp;
use crate::decode::tunnel::{ethernet, from_ethertype};

/// GRE protocol type of transparent Ethernet bridging.
pub const GRE_TEB: u16 = 0x6558;
/// GRE protocol type of ERSPAN type I/II.
pub const GRE_ERSPAN2: u16 = 0x88be;
/// GRE protocol type of ERSPAN type III.
pub const GRE_ERSPAN3: u16 = 0x22eb;
/// GRE protocol type of PPP (PPTP).
pub const GRE_PPP: u16 = 0x880b;

const FLAG_CHECKSUM: u16 = 0x8000;
const FLAG_ROUTING: u16 = 0x4000;
const FLAG_KEY: u16 = 0x2000;
const FLAG_SEQ: u16 = 0x1000;
const FLAG_ACK: u16 = 0x0080;

/// The IP header inside the GRE packet at `off`, if any.
pub(crate) fn gre(frame: &[u8], off: usize) -> Option<IpStart> {
    let flags = l2::be16(frame, off)?;
    let proto = l2::be16(frame, off + 2)?;
    match flags & 0x7 {
        0 => {
            if flags & FLAG_ROUTING != 0 {
                return None; // RFC 1701 source routes: not supported
            }
            let mut at = off + 4;
            for f in [FLAG_CHECKSUM, FLAG_KEY, FLAG_SEQ] {
                if flags & f != 0 {
                    at += 4;
                }
            }
            match proto {
                GRE_TEB => ethernet(frame, at),
                // Type II has an 8-byte header and sets S; type I has neither.
                GRE_ERSPAN2 if flags & FLAG_SEQ != 0 => ethernet(frame, at + 8),
                GRE_ERSPAN2 => ethernet(frame, at),
                GRE_ERSPAN3 => {
                    let hdr = frame.get(at..)?.get(..12)?;
                    // O flag: an 8-byte platform-specific subheader follows.
                    let sub = if hdr[11] & 0x01 != 0 { 8 } else { 0 };
                    ethernet(frame, at + 12 + sub)
                }
                GRE_PPP => ppp_payload(frame, at),
                other => from_ethertype(frame, other, at),
            }
        }
        1 => {
            // Enhanced GRE: key field is payload length + call id.
            if proto != GRE_PPP || l2::be16(frame, off + 4)? == 0 {
                return None;
            }
            let mut at = off + 8;
            for f in [FLAG_SEQ, FLAG_ACK] {
                if flags & f != 0 {
                    at += 4;
                }
            }
            ppp_payload(frame, at)
        }
        _ => None,
    }
}

/// A PPP frame (optional `ff 03`) at `off` carrying IP.
pub(crate) fn ppp_payload(frame: &[u8], off: usize) -> Option<IpStart> {
    let at = if l2::be16(frame, off)? == 0xff03 {
        off + 2
    } else {
        off
    };
    let mut vlan = 0;
    ppp::ppp_protocol(Layer::Ppp, frame, at, &mut vlan).ok()
}
