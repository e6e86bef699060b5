//! Decoder tests on hand-built frames: Ethernet basics here, one concept per
//! submodule.

use super::emit::{cat, eth, ipv4, ipv6, tcp, udp, v6};
use super::*;

mod layers;
mod lenient;
mod link;
mod robust;
mod tunnels;

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [192, 168, 1, 200];

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut x = [0u8; 16];
    x[..4].copy_from_slice(&a);
    x
}

pub(super) fn udp4_frame() -> Vec<u8> {
    eth(
        &[],
        0x0800,
        &ipv4(17, A, B, &[], 0, &udp(1234, 53, b"hello")),
    )
}

/// IPv4 with IHL 6 carrying TCP with 12 bytes of options and 10 data bytes.
pub(super) fn tcp4_opts_frame() -> Vec<u8> {
    let opts = [2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7];
    let seg = tcp(40000, 80, 0x18, &opts, b"GET / HTTP");
    eth(&[], 0x0800, &ipv4(6, A, B, &[1, 1, 1, 0], 0, &seg))
}

/// QinQ-tagged IPv6 with hop-by-hop + first-fragment headers carrying UDP.
pub(super) fn v6_ext_frame() -> Vec<u8> {
    let hbh = [44, 0, 1, 4, 0, 0, 0, 0];
    let frag = [17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef];
    let l4 = udp(5353, 5353, &[9, 8, 7, 6]);
    let ip = ipv6(0, v6(1), v6(2), &cat(&[&hbh, &frag, &l4]));
    eth(&[(0x88a8, 200), (0x8100, 100)], 0x86dd, &ip)
}

#[test]
fn ipv4_udp() {
    let p = decode_ethernet(&udp4_frame()).unwrap();
    let want = Packet {
        vlan: 0,
        ip_version: 4,
        src: v4(A),
        dst: v4(B),
        proto: crate::decode::IpProto(17),
        sport: 1234,
        dport: 53,
        tcp_flags: crate::decode::TcpFlags(0),
        ip_len: 33,
        payload_offset: 42,
        l4_offset: 34,
        l3_offset: 14,
        payload_len: 5,
        ..Default::default()
    };
    assert_eq!(p, want);
}

#[test]
fn ipv4_options_and_tcp_options() {
    let f = tcp4_opts_frame();
    let p = decode_ethernet(&f).unwrap();
    assert_eq!(
        (p.sport, p.dport, p.proto.0, p.tcp_flags.0),
        (40000, 80, 6, 0x18)
    );
    assert_eq!((p.ip_len, p.payload_offset, p.payload_len), (66, 70, 10));
    assert_eq!(&f[70..], b"GET / HTTP");
}

#[test]
fn padded_short_frames_use_ip_length() {
    let mut f = eth(&[], 0x0800, &ipv4(17, A, B, &[], 0, &udp(7, 9, &[1, 2])));
    assert_eq!(f.len(), 44);
    f.resize(60, 0xaa);
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.ip_len, p.payload_offset, p.payload_len), (30, 42, 2));

    let mut ack = eth(
        &[],
        0x0800,
        &ipv4(6, A, B, &[], 0, &tcp(1, 2, 0x10, &[], &[])),
    );
    ack.resize(60, 0xaa);
    let p = decode_ethernet(&ack).unwrap();
    assert_eq!((p.ip_len, p.payload_offset, p.payload_len), (40, 54, 0));
}

#[test]
fn vlan_8021q_and_qinq() {
    let ip = ipv4(17, A, B, &[], 0, &udp(1, 2, b"x"));
    let p = decode_ethernet(&eth(&[(0x8100, 0x2064)], 0x0800, &ip)).unwrap();
    assert_eq!((p.vlan, p.payload_offset, p.payload_len), (100, 46, 1));

    let p = decode_ethernet(&eth(&[(0x88a8, 200), (0x8100, 100)], 0x0800, &ip)).unwrap();
    assert_eq!((p.vlan, p.payload_offset, p.sport), (200, 50, 1));

    let four = [(0x9100, 300), (0x8100, 5), (0x8100, 6), (0x8100, 7)];
    let p = decode_ethernet(&eth(&four, 0x0800, &ip)).unwrap();
    assert_eq!((p.vlan, p.payload_offset), (300, 58));

    let five = [
        (0x9100, 300),
        (0x8100, 5),
        (0x8100, 6),
        (0x8100, 7),
        (0x8100, 8),
    ];
    let e = decode_ethernet(&eth(&five, 0x0800, &ip)).unwrap_err();
    assert_eq!(e, DecodeError::TooManyVlanTags { offset: 28 });
}

#[test]
fn ipv6_tcp() {
    let ip = ipv6(6, v6(1), v6(2), &tcp(443, 50000, 0x12, &[], b"abc"));
    let p = decode_ethernet(&eth(&[], 0x86dd, &ip)).unwrap();
    let want = Packet {
        vlan: 0,
        ip_version: 6,
        src: v6(1),
        dst: v6(2),
        proto: crate::decode::IpProto(6),
        sport: 443,
        dport: 50000,
        tcp_flags: crate::decode::TcpFlags(0x12),
        ip_len: 63,
        payload_offset: 74,
        l4_offset: 54,
        l3_offset: 14,
        payload_len: 3,
        ..Default::default()
    };
    assert_eq!(p, want);
}

#[test]
fn ipv6_hop_by_hop_and_first_fragment() {
    let p = decode_ethernet(&v6_ext_frame()).unwrap();
    assert_eq!((p.vlan, p.proto.0, p.sport, p.dport), (200, 17, 5353, 5353));
    assert_eq!((p.ip_len, p.payload_offset, p.payload_len), (68, 86, 4));
}

#[test]
fn ipv6_non_first_fragment_has_no_ports() {
    let frag = [17, 0, 0x05, 0xc8, 0, 0, 0, 1];
    let ip = ipv6(44, v6(1), v6(2), &cat(&[&frag, &[0x55; 100]]));
    let p = decode_ethernet(&eth(&[], 0x86dd, &ip)).unwrap();
    assert_eq!((p.proto.0, p.sport, p.dport), (17, 0, 0));
    assert_eq!((p.ip_len, p.payload_offset, p.payload_len), (148, 62, 100));
}

#[test]
fn ipv4_fragments() {
    let later = ipv4(17, A, B, &[], 0x00b9, &[0x55; 30]);
    let p = decode_ethernet(&eth(&[], 0x0800, &later)).unwrap();
    assert_eq!((p.proto.0, p.sport, p.dport), (17, 0, 0));
    assert_eq!((p.ip_len, p.payload_offset, p.payload_len), (50, 34, 30));

    let first = ipv4(17, A, B, &[], 0x2000, &udp(1000, 2000, &[0; 12]));
    let p = decode_ethernet(&eth(&[], 0x0800, &first)).unwrap();
    assert_eq!((p.sport, p.dport, p.payload_len), (1000, 2000, 12));
}

#[test]
fn icmp_and_other_protocols() {
    let echo = [8, 0, 0, 0, 0, 1, 0, 1, 0xa, 0xb];
    let p = decode_ethernet(&eth(&[], 0x0800, &ipv4(1, A, B, &[], 0, &echo))).unwrap();
    assert_eq!((p.proto.0, p.sport, p.dport, p.payload_len), (1, 0, 0, 2));

    let gre = ipv4(47, A, B, &[], 0, &[0; 24]);
    let p = decode_ethernet(&eth(&[], 0x0800, &gre)).unwrap();
    assert_eq!(
        (p.proto.0, p.sport, p.payload_offset, p.payload_len),
        (47, 0, 34, 24)
    );
}

#[test]
fn arp_is_not_ip() {
    let arp = [0, 1, 8, 0, 6, 4, 0, 1];
    let e = decode_ethernet(&eth(&[], 0x0806, &arp)).unwrap_err();
    assert_eq!(
        e,
        DecodeError::NotIp {
            layer: Layer::Ethernet,
            protocol: 0x0806
        }
    );
    assert_eq!(e.reason(), DecodeReason::NotIp);
}

#[test]
fn malformed_headers() {
    let mut f = udp4_frame();
    f[14] = 0x44;
    let e = decode_ethernet(&f).unwrap_err();
    assert_eq!(e, DecodeError::BadIpv4Ihl { offset: 14, ihl: 4 });

    f[14] = 0x55;
    let e = decode_ethernet(&f).unwrap_err();
    let want = DecodeError::BadIpVersion {
        layer: Layer::Ipv4,
        offset: 14,
        version: 5,
    };
    assert_eq!(e, want);

    // Like Wireshark, a version-6 nibble behind EtherType IPv4 is read as IPv6.
    f[14] = 0x60;
    let e = decode_ethernet(&f).unwrap_err();
    let want = DecodeError::Truncated {
        layer: Layer::Ipv6,
        offset: 14,
        needed: 40,
        available: 33,
    };
    assert_eq!(e, want);

    let mut f = udp4_frame();
    f[16..18].copy_from_slice(&10u16.to_be_bytes());
    let e = decode_ethernet(&f).unwrap_err();
    let want = DecodeError::BadIpTotalLength {
        layer: Layer::Ipv4,
        offset: 14,
        total_len: 10,
        header_len: 20,
    };
    assert_eq!(e, want);
    assert_eq!(
        e.to_string(),
        "ipv4 header at offset 14: total length 10 < header length 20"
    );

    // A TCP data offset below 5 is the TCP view's error, not the frame's.
    let mut f = tcp4_opts_frame();
    f[14 + 24 + 12] = 0x30;
    let e = TcpHeader::new_checked(&f[38..], 38).unwrap_err();
    let want = DecodeError::BadTcpDataOffset {
        offset: 38,
        data_offset: 3,
    };
    assert_eq!(e, want);
    assert_eq!(e.reason(), DecodeReason::BadTcpDataOffset);
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.sport, p.dport, p.tcp_flags.0), (40000, 80, 0x18));
    assert!(!p.truncated);
}

#[test]
fn transport_header_is_bounded_by_ip_length_not_padding() {
    // The IP length leaves 4 bytes of UDP: ports are read, padding is not a
    // UDP header, and the frame is not truncated (the capture is complete).
    let mut f = eth(&[], 0x0800, &ipv4(17, A, B, &[], 0, &[1, 2, 3, 4]));
    f.resize(60, 0);
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.sport, p.dport, p.truncated), (0x0102, 0x0304, false));
    assert_eq!((p.ip_len, p.payload_offset, p.payload_len), (24, 42, 0));
}

/// `n` destination-options headers (the last pointing at UDP), then UDP.
fn dest_opts_chain(n: usize) -> Vec<u8> {
    let mut chain = Vec::new();
    for i in 0..n {
        let next = if i + 1 == n { 17 } else { 60 };
        chain.extend_from_slice(&[next, 0, 1, 4, 0, 0, 0, 0]);
    }
    chain.extend_from_slice(&udp(1, 2, &[]));
    eth(&[], 0x86dd, &ipv6(60, v6(1), v6(2), &chain))
}

#[test]
fn too_many_ipv6_extension_headers() {
    let e = decode_ethernet(&dest_opts_chain(9)).unwrap_err();
    assert_eq!(e, DecodeError::TooManyIpv6ExtHeaders { offset: 118 });

    let p = decode_ethernet(&dest_opts_chain(8)).unwrap();
    assert_eq!(
        (p.proto.0, p.sport, p.dport, p.payload_offset),
        (17, 1, 2, 126)
    );
}

/// Every prefix that cuts the link or fixed IP header fails; a prefix that
/// cuts extension headers or the transport header decodes as truncated (ports once 4 bytes are there); every
/// longer prefix decodes to the same summary as the whole frame.
#[test]
fn every_prefix_of_valid_frames() {
    for (frame, ip_end, l4_start, header_end) in [
        (udp4_frame(), 34, 34, 42),
        (tcp4_opts_frame(), 38, 38, 70),
        (v6_ext_frame(), 62, 78, 86),
    ] {
        let whole = decode_ethernet(&frame).unwrap();
        assert_eq!(whole.payload_offset as usize, header_end);
        assert!(!whole.truncated);
        for n in 0..ip_end {
            let e = decode_ethernet(&frame[..n]);
            assert!(
                matches!(e, Err(DecodeError::Truncated { .. })),
                "prefix {n}: {e:?}"
            );
        }
        // IPv6 extension headers cut short: counted, no ports.
        for n in ip_end..l4_start {
            let p = decode_ethernet(&frame[..n]).unwrap();
            assert_eq!(
                (p.truncated, p.sport, p.src),
                (true, 0, whole.src),
                "prefix {n}"
            );
        }
        for n in l4_start..header_end {
            let p = decode_ethernet(&frame[..n]).unwrap();
            assert!(p.truncated, "prefix {n}");
            assert_eq!((p.src, p.dst, p.proto), (whole.src, whole.dst, whole.proto));
            let ports = if n >= l4_start + 4 {
                (whole.sport, whole.dport)
            } else {
                (0, 0)
            };
            assert_eq!((p.sport, p.dport), ports, "prefix {n}");
            assert_eq!(p.payload_offset as usize, n);
        }
        for n in header_end..=frame.len() {
            assert_eq!(decode_ethernet(&frame[..n]), Ok(whole), "prefix {n}");
        }
    }
}

#[test]
fn snaplen_cut_keeps_claimed_lengths() {
    let f = eth(
        &[],
        0x0800,
        &ipv4(6, A, B, &[], 0, &tcp(1, 2, 0x18, &[], &[7; 1000])),
    );
    let p = decode_ethernet(&f[..64]).unwrap();
    assert_eq!(
        (p.ip_len, p.payload_offset, p.payload_len),
        (1040, 54, 1000)
    );
}

#[test]
fn reasons_index_their_array() {
    for (i, r) in DecodeReason::ALL.iter().enumerate() {
        assert_eq!(r.index(), i);
    }
    let mut names: Vec<_> = DecodeReason::ALL.iter().map(|r| r.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), DecodeReason::COUNT);
}
