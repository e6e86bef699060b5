//! DNS tests: payloads from corpus captures (see fixtures/README.md), with
//! the values tshark reports for those frames.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;
use crate::flow::Direction;
use crate::time::Timestamp;

mod corpus_sweep;

/// Decodes a fixture's hex text.
pub(super) fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    s.chunks(2)
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter_map(|p| u8::from_str_radix(p, 16).ok())
        .collect()
}

const MULLVAD_QUERY: &str = include_str!("fixtures/mullvad_query.hex");
const MULLVAD_RESPONSE: &str = include_str!("fixtures/mullvad_response.hex");
const GOOGLE_AAAA: &str = include_str!("fixtures/google_aaaa.hex");
const LLMNR_QUERY: &str = include_str!("fixtures/llmnr_query.hex");
const MDNS_RESPONSE: &str = include_str!("fixtures/mdns_response.hex");
const TCP_CLIENT: &str = include_str!("fixtures/tcp_client.hex");
const TCP_SERVER: &str = include_str!("fixtures/tcp_server.hex");

const T0: Timestamp = Timestamp(1_000_000_000);

fn parse(h: &str) -> DnsMessage {
    match DnsMessage::parse(&hex(h), Direction::Out, T0, &DnsConfig::default()) {
        Ok(m) => m,
        Err(e) => unreachable!("fixture has a header: {e}"),
    }
}

fn addr_a(m: &DnsMessage) -> Vec<Ipv4Addr> {
    m.answers
        .iter()
        .filter_map(|r| match r.rdata {
            RData::A(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn addr_aaaa(m: &DnsMessage) -> Vec<Ipv6Addr> {
    m.answers
        .iter()
        .filter_map(|r| match r.rdata {
            RData::Aaaa(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn json(state: &DnsState) -> String {
    let mut out = Vec::new();
    assert!(state.write_json(&mut out).is_ok());
    String::from_utf8_lossy(&out).into_owned()
}

/// ndpi/mullvad_dns.pcap frame 1: tshark shows id 0x5986, a query for
/// www.mullvad.net type 1, and one additional record (OPT, type 41).
#[test]
fn udp_query_with_opt() {
    let m = parse(MULLVAD_QUERY);
    assert_eq!(m.id, 0x5986);
    assert!(!m.response);
    assert_eq!(m.counts, [1, 0, 0, 1]);
    assert_eq!(
        m.questions,
        vec![DnsQuestion {
            name: "www.mullvad.net".into(),
            qtype: 1,
            qclass: 1
        }]
    );
    assert_eq!(m.answers.len(), 1);
    assert_eq!(m.answers[0].rtype, 41);
    assert_eq!(m.answers[0].section, Section::Additional);
    assert_eq!(m.answers[0].rdlength, 12);
    assert_eq!(m.malformed, None);
}

/// Frame 2: tshark shows rcode 0, CNAME www.mullvad.net -> mullvad.net TTL
/// 1751, A mullvad.net 45.83.223.209 TTL 11, then OPT.
#[test]
fn udp_response_cname_then_a() {
    let m = parse(MULLVAD_RESPONSE);
    assert!(m.response);
    assert_eq!(m.rcode, 0);
    assert_eq!(m.counts, [1, 2, 0, 1]);
    assert_eq!(m.questions[0].name, "www.mullvad.net");
    let cname = &m.answers[0];
    assert_eq!(
        (cname.name.as_str(), cname.rtype, cname.ttl, cname.rdlength),
        ("www.mullvad.net", 5, 1751, 2)
    );
    assert_eq!(cname.rdata, RData::Cname("mullvad.net".into()));
    let a = &m.answers[1];
    assert_eq!((a.name.as_str(), a.rtype, a.ttl), ("mullvad.net", 1, 11));
    assert_eq!(addr_a(&m), vec![Ipv4Addr::new(45, 83, 223, 209)]);
    assert_eq!(m.answers[2].rtype, 41);
    assert_eq!(m.malformed, None);
}

/// ipfixprobe/dns.pcap frame 6: google.com AAAA 2a00:1450:400d:806::200e TTL 32.
#[test]
fn udp_response_aaaa() {
    let m = parse(GOOGLE_AAAA);
    assert_eq!(m.id, 0xfe01);
    assert_eq!(m.questions[0].name, "google.com");
    assert_eq!(m.questions[0].qtype, 28);
    assert_eq!(
        addr_aaaa(&m),
        vec!["2a00:1450:400d:806::200e"
            .parse::<Ipv6Addr>()
            .unwrap_or(Ipv6Addr::UNSPECIFIED)]
    );
    assert_eq!(m.answers[0].ttl, 32);
}

/// ndpi/1kxun.pcap frame 1 (LLMNR, UDP 5355): query jason-PC type 255.
#[test]
fn llmnr_query() {
    let m = parse(LLMNR_QUERY);
    assert!(!m.response);
    assert_eq!(m.id, 0xe6a1);
    assert_eq!(m.questions.len(), 1);
    assert_eq!(
        (m.questions[0].name.as_str(), m.questions[0].qtype),
        ("jason-PC", 255)
    );
    assert!(m.answers.is_empty());
}

/// ipfixprobe/dnssd.pcap frame 3 (mDNS): no question, four answers for
/// DESKTOP-M3JAMSQ.local (three AAAA, one A), TTL 60 each.
#[test]
fn mdns_response_without_questions() {
    let m = parse(MDNS_RESPONSE);
    assert!(m.response);
    assert!(m.questions.is_empty());
    assert_eq!(m.answers.len(), 4);
    assert!(m
        .answers
        .iter()
        .all(|r| r.name == "DESKTOP-M3JAMSQ.local" && r.ttl == 60));
    assert_eq!(addr_a(&m), vec![Ipv4Addr::new(147, 229, 180, 52)]);
    let v6: Vec<String> = addr_aaaa(&m).iter().map(ToString::to_string).collect();
    assert_eq!(
        v6,
        [
            "2001:67c:1220:8b4:94:24f8:50be:212",
            "2001:67c:1220:8b4:ec52:6068:b200:3197",
            "fe80::ec52:6068:b200:3197"
        ]
    );
    let mut state = DnsState::default();
    state.on_datagram(
        Direction::In,
        &hex(MDNS_RESPONSE),
        T0,
        &DnsConfig::default(),
    );
    assert_eq!(
        json(&state),
        ",\"dns\":[{\"rc\":0,\"rr\":[\
         {\"aaaa\":\"2001:67c:1220:8b4:94:24f8:50be:212\",\"ttl\":60,\"name\":\"DESKTOP-M3JAMSQ.local\"},\
         {\"aaaa\":\"2001:67c:1220:8b4:ec52:6068:b200:3197\",\"ttl\":60,\"name\":\"DESKTOP-M3JAMSQ.local\"},\
         {\"aaaa\":\"fe80::ec52:6068:b200:3197\",\"ttl\":60,\"name\":\"DESKTOP-M3JAMSQ.local\"},\
         {\"a\":\"147.229.180.52\",\"ttl\":60,\"name\":\"DESKTOP-M3JAMSQ.local\"}],\"id\":0}]"
    );
}

/// A query and its response in one flow, in Joy's shape plus our additions.
#[test]
fn json_query_and_response() {
    let cfg = DnsConfig::default();
    let mut state = DnsState::default();
    state.on_datagram(Direction::Out, &hex(MULLVAD_QUERY), T0, &cfg);
    state.on_datagram(Direction::In, &hex(MULLVAD_RESPONSE), T0, &cfg);
    assert_eq!(
        json(&state),
        ",\"dns\":[\
         {\"qn\":\"www.mullvad.net\",\"rc\":0,\"rr\":[{\"type\":\"29\",\"class\":\"4d0\",\"rdlength\":12,\
         \"rdata\":\"000a0008c2170686ca0a9333\",\"ttl\":0,\"name\":\"\"}],\"id\":22918,\"qtype\":1},\
         {\"rn\":\"www.mullvad.net\",\"rc\":0,\"rr\":[{\"cname\":\"mullvad.net\",\"ttl\":1751,\"name\":\"www.mullvad.net\"},\
         {\"a\":\"45.83.223.209\",\"ttl\":11,\"name\":\"mullvad.net\"},\
         {\"type\":\"29\",\"class\":\"4d0\",\"rdlength\":0,\"rdata\":\"\",\"ttl\":0,\"name\":\"\"}],\"id\":22918,\"qtype\":1}]"
    );
}

#[test]
fn no_messages_writes_nothing() {
    assert_eq!(json(&DnsState::default()), "");
}

/// The response cut inside the A record's RDATA: the question and the CNAME
/// stay, the message is marked malformed at the A record.
#[test]
fn truncated_response_keeps_what_came_before() {
    let full = hex(MULLVAD_RESPONSE);
    // 12 header + 21 question + 14 CNAME record = 47; A record: name pointer
    // (2) + 10 fixed bytes, then 4 RDATA bytes; cut after 2 of them.
    let cut = &full[..47 + 12 + 2];
    let m = match DnsMessage::parse(cut, Direction::In, T0, &DnsConfig::default()) {
        Ok(m) => m,
        Err(e) => unreachable!("{e}"),
    };
    assert_eq!(m.questions.len(), 1);
    assert_eq!(m.answers.len(), 1);
    assert_eq!(m.answers[0].rdata, RData::Cname("mullvad.net".into()));
    assert_eq!(
        m.malformed,
        Some(Malformed {
            error: DnsError::Truncated,
            remaining: 14
        })
    );
}

#[test]
fn pointer_to_itself_is_a_loop() {
    // Header: qdcount 1; the question name is a pointer to offset 12 (itself).
    let mut msg = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    msg.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
    let m = match DnsMessage::parse(&msg, Direction::Out, T0, &DnsConfig::default()) {
        Ok(m) => m,
        Err(e) => unreachable!("{e}"),
    };
    assert_eq!(m.malformed.map(|b| b.error), Some(DnsError::PointerLoop));
    assert!(m.questions.is_empty());
}

#[test]
fn reserved_label_type_and_bad_pointer() {
    let mut msg = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, b'a', 0];
    let m = DnsMessage::parse(&msg, Direction::Out, T0, &DnsConfig::default()).ok();
    assert_eq!(
        m.and_then(|m| m.malformed).map(|b| b.error),
        Some(DnsError::BadLabelType(0x41))
    );
    msg.truncate(12);
    msg.extend_from_slice(&[0xc0, 200, 0, 1, 0, 1]);
    let m = DnsMessage::parse(&msg, Direction::Out, T0, &DnsConfig::default()).ok();
    assert_eq!(
        m.and_then(|m| m.malformed).map(|b| b.error),
        Some(DnsError::BadPointer(200))
    );
}

#[test]
fn datagram_shorter_than_header_is_dropped() {
    let mut state = DnsState::default();
    state.on_datagram(Direction::Out, &[0; 11], T0, &DnsConfig::default());
    assert!(state.messages().is_empty());
    assert_eq!(
        DnsMessage::parse(&[0; 11], Direction::Out, T0, &DnsConfig::default()),
        Err(DnsError::ShortHeader)
    );
}

#[test]
fn message_bound_stops_wanting_data() {
    let cfg = DnsConfig {
        max_messages: 2,
        ..DnsConfig::default()
    };
    let mut state = DnsState::default();
    for _ in 0..3 {
        assert!(state.wants_data());
        state.on_datagram(Direction::Out, &hex(LLMNR_QUERY), T0, &cfg);
        if state.messages().len() == 2 {
            break;
        }
    }
    assert_eq!(state.messages().len(), 2);
    assert!(!state.wants_data());
    state.on_datagram(Direction::Out, &hex(LLMNR_QUERY), T0, &cfg);
    assert_eq!(state.messages().len(), 2);
}

/// ndpi/dns_fragmented.pcap TCP stream 1: tshark shows query id 0x06da for
/// weberlab.de type 48 (frame 60) and its response (frame 62) with records of
/// types 48, 48, 46, 46, 41, TTL 60 for the four answers, RDLENGTHs 520, 264,
/// 543, 287, 28.
fn check_tcp_stream(state: &DnsState) {
    let m = state.messages();
    assert_eq!(m.len(), 2);
    assert!(m[0].dir == Direction::Out && !m[0].response);
    assert_eq!(
        (
            m[0].id,
            m[0].questions[0].name.as_str(),
            m[0].questions[0].qtype
        ),
        (0x06da, "weberlab.de", 48)
    );
    assert!(m[1].dir == Direction::In && m[1].response);
    assert_eq!(m[1].id, 0x06da);
    let types: Vec<u16> = m[1].answers.iter().map(|r| r.rtype).collect();
    assert_eq!(types, [48, 48, 46, 46, 41]);
    let lens: Vec<u16> = m[1].answers.iter().map(|r| r.rdlength).collect();
    assert_eq!(lens, [520, 264, 543, 287, 28]);
    assert!(m[1].answers[..4]
        .iter()
        .all(|r| r.ttl == 60 && r.name == "weberlab.de"));
    assert_eq!(m[1].malformed, None);
}

#[test]
fn tcp_stream_one_chunk_each() {
    let cfg = DnsConfig::default();
    let mut state = DnsState::default();
    state.on_stream(Direction::Out, &hex(TCP_CLIENT), T0, &cfg);
    state.on_stream(Direction::In, &hex(TCP_SERVER), T0, &cfg);
    check_tcp_stream(&state);
}

/// Every split point of each direction into two chunks, and one byte at a
/// time, give the same messages as one chunk.
#[test]
fn tcp_stream_split_at_every_byte_boundary() {
    let cfg = DnsConfig::default();
    let client = hex(TCP_CLIENT);
    let server = hex(TCP_SERVER);
    let mut whole = DnsState::default();
    whole.on_stream(Direction::Out, &client, T0, &cfg);
    whole.on_stream(Direction::In, &server, T0, &cfg);
    for cut in 0..=server.len() {
        let mut state = DnsState::default();
        let c = cut.min(client.len());
        state.on_stream(Direction::Out, &client[..c], T0, &cfg);
        state.on_stream(Direction::Out, &client[c..], T0, &cfg);
        state.on_stream(Direction::In, &server[..cut], T0, &cfg);
        state.on_stream(Direction::In, &server[cut..], T0, &cfg);
        assert_eq!(state.messages(), whole.messages(), "cut at {cut}");
    }
    let mut bytewise = DnsState::default();
    for b in &client {
        bytewise.on_stream(Direction::Out, std::slice::from_ref(b), T0, &cfg);
    }
    for b in &server {
        bytewise.on_stream(Direction::In, std::slice::from_ref(b), T0, &cfg);
    }
    check_tcp_stream(&bytewise);
    assert_eq!(bytewise.messages(), whole.messages());
}

#[test]
fn tcp_message_over_bound_is_skipped() {
    let cfg = DnsConfig {
        max_tcp_message: 100,
        ..DnsConfig::default()
    };
    let mut state = DnsState::default();
    // The 1730-byte response is skipped, the 52-byte query after it is kept.
    let mut stream = hex(TCP_SERVER);
    stream.extend_from_slice(&hex(TCP_CLIENT));
    state.on_stream(Direction::In, &stream, T0, &cfg);
    assert_eq!(state.messages().len(), 1);
    assert!(!state.messages()[0].response);
    assert_eq!(state.messages()[0].id, 0x06da);
}
