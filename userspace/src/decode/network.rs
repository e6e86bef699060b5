//! The IP layer of a frame: one IPv4 or IPv6 header (with extension headers),
//! validated strictly; everything after it is read leniently.

use crate::decode::error::DecodeError;
use crate::decode::ipv4::Ipv4Header;
use crate::decode::ipv6::{self, Ipv6Header};
use crate::decode::l2::{rest, IpStart};
use crate::decode::packet::Fragment;

/// The network layer of a frame, before the transport header is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Network {
    pub ip_version: u8,
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub proto: u8,
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

/// Validates the IP header at `start`. As Wireshark does, the version nibble
/// wins over the announced version when it is the other IP version.
#[inline]
pub(crate) fn network_layer(frame: &[u8], start: IpStart) -> Result<Network, DecodeError> {
    match start {
        IpStart::V4(off) if frame.get(off).is_some_and(|b| b >> 4 == 6) => ipv6_layer(frame, off),
        IpStart::V4(off) => ipv4_layer(frame, off),
        IpStart::V6(off) if frame.get(off).is_some_and(|b| b >> 4 == 4) => ipv4_layer(frame, off),
        IpStart::V6(off) => ipv6_layer(frame, off),
    }
}

#[inline]
fn ipv4_layer(frame: &[u8], off: usize) -> Result<Network, DecodeError> {
    let ip = Ipv4Header::new_checked(rest(frame, off), off)?;
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src[..4].copy_from_slice(&ip.src());
    dst[..4].copy_from_slice(&ip.dst());
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
    let mut net = Network {
        ip_version: 4,
        src,
        dst,
        proto: ip.protocol(),
        l3_off: off,
        ip_len,
        l4_off: off + ip.header_len(),
        has_l4: offset == 0,
        frag,
        cut: false,
    };
    if net.proto == ipv6::EXT_AUTH && net.has_l4 {
        skip_auth_header(frame, &mut net);
    }
    Ok(net)
}

/// Skips an IPv4 authentication header (RFC 4302), which leaves the payload
/// in clear: the transport header follows it.
fn skip_auth_header(frame: &[u8], net: &mut Network) {
    let buf = frame
        .get(net.l4_off..net.end().min(frame.len()))
        .unwrap_or(&[]);
    match buf.get(..2) {
        Some(&[next, len]) if buf.len() >= (usize::from(len) + 2) * 4 => {
            net.proto = next;
            net.l4_off += (usize::from(len) + 2) * 4;
        }
        _ => {
            net.cut = true;
            net.has_l4 = false;
        }
    }
}

fn ipv6_layer(frame: &[u8], off: usize) -> Result<Network, DecodeError> {
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
        proto: chain.proto,
        l3_off: off,
        ip_len,
        l4_off: ext_off + chain.ext_len,
        has_l4: !chain.non_first_fragment && !chain.cut,
        frag: chain.frag,
        cut: chain.cut,
    })
}
