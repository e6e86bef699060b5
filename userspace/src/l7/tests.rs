//! Unit tests of the detectors, with payloads taken from the shared
//! corpus (`../shared/corpus`, file named at each test).

use crate::l7::{L7Config, L7Flow, L7Packet, L7Proto};

fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    s.chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect()
}

fn udp(sport: u16, dport: u16, outbound: bool, payload: &[u8]) -> L7Packet<'_> {
    L7Packet {
        ip_proto: 17,
        sport,
        dport,
        outbound,
        payload,
        tcp_flags: 0,
    }
}

fn tcp(sport: u16, dport: u16, outbound: bool, payload: &[u8]) -> L7Packet<'_> {
    L7Packet {
        ip_proto: 6,
        sport,
        dport,
        outbound,
        payload,
        tcp_flags: 0x18,
    }
}

/// Runs `pkts` through a fresh flow; returns (protocol, done, guessed).
fn classify(pkts: &[L7Packet<'_>]) -> (L7Proto, bool, bool) {
    let mut f = L7Flow::default();
    let cfg = L7Config::default();
    let mut done = false;
    for p in pkts {
        done = f.inspect(p, &cfg);
        if done {
            break;
        }
    }
    (f.proto(), done, f.guessed())
}

fn one(p: L7Packet<'_>) -> L7Proto {
    let (proto, done, _) = classify(&[p]);
    assert!(done, "{proto:?} not done");
    proto
}

// fuzz-2006-06-26-2594.pcap frame 110 (a mangled but parseable query).
#[test]
fn dns_query_fuzzed() {
    let b = hex(
        "d6d601000001000076000000045f736970045f756470032573000963796265726369747902646b0000210001",
    );
    assert_eq!(one(udp(2724, 53, true, &b)), L7Proto::Dns);
}
