//! Every capture link type: the IP packet behind each link header is found.

use super::{v4, A, B};
use crate::decode::emit::{cat, eth, ipv4, ipv6, mpls, udp, v6};
use crate::decode::{decode, DecodeError, DecodeOptions, Layer, LinkType, Packet};

fn ip4() -> Vec<u8> {
    ipv4(17, A, B, &[], 0, &udp(1234, 53, b"hi"))
}

fn ip6() -> Vec<u8> {
    ipv6(17, v6(1), v6(2), &udp(1234, 53, b"hi"))
}

fn dec(link: LinkType, frame: &[u8]) -> Result<Packet, DecodeError> {
    decode(link, frame, DecodeOptions::default())
}

/// Decodes `frame` and checks it is the UDP packet of [`ip4`] (or [`ip6`])
/// starting at `ip_off`.
fn ok(link: LinkType, frame: &[u8], ip_off: usize) -> Packet {
    let p = dec(link, frame).unwrap_or_else(|e| panic!("{}: {e}", link.name()));
    assert_eq!(
        (p.proto.0, p.sport, p.dport),
        (17, 1234, 53),
        "{}",
        link.name()
    );
    let ip_hdr = if p.ip_version == 4 { 20 } else { 40 };
    assert_eq!(
        p.payload_offset as usize,
        ip_off + ip_hdr + 8,
        "{}",
        link.name()
    );
    assert_eq!(p.payload_len, 2);
    if p.ip_version == 4 {
        assert_eq!((p.src, p.dst), (v4(A), v4(B)));
    } else {
        assert_eq!((p.src, p.dst), (v6(1), v6(2)));
    }
    p
}

fn not_ip(link: LinkType, frame: &[u8], layer: Layer, protocol: u32) {
    assert_eq!(
        dec(link, frame),
        Err(DecodeError::NotIp { layer, protocol }),
        "{}",
        link.name()
    );
}

#[test]
fn dlt_numbers_and_names() {
    let want = [
        (0, LinkType::Null),
        (1, LinkType::Ethernet),
        (9, LinkType::Ppp),
        (12, LinkType::Raw),
        (14, LinkType::Raw),
        (50, LinkType::PppHdlc),
        (101, LinkType::Raw),
        (104, LinkType::CiscoHdlc),
        (105, LinkType::Ieee80211),
        (108, LinkType::Loop),
        (113, LinkType::LinuxSll),
        (127, LinkType::Radiotap),
        (192, LinkType::Ppi),
        (228, LinkType::Ipv4),
        (229, LinkType::Ipv6),
        (239, LinkType::Nflog),
        (276, LinkType::LinuxSll2),
    ];
    for (dlt, link) in want {
        assert_eq!(LinkType::from_dlt(dlt), Some(link), "{dlt}");
    }
    for dlt in [2, 6, 10, 100, 147, 0xffff_ffff] {
        assert_eq!(LinkType::from_dlt(dlt), None, "{dlt}");
    }
    let mut names: Vec<_> = LinkType::ALL.iter().map(|l| l.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), LinkType::ALL.len());
}

#[test]
fn ethernet_and_raw_ip() {
    ok(LinkType::Ethernet, &eth(&[], 0x0800, &ip4()), 14);
    ok(LinkType::Raw, &ip4(), 0);
    ok(LinkType::Raw, &ip6(), 0);
    ok(LinkType::Ipv4, &ip4(), 0);
    ok(LinkType::Ipv6, &ip6(), 0);
    let mut bad = ip4();
    bad[0] = 0x55;
    let e = dec(LinkType::Raw, &bad).unwrap_err();
    let want = DecodeError::BadIpVersion {
        layer: Layer::Link(LinkType::Raw),
        offset: 0,
        version: 5,
    };
    assert_eq!(e, want);
    assert!(matches!(
        dec(LinkType::Raw, &[]),
        Err(DecodeError::Truncated { .. })
    ));
}

#[test]
fn linux_cooked_v1_and_v2() {
    let sll = |arphrd: u16, proto: u16| {
        let mut h = vec![0, 0];
        h.extend_from_slice(&arphrd.to_be_bytes());
        h.extend_from_slice(&[0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        h.extend_from_slice(&proto.to_be_bytes());
        h
    };
    ok(LinkType::LinuxSll, &cat(&[&sll(1, 0x0800), &ip4()]), 16);
    ok(LinkType::LinuxSll, &cat(&[&sll(1, 0x86dd), &ip6()]), 16);
    // VLAN tags left in place by the capture are walked.
    let tagged = cat(&[&sll(1, 0x8100), &[0, 5, 0x08, 0x00], &ip4()]);
    assert_eq!(ok(LinkType::LinuxSll, &tagged, 20).vlan, 5);
    not_ip(
        LinkType::LinuxSll,
        &cat(&[&sll(1, 0x0806), &[0; 28]]),
        Layer::Ethernet,
        0x0806,
    );
    let link = Layer::Link(LinkType::LinuxSll);
    not_ip(
        LinkType::LinuxSll,
        &cat(&[&sll(824, 0x0800), &ip4()]),
        link,
        0x0800,
    );
    not_ip(
        LinkType::LinuxSll,
        &cat(&[&sll(1, 0x0004), &ip4()]),
        link,
        4,
    );

    let sll2 = |proto: u16| {
        let mut h = proto.to_be_bytes().to_vec();
        h.extend_from_slice(&[0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        h
    };
    ok(LinkType::LinuxSll2, &cat(&[&sll2(0x0800), &ip4()]), 20);
    ok(LinkType::LinuxSll2, &cat(&[&sll2(0x86dd), &ip6()]), 20);
    let e = dec(LinkType::LinuxSll2, &sll2(0x0800)[..19]).unwrap_err();
    let want = DecodeError::Truncated {
        layer: Layer::Link(LinkType::LinuxSll2),
        offset: 0,
        needed: 20,
        available: 19,
    };
    assert_eq!(e, want);
}

#[test]
fn bsd_null_and_loop() {
    ok(LinkType::Null, &cat(&[&[2, 0, 0, 0], &ip4()]), 4);
    ok(LinkType::Null, &cat(&[&[0, 0, 0, 2], &ip4()]), 4);
    for af in [24u32, 28, 30] {
        ok(LinkType::Null, &cat(&[&af.to_le_bytes(), &ip6()]), 4);
        ok(LinkType::Null, &cat(&[&af.to_be_bytes(), &ip6()]), 4);
        ok(LinkType::Loop, &cat(&[&af.to_be_bytes(), &ip6()]), 4);
    }
    ok(LinkType::Loop, &cat(&[&[0, 0, 0, 2], &ip4()]), 4);
    // Loop is network byte order only.
    not_ip(
        LinkType::Loop,
        &cat(&[&[2, 0, 0, 0], &ip4()]),
        Layer::Link(LinkType::Loop),
        0x0200_0000,
    );
    not_ip(
        LinkType::Null,
        &cat(&[&[7, 0, 0, 0], &ip4()]),
        Layer::Link(LinkType::Null),
        7,
    );
}

#[test]
fn ppp_and_cisco_hdlc() {
    for link in [LinkType::Ppp, LinkType::PppHdlc] {
        ok(link, &cat(&[&[0xff, 0x03, 0x00, 0x21], &ip4()]), 4);
        ok(link, &cat(&[&[0xff, 0x03, 0x00, 0x57], &ip6()]), 4);
        ok(link, &cat(&[&[0x00, 0x21], &ip4()]), 2);
        // Protocol field compression: one odd byte.
        ok(link, &cat(&[&[0x21], &ip4()]), 1);
        ok(link, &cat(&[&[0xff, 0x03, 0x57], &ip6()]), 3);
        // Cisco HDLC framing on a PPP link.
        ok(link, &cat(&[&[0x0f, 0x00, 0x08, 0x00], &ip4()]), 4);
        // MPLS over PPP.
        let m = cat(&[&[0xff, 0x03, 0x02, 0x81], &mpls(&[100]), &ip4()]);
        ok(link, &m, 8);
        not_ip(
            link,
            &[0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4],
            Layer::Ppp,
            0xc021,
        );
    }
    let hdlc = LinkType::CiscoHdlc;
    ok(hdlc, &cat(&[&[0x0f, 0x00, 0x08, 0x00], &ip4()]), 4);
    ok(hdlc, &cat(&[&[0x8f, 0x00, 0x86, 0xdd], &ip6()]), 4);
    let m = cat(&[&[0x0f, 0x00, 0x88, 0x47], &mpls(&[16, 17]), &ip4()]);
    ok(hdlc, &m, 12);
    not_ip(
        hdlc,
        &[0x8f, 0, 0x80, 0x35, 0, 0, 0, 0],
        Layer::Link(hdlc),
        0x8035,
    );
}

/// An unprotected 802.11 data frame (to-DS) with `fc0` as first frame
/// control byte (0x08 data, 0x88 QoS data), then LLC/SNAP and `ethertype`.
fn wifi(fc0: u8, flags: u8, ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![fc0, flags, 0, 0];
    f.extend_from_slice(&[0x11; 18]); // three addresses
    f.extend_from_slice(&[0, 0]); // sequence control
    if flags & 0x03 == 0x03 {
        f.extend_from_slice(&[0x22; 6]);
    }
    if fc0 & 0x80 != 0 {
        f.extend_from_slice(&[0, 0]);
    }
    f.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0]);
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

#[test]
fn ieee80211_and_radiotap() {
    let w = LinkType::Ieee80211;
    ok(w, &wifi(0x08, 0x01, 0x0800, &ip4()), 32);
    ok(w, &wifi(0x88, 0x02, 0x86dd, &ip6()), 34);
    ok(w, &wifi(0x88, 0x03, 0x0800, &ip4()), 40);
    let layer = Layer::Link(w);
    // Protected (encrypted), null-function, and management frames hold no IP.
    not_ip(w, &wifi(0x08, 0x41, 0x0800, &ip4()), layer, 0x0841);
    not_ip(w, &wifi(0x48, 0x01, 0x0800, &ip4()), layer, 0x4801);
    not_ip(w, &wifi(0x80, 0x00, 0x0800, &ip4()), layer, 0x8000);
    not_ip(
        w,
        &wifi(0x08, 0x01, 0x0806, &[0; 28]),
        Layer::Ethernet,
        0x0806,
    );

    let rt = LinkType::Radiotap;
    let hdr = [0u8, 0, 12, 0, 0x02, 0, 0, 0, 0x10, 0, 0, 0];
    ok(rt, &cat(&[&hdr, &wifi(0x08, 0x01, 0x0800, &ip4())]), 44);
    let bad = [0u8, 0, 4, 0, 0, 0, 0, 0];
    let e = dec(rt, &cat(&[&bad, &wifi(0x08, 1, 0x0800, &ip4())])).unwrap_err();
    assert_eq!(
        e,
        DecodeError::BadLinkHeader {
            link: rt,
            offset: 0
        }
    );
    assert_eq!(e.reason().name(), "bad_link_header");
}

#[test]
fn ppi_uses_its_inner_link_type() {
    let ppi = |len: u16, dlt: u32| {
        let mut h = vec![0, 0];
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(&dlt.to_le_bytes());
        h.resize(usize::from(len.max(8)), 0x33);
        h
    };
    ok(
        LinkType::Ppi,
        &cat(&[&ppi(8, 1), &eth(&[], 0x0800, &ip4())]),
        22,
    );
    let wlan = wifi(0x08, 0x01, 0x0800, &ip4());
    ok(LinkType::Ppi, &cat(&[&ppi(20, 105), &wlan]), 52);
    for (len, dlt) in [(4, 1), (8, 192), (8, 9999)] {
        let e = dec(LinkType::Ppi, &cat(&[&ppi(len, dlt), &ip4()])).unwrap_err();
        let want = DecodeError::BadLinkHeader {
            link: LinkType::Ppi,
            offset: 0,
        };
        assert_eq!(e, want, "{len} {dlt}");
    }
}

/// One NFLOG TLV (little- or big-endian length/type), padded to 4 bytes.
fn tlv(kind: u16, value: &[u8], le: bool) -> Vec<u8> {
    let len = (4 + value.len()) as u16;
    let mut t = Vec::new();
    if le {
        t.extend_from_slice(&len.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
    } else {
        t.extend_from_slice(&len.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
    }
    t.extend_from_slice(value);
    while t.len() % 4 != 0 {
        t.push(0);
    }
    t
}

#[test]
fn nflog_payload_attribute() {
    let n = LinkType::Nflog;
    for le in [true, false] {
        let hdr = [2u8, 0, 0, 0];
        let prefix = tlv(10, b"log-prefix", le); // 14 bytes, padded to 16
        let f = cat(&[
            &hdr,
            &tlv(1, &[8, 0, 1, 0], le),
            &prefix,
            &tlv(9, &ip4(), le),
        ]);
        ok(n, &f, 4 + 8 + 16 + 4);
        let f6 = cat(&[&[10u8, 0, 0, 0], &tlv(9, &ip6(), le)]);
        ok(n, &f6, 8);
        // No payload attribute: nothing to decode.
        not_ip(
            n,
            &cat(&[&hdr, &tlv(1, &[8, 0, 1, 0], le)]),
            Layer::Link(n),
            2,
        );
    }
    let zero = [2u8, 0, 0, 0, 0, 0, 9, 0];
    let e = dec(n, &zero).unwrap_err();
    assert_eq!(e, DecodeError::BadLinkHeader { link: n, offset: 4 });
}
