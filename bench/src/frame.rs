//! Building the generator's template frame: Ethernet / IPv4 / UDP with a payload pattern.
use std::net::Ipv4Addr;

use sluice::decode::{emit, IpProto, ETHERTYPE_IPV4};

/// Ethernet + IPv4 + UDP header bytes before the payload.
pub const HEADERS: usize = 14 + 20 + 8;
/// Smallest Ethernet frame without FCS (64 bytes on the wire with it).
pub const MIN_FRAME: usize = 60;

/// The addresses and ports of a UDP template frame.
#[derive(Clone, Copy, Debug)]
pub struct UdpTemplate {
    /// Destination MAC.
    pub dst_mac: [u8; 6],
    /// Source MAC.
    pub src_mac: [u8; 6],
    /// Source IPv4 address.
    pub src: Ipv4Addr,
    /// Destination IPv4 address.
    pub dst: Ipv4Addr,
    /// UDP source port (the generator rewrites it per flow).
    pub sport: u16,
    /// UDP destination port.
    pub dport: u16,
}

/// Builds a frame of exactly `size` bytes (at least [`MIN_FRAME`]) with the one
/// frame builder (`sluice::decode::emit`): the UDP payload fills everything after the
/// headers, so no Ethernet padding is involved and the UDP payload length is
/// `size - HEADERS`. Then the template's MAC addresses go in and the IPv4 header
/// checksum is computed (a frame that crosses a real stack must have it); the UDP
/// checksum is 0 (none). Don't-fragment is set, TTL 64.
pub fn udp_frame(t: &UdpTemplate, size: usize) -> Vec<u8> {
    let size = size.max(MIN_FRAME);
    let payload: Vec<u8> = (0..size - HEADERS).map(|i| (i % 251) as u8).collect();
    let udp = emit::udp(t.sport, t.dport, &payload);
    let ip = emit::ipv4(
        IpProto::UDP.number(),
        t.src.octets(),
        t.dst.octets(),
        &[],
        DONT_FRAGMENT,
        &udp,
    );
    let mut f = emit::eth(&[], ETHERTYPE_IPV4, &ip);
    f[0..6].copy_from_slice(&t.dst_mac);
    f[6..12].copy_from_slice(&t.src_mac);
    let csum = ipv4_checksum(&f[14..34]);
    f[24..26].copy_from_slice(&csum.to_be_bytes());
    f
}

/// The IPv4 flags/fragment-offset field with only don't-fragment set.
const DONT_FRAGMENT: u16 = 0x4000;

/// The Internet checksum of an IPv4 header whose checksum field is zero.
pub fn ipv4_checksum(hdr: &[u8]) -> u16 {
    let mut sum: u32 = hdr
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_layout_and_checksum() {
        let t = UdpTemplate {
            dst_mac: [2, 0, 0, 0, 0, 2],
            src_mac: [2, 0, 0, 0, 0, 1],
            src: Ipv4Addr::new(10, 1, 0, 1),
            dst: Ipv4Addr::new(10, 1, 0, 2),
            sport: 1000,
            dport: 9,
        };
        let f = udp_frame(&t, 60);
        assert_eq!(f.len(), 60);
        assert_eq!(&f[16..18], &46u16.to_be_bytes()); // IPv4 total length
        assert_eq!(&f[38..40], &26u16.to_be_bytes()); // UDP length
        assert_eq!((&f[0..6], &f[6..12]), (&t.dst_mac[..], &t.src_mac[..]));
        assert_eq!((f[20], f[22], f[23]), (0x40, 64, 17)); // DF, TTL, UDP
        assert_eq!(&f[34..38], &[0x03, 0xe8, 0, 9]); // ports 1000 -> 9
        assert_eq!(&f[40..42], &[0, 0]); // no UDP checksum
        assert_eq!(&f[42..45], &[0, 1, 2]); // the payload pattern
                                            // A header with its checksum in place sums to 0xffff, i.e. checksums to 0.
        assert_eq!(ipv4_checksum(&f[14..34]), 0);
        // Known vector (RFC 1071 style example from Wikipedia's IPv4 header checksum page).
        let hdr = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(ipv4_checksum(&hdr), 0xb861);
    }
}
