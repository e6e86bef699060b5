//! Layers between link and transport (MPLS, PPPoE, FabricPath), IP
//! fragments, and the SCTP and ICMP transport summaries.

use super::{v4, A, B};
use crate::decode::emit::{cat, eth, icmp, ipv4, ipv6, mpls, sctp, tcp, udp, v6};
use crate::decode::*;

fn ip4() -> Vec<u8> {
    ipv4(17, A, B, &[], 0, &udp(1234, 53, b"hi"))
}

#[test]
fn mpls_label_stacks() {
    let f = eth(&[], 0x8847, &cat(&[&mpls(&[100, 200, 300]), &ip4()]));
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.sport, p.dport, p.payload_offset), (1234, 53, 54));

    let v6p = ipv6(6, v6(1), v6(2), &tcp(80, 5000, 0x10, &[], &[]));
    let f = eth(&[(0x8100, 7)], 0x8848, &cat(&[&mpls(&[5]), &v6p]));
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.vlan, p.ip_version, p.sport, p.dport), (7, 6, 80, 5000));

    // Nibble 0: pseudowire control word, then an Ethernet frame (with a VLAN).
    let inner = eth(&[(0x8100, 9)], 0x0800, &ip4());
    let f = eth(&[], 0x8847, &cat(&[&mpls(&[16]), &[0; 4], &inner]));
    let p = decode_ethernet(&f).unwrap();
    assert_eq!(
        (p.vlan, p.sport, p.payload_offset),
        (9, 1234, 14 + 8 + 18 + 28)
    );

    let labels: Vec<u32> = (1..=MAX_MPLS_LABELS as u32).collect();
    let f = eth(&[], 0x8847, &cat(&[&mpls(&labels), &ip4()]));
    assert!(decode_ethernet(&f).is_ok());
    let labels: Vec<u32> = (1..=MAX_MPLS_LABELS as u32 + 1).collect();
    let f = eth(&[], 0x8847, &cat(&[&mpls(&labels), &ip4()]));
    let e = decode_ethernet(&f).unwrap_err();
    assert_eq!(e, DecodeError::TooManyMplsLabels { offset: 14 + 32 });
    assert_eq!(e.reason(), DecodeReason::TooManyMplsLabels);

    let f = eth(&[], 0x8847, &cat(&[&mpls(&[1]), &[0x95; 20]]));
    let e = decode_ethernet(&f).unwrap_err();
    let want = DecodeError::NotIp {
        layer: Layer::Mpls,
        protocol: 9,
    };
    assert_eq!(e, want);
}

#[test]
fn pppoe_session() {
    let pppoe = |proto: u16, payload: &[u8]| {
        let mut h = vec![0x11, 0x00, 0x12, 0x34];
        h.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        h.extend_from_slice(&proto.to_be_bytes());
        h.extend_from_slice(payload);
        h
    };
    let p = decode_ethernet(&eth(&[], 0x8864, &pppoe(0x0021, &ip4()))).unwrap();
    assert_eq!((p.sport, p.payload_offset), (1234, 14 + 8 + 28));
    let v6p = ipv6(17, v6(1), v6(2), &udp(1, 2, &[]));
    let p = decode_ethernet(&eth(&[(0x8100, 3)], 0x8864, &pppoe(0x0057, &v6p))).unwrap();
    assert_eq!((p.vlan, p.ip_version, p.sport), (3, 6, 1));
    let e = decode_ethernet(&eth(&[], 0x8864, &pppoe(0xc021, &[1, 1, 0, 4]))).unwrap_err();
    let want = DecodeError::NotIp {
        layer: Layer::Ppp,
        protocol: 0xc021,
    };
    assert_eq!(e, want);
    let e = decode_ethernet(&eth(&[], 0x8864, &[0x11, 0, 0, 1])).unwrap_err();
    assert!(matches!(
        e,
        DecodeError::Truncated {
            layer: Layer::Pppoe,
            ..
        }
    ));
}

#[test]
fn fabricpath_carries_an_ethernet_frame() {
    let inner = eth(&[(0x8100, 7)], 0x0800, &ip4());
    let f = eth(&[], 0x8903, &cat(&[&[0x40, 0x20], &inner]));
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.vlan, p.sport, p.payload_offset), (7, 1234, 16 + 18 + 28));
}

#[test]
fn ipv4_fragments_first_middle_last() {
    let data = udp(1000, 2000, &[0; 40]);
    // First: MF set, offset 0, id 0x1234 (from the builder): ports are there.
    let first = ipv4(17, A, B, &[], 0x2000, &data[..24]);
    let p = decode_ethernet(&eth(&[], 0x0800, &first)).unwrap();
    let want = Fragment {
        id: 0x1234,
        offset: 0,
        more: true,
    };
    assert_eq!(p.frag, Some(want));
    assert!(want.is_first());
    assert_eq!((p.sport, p.dport, p.truncated), (1000, 2000, false));

    let middle = ipv4(17, A, B, &[], 0x2003, &data[24..40]);
    let p = decode_ethernet(&eth(&[], 0x0800, &middle)).unwrap();
    let want = Fragment {
        id: 0x1234,
        offset: 3,
        more: true,
    };
    assert_eq!(p.frag, Some(want));
    assert!(!want.is_first());
    assert_eq!((p.proto.0, p.sport, p.dport, p.payload_len), (17, 0, 0, 16));

    let last = ipv4(17, A, B, &[], 0x0005, &data[40..]);
    let p = decode_ethernet(&eth(&[], 0x0800, &last)).unwrap();
    let want = Fragment {
        id: 0x1234,
        offset: 5,
        more: false,
    };
    assert_eq!((p.frag, p.sport, p.payload_len), (Some(want), 0, 8));

    // DF alone is not fragmentation.
    let df = ipv4(17, A, B, &[], 0x4000, &data);
    assert_eq!(decode_ethernet(&eth(&[], 0x0800, &df)).unwrap().frag, None);
}

#[test]
fn ipv6_fragment_header() {
    let l4 = udp(5353, 53, &[1; 16]);
    let first_hdr = [17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef];
    let ip = ipv6(44, v6(1), v6(2), &cat(&[&first_hdr, &l4]));
    let p = decode_ethernet(&eth(&[], 0x86dd, &ip)).unwrap();
    let want = Fragment {
        id: 0xdead_beef,
        offset: 0,
        more: true,
    };
    assert_eq!((p.frag, p.sport, p.dport), (Some(want), 5353, 53));

    let last_hdr = [17, 0, 0x00, 0x18, 0xde, 0xad, 0xbe, 0xef];
    let ip = ipv6(44, v6(1), v6(2), &cat(&[&last_hdr, &[7; 24]]));
    let p = decode_ethernet(&eth(&[], 0x86dd, &ip)).unwrap();
    let want = Fragment {
        id: 0xdead_beef,
        offset: 3,
        more: false,
    };
    assert_eq!(
        (p.frag, p.proto.0, p.sport, p.payload_len),
        (Some(want), 17, 0, 24)
    );

    // An atomic fragment (offset 0, M clear) is not a fragment.
    let atomic = [17, 0, 0, 0, 0, 0, 0, 1];
    let ip = ipv6(44, v6(1), v6(2), &cat(&[&atomic, &l4]));
    let p = decode_ethernet(&eth(&[], 0x86dd, &ip)).unwrap();
    assert_eq!((p.frag, p.sport), (None, 5353));
}

#[test]
fn sctp_ports() {
    let chunk = [0u8, 3, 0, 8, 1, 2, 3, 4];
    let ip = ipv4(132, A, B, &[], 0, &sctp(2905, 2906, &chunk));
    let p = decode_ethernet(&eth(&[], 0x0800, &ip)).unwrap();
    assert_eq!((p.proto, p.sport, p.dport), (IpProto::SCTP, 2905, 2906));
    assert_eq!((p.payload_offset, p.payload_len), (46, 8));
    let h = SctpHeader::new_checked(&ip[20..], 34).unwrap();
    assert_eq!(
        (h.src_port(), h.dst_port(), h.verification_tag()),
        (2905, 2906, 7)
    );
    let e = SctpHeader::new_checked(&ip[20..30], 34).unwrap_err();
    assert!(matches!(
        e,
        DecodeError::Truncated {
            layer: Layer::Sctp,
            ..
        }
    ));
}

#[test]
fn icmp_echo_and_query_identifiers() {
    let echo = icmp(8, 0, [0x12, 0x34, 0, 1], b"ping");
    let p = decode_ethernet(&eth(&[], 0x0800, &ipv4(1, A, B, &[], 0, &echo))).unwrap();
    let want = IcmpInfo {
        kind: 8,
        code: 0,
        id: 0x1234,
    };
    assert_eq!((p.proto.0, p.icmp, p.sport, p.dport), (1, want, 0, 0));
    assert_eq!(p.payload_len, 4);

    let reply = icmp(129, 0, [0xab, 0xcd, 0, 1], b"pong");
    let ip = ipv6(58, v6(2), v6(1), &reply);
    let p = decode_ethernet(&eth(&[], 0x86dd, &ip)).unwrap();
    let want = IcmpInfo {
        kind: 129,
        code: 0,
        id: 0xabcd,
    };
    assert_eq!(p.icmp, want);

    // Router solicitation: no identifier.
    let rs = icmp(133, 0, [0xab, 0xcd, 0, 0], &[]);
    let p = decode_ethernet(&eth(&[], 0x86dd, &ipv6(58, v6(2), v6(1), &rs))).unwrap();
    assert_eq!((p.icmp.kind, p.icmp.id), (133, 0));
    assert!(icmp::has_identifier(false, 13) && !icmp::has_identifier(false, 3));
}

#[test]
fn icmp_error_is_keyed_as_itself_not_the_quoted_packet() {
    let quoted = ipv4(6, B, [8, 8, 8, 8], &[], 0, &tcp(443, 40000, 0x12, &[], &[]));
    let unreach = icmp(3, 3, [0; 4], &quoted[..28]);
    let outer = ipv4(1, [172, 16, 0, 1], B, &[], 0, &unreach);
    let f = eth(&[], 0x0800, &outer);
    for tunnels in [false, true] {
        let opts = DecodeOptions {
            decode_tunnels: tunnels,
        };
        let p = decode(LinkType::Ethernet, &f, opts).unwrap();
        assert_eq!((p.src, p.dst), (v4([172, 16, 0, 1]), v4(B)));
        assert_eq!((p.proto.0, p.sport, p.dport, p.tcp_flags.0), (1, 0, 0, 0));
        let want = IcmpInfo {
            kind: 3,
            code: 3,
            id: 0,
        };
        assert_eq!((p.icmp, p.tunnel), (want, Tunnel::None));
    }
}

#[test]
fn ipv4_authentication_header_is_skipped() {
    let ah = [
        17u8, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    ];
    let ip = ipv4(51, A, B, &[], 0, &cat(&[&ah, &udp(500, 4500, b"x")]));
    let p = decode_ethernet(&eth(&[], 0x0800, &ip)).unwrap();
    assert_eq!((p.proto.0, p.sport, p.dport), (17, 500, 4500));
    assert_eq!((p.payload_offset, p.payload_len), (14 + 20 + 24 + 8, 1));
    // An AH cut short leaves protocol 51 and a truncated summary.
    let cut = ipv4(51, A, B, &[], 0, &ah[..1]);
    let p = decode_ethernet(&eth(&[], 0x0800, &cut)).unwrap();
    assert_eq!((p.proto.0, p.truncated), (51, true));
}

#[test]
fn tso_zero_total_length_uses_captured_length() {
    let mut ip = ipv4(6, A, B, &[], 0, &tcp(1, 2, 0x18, &[], &[5; 3000]));
    ip[2..4].copy_from_slice(&[0, 0]);
    let p = decode_ethernet(&eth(&[], 0x0800, &ip)).unwrap();
    assert_eq!((p.sport, p.ip_len, p.payload_len), (1, 3040, 3000));
}
