//! Building the generator's template frame: Ethernet / IPv4 / UDP with a payload pattern.
use std::net::Ipv4Addr;

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

/// Builds a frame of exactly `size` bytes (at least [`MIN_FRAME`]): the UDP payload
/// fills everything after the headers, so no Ethernet padding is involved and the UDP
/// payload length is `size - HEADERS`. The UDP checksum is 0 (none), the IPv4 header
/// checksum is computed.
pub fn udp_frame(t: &UdpTemplate, size: usize) -> Vec<u8> {
    let size = size.max(MIN_FRAME);
    let mut f = vec![0u8; size];
    f[0..6].copy_from_slice(&t.dst_mac);
    f[6..12].copy_from_slice(&t.src_mac);
    f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    let ip_len = (size - 14) as u16;
    let ip = &mut f[14..34];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&ip_len.to_be_bytes());
    ip[6] = 0x40; // don't fragment
    ip[8] = 64; // ttl
    ip[9] = 17; // udp
    ip[12..16].copy_from_slice(&t.src.octets());
    ip[16..20].copy_from_slice(&t.dst.octets());
    let csum = ipv4_checksum(ip);
    ip[10..12].copy_from_slice(&csum.to_be_bytes());
    let udp_len = ip_len - 20;
    let udp = &mut f[34..42];
    udp[0..2].copy_from_slice(&t.sport.to_be_bytes());
    udp[2..4].copy_from_slice(&t.dport.to_be_bytes());
    udp[4..6].copy_from_slice(&udp_len.to_be_bytes());
    for (i, b) in f[HEADERS..].iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    f
}

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
