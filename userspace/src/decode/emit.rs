//! Builds packet bytes, layer by layer, for unit tests, benchmarks and fuzz
//! seeds: `eth(&[], 0x0800, &ipv4(17, src, dst, &[], 0, &udp(1000, 53, b"..")))`.
//! Checksums are left zero (the decoder never checks them).

/// Ethernet header with the given VLAN tags `(tpid, tci)` then `ethertype`.
pub fn eth(tags: &[(u16, u16)], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02];
    for &(tpid, tci) in tags {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&tci.to_be_bytes());
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// IPv4 header with `options` (a multiple of 4 bytes) and the raw
/// flags/fragment-offset field `frag`, followed by `payload`.
pub fn ipv4(
    proto: u8,
    src: [u8; 4],
    dst: [u8; 4],
    options: &[u8],
    frag: u16,
    payload: &[u8],
) -> Vec<u8> {
    let hlen = 20 + options.len();
    let total = (hlen + payload.len()) as u16;
    let mut p = vec![0x40 | (hlen / 4) as u8, 0];
    p.extend_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&[0x12, 0x34]);
    p.extend_from_slice(&frag.to_be_bytes());
    p.extend_from_slice(&[64, proto, 0, 0]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(options);
    p.extend_from_slice(payload);
    p
}

/// IPv6 fixed header (payload length = `payload.len()`) followed by `payload`.
pub fn ipv6(next: u8, src: [u8; 16], dst: [u8; 16], payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x60, 0, 0, 0];
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&[next, 64]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(payload);
    p
}

/// TCP header with `options` (a multiple of 4 bytes) followed by `data`.
pub fn tcp(sport: u16, dport: u16, flags: u8, options: &[u8], data: &[u8]) -> Vec<u8> {
    let hlen = 20 + options.len();
    let mut p = Vec::new();
    p.extend_from_slice(&sport.to_be_bytes());
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0]);
    p.extend_from_slice(&[((hlen / 4) as u8) << 4, flags, 0xff, 0xff, 0, 0, 0, 0]);
    p.extend_from_slice(options);
    p.extend_from_slice(data);
    p
}

/// UDP header (length field = 8 + `data.len()`) followed by `data`.
pub fn udp(sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&sport.to_be_bytes());
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend_from_slice(&(8 + data.len() as u16).to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(data);
    p
}

/// `a:b::n` style IPv6 address: 2001:db8::`n`.
pub fn v6(n: u8) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    a[15] = n;
    a
}

/// Concatenates byte slices.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// SCTP common header (checksum zero) followed by `chunks`.
pub fn sctp(sport: u16, dport: u16, chunks: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&sport.to_be_bytes());
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 7, 0, 0, 0, 0]);
    p.extend_from_slice(chunks);
    p
}

/// ICMP/ICMPv6 message: type, code, zero checksum, the 4-byte rest of
/// header `rest`, then `data`.
pub fn icmp(kind: u8, code: u8, rest: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut p = vec![kind, code, 0, 0];
    p.extend_from_slice(&rest);
    p.extend_from_slice(data);
    p
}

/// MPLS label stack entries for `labels`, the last with bottom-of-stack set.
pub fn mpls(labels: &[u32]) -> Vec<u8> {
    let mut p = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        let bos = u32::from(i + 1 == labels.len());
        p.extend_from_slice(&((l << 12) | (bos << 8) | 64).to_be_bytes());
    }
    p
}

/// GRE header: `flags` (C/K/S bits and version), `proto`, and a 4-byte field
/// of 0x11 bytes for each optional field the flags announce.
pub fn gre(flags: u16, proto: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&flags.to_be_bytes());
    p.extend_from_slice(&proto.to_be_bytes());
    for bit in [0x8000u16, 0x2000, 0x1000] {
        if flags & bit != 0 {
            p.extend_from_slice(&[0x11; 4]);
        }
    }
    p.extend_from_slice(payload);
    p
}
