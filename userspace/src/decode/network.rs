//! The IP layer of a frame: one IPv4 or IPv6 header (with extension headers),
//! validated strictly; everything after it is read leniently.

use crate::decode::error::DecodeError;
use crate::decode::ipv4::Ipv4Header;
use crate::decode::ipv6::{self, Ipv6Header};
use crate::decode::l2::{rest, IpStart};
use crate::decode::packet::Fragment;
use crate::decode::IpProto;

/// The network layer of a frame, before the transport header is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Network {
    pub ip_version: u8,
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub proto: IpProto,
    /// Offset of the IP header in the frame.
    pub l3_off: usize,
    /// IP length claimed by the header (headers + payload).
    pub ip_len: usize,
    /// Offset of the transport header (after IP options / extension headers).
    pub l4_off: usize,
    /// False for non-first fragments (no transport header) and when an IPv6
    /// extension header is cut short.
    pub has_l4: bool,
    /// Fragmentation fields, when the packet is a fragment.
    pub frag: Option<Fragment>,
    /// An IPv6 extension header is cut short.
    pub cut: bool,
}

impl Network {
    /// End of the IP packet per its claimed length (may exceed the frame).
    #[inline]
    pub fn end(&self) -> usize {
        self.l3_off + self.ip_len
    }
}

/// The IP header at `start`, with the version decided by the version nibble
/// when it names the other IP version (as Wireshark does).
#[inline(always)]
pub(crate) fn resolve(frame: &[u8], start: IpStart) -> IpStart {
    match start {
        IpStart::V4(off) if frame.get(off).is_some_and(|b| b >> 4 == 6) => IpStart::V6(off),
        IpStart::V6(off) if frame.get(off).is_some_and(|b| b >> 4 == 4) => IpStart::V4(off),
        other => other,
    }
}

/// Validates the IP header at `start` (after [`resolve`]).
///
/// The live path matches on the version itself and calls [`ipv4_layer`] /
/// [`ipv6_layer`] directly: merging both results in one `Result<Network, _>`
/// made the compiler spill it to the stack in pieces, which stalled store
/// forwarding and doubled the cost of a decode.
pub(crate) fn network_layer(frame: &[u8], start: IpStart) -> Result<Network, DecodeError> {
    match resolve(frame, start) {
        IpStart::V4(off) => ipv4_layer(frame, off),
        IpStart::V6(off) => ipv6_layer(frame, off),
    }
}

/// Validates the IPv4 header at `off` (and skips an authentication header).
#[inline(always)]
pub(crate) fn ipv4_layer(frame: &[u8], off: usize) -> Result<Network, DecodeError> {
    let ip = Ipv4Header::new_checked(rest(frame, off), off)?;
    let (src, dst) = (v4_in_16(ip.src()), v4_in_16(ip.dst()));
    let offset = ip.fragment_offset();
    let more = ip.more_fragments();
    let frag = (more || offset != 0).then(|| Fragment {
        id: u32::from(ip.identification()),
        offset,
        more,
    });
    let ip_len = match ip.total_len() {
        // TSO: the length was left for the NIC to fill in.
        0 => frame.len() - off,
        n => n,
    };
    let l4_off = off + ip.header_len();
    let (proto, l4_off, cut) = if ip.protocol() == ipv6::EXT_AUTH && offset == 0 {
        skip_auth_header(frame, l4_off, (off + ip_len).min(frame.len()))
    } else {
        (ip.protocol(), l4_off, false)
    };
    Ok(Network {
        ip_version: 4,
        src,
        dst,
        proto: IpProto(proto),
        l3_off: off,
        ip_len,
        l4_off,
        has_l4: offset == 0 && !cut,
        frag,
        cut,
    })
}

/// An IPv4 address in the first 4 bytes of 16, the rest zero.
#[inline(always)]
fn v4_in_16(a: [u8; 4]) -> [u8; 16] {
    (u128::from(u32::from_be_bytes(a)) << 96).to_be_bytes()
}

/// Skips an IPv4 authentication header (RFC 4302) at `at` (the packet ends at
/// `end`), which leaves the payload in clear: returns the protocol after it,
/// the transport header's offset, and whether the header is cut short (then
/// the protocol stays AH).
#[cold]
fn skip_auth_header(frame: &[u8], at: usize, end: usize) -> (u8, usize, bool) {
    let buf = frame.get(at..end).unwrap_or(&[]);
    match buf.get(..2) {
        Some(&[next, len]) if buf.len() >= (usize::from(len) + 2) * 4 => {
            (next, at + (usize::from(len) + 2) * 4, false)
        }
        _ => (ipv6::EXT_AUTH, at, true),
    }
}

/// Validates the IPv6 header at `off` and walks its extension headers.
pub(crate) fn ipv6_layer(frame: &[u8], off: usize) -> Result<Network, DecodeError> {
    let ip = Ipv6Header::new_checked(rest(frame, off), off)?;
    let ip_len = Ipv6Header::LEN + ip.payload_len();
    let ext_off = off + Ipv6Header::LEN;
    let ext_buf = frame
        .get(ext_off..(off + ip_len).min(frame.len()))
        .unwrap_or(&[]);
    let chain = ipv6::walk_extensions(ext_buf, ext_off, ip.next_header())?;
    Ok(Network {
        ip_version: 6,
        src: ip.src(),
        dst: ip.dst(),
        proto: IpProto(chain.proto),
        l3_off: off,
        ip_len,
        l4_off: ext_off + chain.ext_len,
        has_l4: !chain.non_first_fragment && !chain.cut,
        frag: chain.frag,
        cut: chain.cut,
    })
}
