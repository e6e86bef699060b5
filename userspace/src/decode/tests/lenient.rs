//! Leniency after a valid IP header (what tshark keys, we key) and every
//! error reason that still skips a frame.

use super::{tcp4_opts_frame, udp4_frame, A, B};
use crate::decode::emit::{cat, eth, icmp, ipv4, ipv6, mpls, tcp, udp, v6};
use crate::decode::*;

#[test]
fn transport_cut_by_snaplen_keeps_what_was_captured() {
    let f = eth(
        &[],
        0x0800,
        &ipv4(6, A, B, &[], 0, &tcp(1, 2, 0x12, &[], &[0; 100])),
    );
    for (n, ports, flags) in [
        (34, (0, 0), 0),
        (37, (0, 0), 0),
        (38, (1, 2), 0),
        (47, (1, 2), 0),
        (48, (1, 2), 0x12),
        (53, (1, 2), 0x12),
    ] {
        let p = decode_ethernet(&f[..n]).unwrap();
        assert_eq!(((p.sport, p.dport), p.tcp_flags.0), (ports, flags), "{n}");
        assert!(p.truncated, "{n}");
        assert_eq!((p.ip_len, p.payload_len), (140, 100), "{n}");
    }
    let p = decode_ethernet(&f[..54]).unwrap();
    assert!(!p.truncated);

    let u = eth(&[], 0x86dd, &ipv6(17, v6(1), v6(2), &udp(7, 9, &[1; 50])));
    let p = decode_ethernet(&u[..14 + 40 + 2]).unwrap();
    assert_eq!((p.sport, p.dport, p.truncated), (0, 0, true));
    let p = decode_ethernet(&u[..14 + 40 + 5]).unwrap();
    assert_eq!((p.sport, p.dport, p.truncated), (7, 9, true));

    let e = eth(
        &[],
        0x0800,
        &ipv4(1, A, B, &[], 0, &icmp(8, 0, [0, 5, 0, 1], &[0; 8])),
    );
    let p = decode_ethernet(&e[..36]).unwrap();
    assert_eq!(
        (p.icmp.kind, p.icmp.code, p.icmp.id, p.truncated),
        (8, 0, 0, true)
    );
    let p = decode_ethernet(&e[..40]).unwrap();
    assert_eq!((p.icmp.id, p.truncated), (5, true));
}

#[test]
fn ip_length_beyond_capture_still_counts() {
    let f = eth(&[], 0x0800, &ipv4(17, A, B, &[], 0, &udp(1, 2, &[0; 1400])));
    let p = decode_ethernet(&f[..60]).unwrap();
    assert_eq!((p.sport, p.truncated, p.ip_len), (1, false, 1428));
}

#[test]
fn bad_transport_fields_keep_the_ports() {
    let mut f = tcp4_opts_frame();
    f[38 + 12] = 0x00; // data offset 0
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.sport, p.dport, p.truncated), (40000, 80, false));
    // Read as a 20-byte header.
    assert_eq!(p.payload_offset, 58);
}

#[test]
fn ipv6_extension_header_cut_short_still_counts() {
    let hbh = [17u8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let f = eth(
        &[],
        0x86dd,
        &ipv6(0, v6(1), v6(2), &cat(&[&hbh, &udp(1, 2, &[])])),
    );
    let p = decode_ethernet(&f[..14 + 40 + 10]).unwrap();
    assert_eq!((p.proto.0, p.sport, p.truncated), (0, 0, true));
    let p = decode_ethernet(&f).unwrap();
    assert_eq!((p.proto.0, p.sport, p.truncated), (17, 1, false));
}

/// One input per error reason; every reason is covered.
#[test]
fn every_error_reason() {
    let ip = ipv4(17, A, B, &[], 0, &udp(1, 2, &[]));
    let mut bad_version = ip.clone();
    bad_version[0] = 0x35;
    let mut bad_ihl = ip.clone();
    bad_ihl[0] = 0x43;
    let mut bad_len = ip.clone();
    bad_len[2..4].copy_from_slice(&12u16.to_be_bytes());
    let six_tags = [(0x8100, 1); 5];
    let labels: Vec<u32> = (0..9).collect();
    let mut many_ext = Vec::new();
    for _ in 0..9 {
        many_ext.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]);
    }
    let cases: Vec<(LinkType, Vec<u8>, DecodeReason)> = vec![
        (
            LinkType::Ethernet,
            udp4_frame()[..20].to_vec(),
            DecodeReason::Truncated,
        ),
        (
            LinkType::Ethernet,
            eth(&[], 0x0806, &[0; 28]),
            DecodeReason::NotIp,
        ),
        (
            LinkType::Ethernet,
            eth(&six_tags, 0x0800, &ip),
            DecodeReason::TooManyVlanTags,
        ),
        (LinkType::Raw, bad_version, DecodeReason::BadIpVersion),
        (LinkType::Ipv4, bad_ihl, DecodeReason::BadIpv4Ihl),
        (LinkType::Ipv4, bad_len, DecodeReason::BadIpTotalLength),
        (
            LinkType::Ipv6,
            ipv6(60, v6(1), v6(2), &many_ext),
            DecodeReason::TooManyIpv6ExtHeaders,
        ),
        (
            LinkType::Ethernet,
            eth(&[], 0x8847, &cat(&[&mpls(&labels), &ip])),
            DecodeReason::TooManyMplsLabels,
        ),
        (
            LinkType::Radiotap,
            vec![0, 0, 2, 0, 0, 0, 0, 0],
            DecodeReason::BadLinkHeader,
        ),
    ];
    let mut seen = [false; DecodeReason::COUNT];
    for (link, frame, reason) in cases {
        let e = decode(link, &frame, DecodeOptions::default()).unwrap_err();
        assert_eq!(e.reason(), reason, "{e}");
        assert!(!e.to_string().is_empty());
        seen[reason.index()] = true;
    }
    // The TCP view's own reason (the frame decoder keeps such segments).
    let e = TcpHeader::new_checked(&[0; 20], 0).unwrap_err();
    seen[e.reason().index()] = true;
    assert!(seen.iter().all(|&s| s), "{seen:?}");
}

#[test]
fn error_messages() {
    let e = DecodeError::NotIp {
        layer: Layer::Ethernet,
        protocol: 0x0806,
    };
    assert_eq!(e.to_string(), "not an IP frame: ethernet protocol 0x0806");
    let e = DecodeError::TooManyMplsLabels { offset: 46 };
    assert_eq!(e.to_string(), "too many stacked MPLS labels at offset 46");
    let e = DecodeError::BadLinkHeader {
        link: LinkType::Ppi,
        offset: 0,
    };
    assert_eq!(e.to_string(), "ppi header at offset 0 is malformed");
    assert_eq!(Layer::Link(LinkType::LinuxSll).name(), "linux-sll");
}
