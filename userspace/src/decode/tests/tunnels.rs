//! Tunnels: removed only with `decode_tunnels`, innermost IP and transport
//! header keyed, outermost tunnel named; unparsable payloads keep the outer key.

use super::v4;
use crate::decode::emit::{cat, eth, gre, ipv4, ipv6, tcp, udp, v6};
use crate::decode::*;

const O1: [u8; 4] = [198, 51, 100, 1];
const O2: [u8; 4] = [198, 51, 100, 2];
const C: [u8; 4] = [10, 9, 0, 1];
const D: [u8; 4] = [10, 9, 0, 2];

fn inner4() -> Vec<u8> {
    ipv4(6, C, D, &[], 0, &tcp(5555, 80, 0x02, &[], b"xyz"))
}

fn inner6() -> Vec<u8> {
    ipv6(6, v6(7), v6(8), &tcp(5555, 80, 0x02, &[], b"xyz"))
}

fn over_v4(proto: u8, payload: &[u8]) -> Vec<u8> {
    eth(
        &[(0x8100, 42)],
        0x0800,
        &ipv4(proto, O1, O2, &[], 0, payload),
    )
}

fn over_udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    over_v4(17, &udp(sport, dport, payload))
}

fn tunnels_on(f: &[u8]) -> Packet {
    let opts = DecodeOptions {
        decode_tunnels: true,
    };
    decode(LinkType::Ethernet, f, opts).unwrap()
}

/// Checks `f` decodes to the inner TCP packet through `kind` with tunnels
/// on, and to the outer packet (protocol `outer_proto`) with tunnels off.
fn check(name: &str, f: &[u8], kind: Tunnel, outer_proto: u8) {
    let p = tunnels_on(f);
    let (src, dst) = if p.ip_version == 4 {
        (v4(C), v4(D))
    } else {
        (v6(7), v6(8))
    };
    assert_eq!((p.src, p.dst), (src, dst), "{name}");
    assert_eq!(
        (p.proto.0, p.sport, p.dport, p.tcp_flags.0),
        (6, 5555, 80, 0x02),
        "{name}"
    );
    assert_eq!((p.tunnel, p.vlan, p.payload_len), (kind, 42, 3), "{name}");
    assert_eq!(&f[p.payload_offset as usize..][..3], b"xyz", "{name}");
    let o = decode_ethernet(f).unwrap();
    assert_eq!((o.proto.0, o.tunnel), (outer_proto, Tunnel::None), "{name}");
    assert_ne!(o.src, p.src, "{name}");
}

/// Every tunnel frame of these tests, named, with its kind and outer protocol.
fn cases() -> Vec<(&'static str, Vec<u8>, Tunnel, u8)> {
    let e4 = eth(&[(0x8100, 77)], 0x0800, &inner4());
    let e6 = eth(&[], 0x86dd, &inner6());
    let mut pptp = vec![0x30, 0x81, 0x88, 0x0b, 0, 40, 0, 9];
    pptp.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0x03, 0x00, 0x21]);
    pptp.extend_from_slice(&inner4());
    let erspan3_hdr = [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x01];
    let gtp = cat(&[
        &[0x34, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x85],
        &[1, 0x10, 0x05, 0x00],
        &inner4(),
    ]);
    let geneve = cat(&[&[0x01, 0, 0x65, 0x58, 0, 0, 1, 0], &[0; 4], &e4]);
    let teredo_auth = cat(&[&[0, 1, 0, 0], &[0; 9], &inner6()]);
    let teredo_origin = cat(&[&[0, 0, 0x0d, 0x96, 1, 2, 3, 4], &inner6()]);
    let l2tp = cat(&[
        &[0x40, 0x02, 0, 0, 0, 1, 0, 2, 0xff, 0x03, 0x00, 0x21],
        &inner4(),
    ]);
    let l2tp_seq_off = cat(&[
        &[
            0x0a, 0x02, 0, 1, 0, 2, 0, 0, 0, 0, 0, 2, 0xee, 0xee, 0x00, 0x57,
        ],
        &inner6(),
    ]);
    vec![
        ("ipip", over_v4(4, &inner4()), Tunnel::IpInIp, 4),
        ("6in4", over_v4(41, &inner6()), Tunnel::IpInIp, 41),
        (
            "4in6",
            eth(&[(0x8100, 42)], 0x86dd, &ipv6(4, v6(1), v6(2), &inner4())),
            Tunnel::IpInIp,
            4,
        ),
        (
            "6in6",
            eth(&[(0x8100, 42)], 0x86dd, &ipv6(41, v6(1), v6(2), &inner6())),
            Tunnel::IpInIp,
            41,
        ),
        (
            "gre",
            over_v4(47, &gre(0, 0x0800, &inner4())),
            Tunnel::Gre,
            47,
        ),
        (
            "gre-cks",
            over_v4(47, &gre(0xb000, 0x86dd, &inner6())),
            Tunnel::Gre,
            47,
        ),
        (
            "gre-teb",
            over_v4(47, &gre(0x2000, 0x6558, &e4)),
            Tunnel::Gre,
            47,
        ),
        (
            "erspan1",
            over_v4(47, &gre(0, 0x88be, &e6)),
            Tunnel::Gre,
            47,
        ),
        (
            "erspan2",
            over_v4(
                47,
                &gre(0x1000, 0x88be, &cat(&[&[0x10, 0, 0, 1, 0, 0, 0, 0], &e4])),
            ),
            Tunnel::Gre,
            47,
        ),
        (
            "erspan3",
            over_v4(
                47,
                &gre(0x1000, 0x22eb, &cat(&[&erspan3_hdr, &[0; 8], &e4])),
            ),
            Tunnel::Gre,
            47,
        ),
        ("pptp", over_v4(47, &pptp), Tunnel::Gre, 47),
        (
            "vxlan",
            over_udp(50000, 4789, &cat(&[&[8, 0, 0, 0, 0, 0, 100, 0], &e4])),
            Tunnel::Vxlan,
            17,
        ),
        ("geneve", over_udp(50000, 6081, &geneve), Tunnel::Geneve, 17),
        ("gtp-u", over_udp(2152, 2152, &gtp), Tunnel::GtpU, 17),
        (
            "teredo-auth",
            over_udp(3544, 40000, &teredo_auth),
            Tunnel::Teredo,
            17,
        ),
        (
            "teredo-origin",
            over_udp(40000, 3544, &teredo_origin),
            Tunnel::Teredo,
            17,
        ),
        ("l2tp", over_udp(1701, 1701, &l2tp), Tunnel::L2tp, 17),
        (
            "l2tp-seq-offset",
            over_udp(40000, 1701, &l2tp_seq_off),
            Tunnel::L2tp,
            17,
        ),
    ]
}

/// The frames of [`cases`], for the robustness tests.
pub(super) fn all_tunnel_frames() -> Vec<Vec<u8>> {
    cases().into_iter().map(|c| c.1).collect()
}

#[test]
fn every_tunnel_with_and_without_decoding() {
    for (name, f, kind, outer_proto) in cases() {
        check(name, &f, kind, outer_proto);
    }
}

#[test]
fn nested_tunnels_name_the_outermost() {
    let vx = cat(&[
        &[8, 0, 0, 0, 0, 0, 1, 0],
        &eth(&[], 0x0800, &ipv4(4, O2, O1, &[], 0, &inner4())),
    ]);
    let p = tunnels_on(&over_udp(1, 4789, &vx));
    assert_eq!((p.src, p.sport, p.tunnel), (v4(C), 5555, Tunnel::Vxlan));

    // Five levels of IP-in-IP: four are removed.
    let mut pkt = inner4();
    for _ in 0..4 {
        pkt = ipv4(4, O1, O2, &[], 0, &pkt);
    }
    let f = over_v4(4, &pkt);
    let p = tunnels_on(&f);
    assert_eq!((p.proto.0, p.src, p.tunnel), (4, v4(O1), Tunnel::IpInIp));
    assert_eq!(p.payload_offset, 18 + 20 * 5);
}

#[test]
fn unparsable_payloads_keep_the_outer_packet() {
    let arp = eth(&[], 0x0806, &[0; 28]);
    let mut bad_ip = inner4();
    bad_ip[0] = 0x41;
    let gtp_echo = [0x32u8, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0];
    let not_v6 = cat(&[&[0, 0, 0, 0, 0, 0, 0, 0], &inner4()]);
    let l2tp_control = [0xc8u8, 0x02, 0, 12, 0, 1, 0, 0, 0, 0, 0, 0];
    for (name, f, proto) in [
        (
            "vxlan-arp",
            over_udp(1, 4789, &cat(&[&[8, 0, 0, 0, 0, 0, 1, 0], &arp])),
            17,
        ),
        ("ipip-bad-ihl", over_v4(4, &bad_ip), 4),
        (
            "gre-routing",
            over_v4(47, &gre(0x4000, 0x0800, &inner4())),
            47,
        ),
        ("gre-arp", over_v4(47, &gre(0, 0x0806, &[0; 28])), 47),
        ("gre-cut", over_v4(47, &[0, 0]), 47),
        ("gtp-echo", over_udp(2152, 2152, &gtp_echo), 17),
        ("teredo-not-ipv6", over_udp(3544, 9, &not_v6), 17),
        ("l2tp-control", over_udp(1701, 1701, &l2tp_control), 17),
    ] {
        let p = tunnels_on(&f);
        assert_eq!(
            (p.src, p.proto.0, p.tunnel),
            (v4(O1), proto, Tunnel::None),
            "{name}"
        );
        assert_eq!(p, decode_ethernet(&f).unwrap(), "{name}");
    }
    // Teredo whose IPv6 length overruns the UDP payload is not Teredo.
    let mut long = inner6();
    long[4..6].copy_from_slice(&1000u16.to_be_bytes());
    let p = tunnels_on(&over_udp(3544, 9, &long));
    assert_eq!(p.tunnel, Tunnel::None);
}

#[test]
fn outer_fragments_and_cut_headers_are_not_decapsulated() {
    let later = eth(&[], 0x0800, &ipv4(4, O1, O2, &[], 0x0010, &inner4()));
    assert_eq!(tunnels_on(&later).tunnel, Tunnel::None);
    // Outer UDP cut by the capture: no tunnel, truncated outer packet.
    let f = over_udp(1, 4789, &[8, 0, 0, 0, 0, 0, 1, 0]);
    let p = tunnels_on(&f[..18 + 20 + 6]);
    assert_eq!(
        (p.tunnel, p.truncated, p.sport, p.dport),
        (Tunnel::None, true, 1, 4789)
    );
    // Inner transport cut by the capture: inner ports, truncated.
    let f = over_v4(4, &inner4());
    let p = tunnels_on(&f[..18 + 20 + 20 + 6]);
    assert_eq!(
        (p.tunnel, p.truncated, p.sport, p.dport),
        (Tunnel::IpInIp, true, 5555, 80)
    );
    assert_eq!(p.tcp_flags.0, 0);
}
