//! Exact JSON output tests.

use std::time::Duration;

use crate::decode::decode_ethernet;
use crate::decode::emit::{eth, ipv4, tcp};
use crate::export::write_flow_json;
use crate::flow::{DirCounters, EndReason, FlowRecord, FlowTableConfig, Timestamp};
use crate::policy::FlowTable;

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut x = [0u8; 16];
    x[..4].copy_from_slice(&a);
    x
}

fn line(rec: &FlowRecord) -> String {
    let mut buf = Vec::new();
    write_flow_json(rec, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

pub(crate) fn ipv4_tcp_record() -> FlowRecord {
    let start = Timestamp::from_secs_nanos(1_475_012_521, 123_456_789);
    let end = Timestamp::from_secs_nanos(1_475_012_522, 1_999);
    FlowRecord {
        id: 9,
        sa: v4([10, 0, 0, 1]),
        da: v4([192, 168, 1, 200]),
        sp: 40000,
        dp: 80,
        ip_version: 4,
        proto: crate::decode::IpProto(6),
        vlan: 0,
        time_start: start,
        time_end: end,
        dirs: [
            DirCounters {
                packets: 3,
                bytes: 100,
                wire_bytes: 300,
                ip_bytes: 250,
                tcp_flags: crate::decode::TcpFlags(0x1b),
                min_ip_len: 0,
                max_ip_len: 0,
                last: end,
            },
            DirCounters {
                packets: 2,
                bytes: 500,
                wire_bytes: 640,
                ip_bytes: 600,
                tcp_flags: crate::decode::TcpFlags(0x12),
                min_ip_len: 0,
                max_ip_len: 0,
                last: end,
            },
        ],
        end_reason: EndReason::IdleTimeout,
        icmp: Default::default(),
        community_id: None,
        action: Default::default(),
        kernel_packets: 0,
        kernel_bytes: 0,
        app: Default::default(),
    }
}

#[test]
fn ipv4_tcp_line() {
    let want = concat!(
        r#"{"sa":"10.0.0.1","da":"192.168.1.200","pr":6,"sp":40000,"dp":80,"#,
        r#""bytes_out":100,"num_pkts_out":3,"bytes_in":500,"num_pkts_in":2,"#,
        r#""wire_bytes_out":300,"wire_bytes_in":640,"ip_bytes_out":250,"ip_bytes_in":600,"#,
        r#""l7":"Unknown","tcp_flags_out":27,"tcp_flags_in":18,"#,
        r#""time_start":1475012521.123456,"time_end":1475012522.000001,"expire_type":"i"}"#,
        "\n"
    );
    assert_eq!(line(&ipv4_tcp_record()), want);
}

#[test]
fn the_encoder_gives_each_record_its_community_id() {
    use crate::export::encoder::RecordEncoder;
    use crate::features::{FeatureConfig, FlowFeatures};
    // corelight's `communityid` 1.5.0 for 10.0.0.1:40000 -> 192.168.1.200:80/TCP.
    let id = "1:PG3SuM4N9dtTBFEN0vi9IoF1Ihk=";
    let enc = |community_id| {
        let cfg = std::sync::Arc::new(FeatureConfig {
            community_id,
            ..FeatureConfig::default()
        });
        let enc = RecordEncoder::new(cfg, None, true, None);
        let e = enc.encode(ipv4_tcp_record(), FlowFeatures::default(), 0);
        String::from_utf8(e.json).unwrap()
    };
    let with = enc(Some(0));
    assert!(
        with.starts_with(&format!(
            r#"{{"sa":"10.0.0.1","da":"192.168.1.200","pr":6,"sp":40000,"dp":80,"community_id":"{id}","bytes_out":"#
        )),
        "{with}"
    );
    let seeded = enc(Some(1));
    assert!(
        seeded.contains(r#""community_id":"1:"#) && !seeded.contains(id),
        "{seeded}"
    );
    assert_eq!(enc(None), line(&ipv4_tcp_record()));
}

#[test]
fn ipv6_udp_line_with_vlan_and_no_reply() {
    let mut sa = [0u8; 16];
    sa[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    sa[15] = 1;
    let mut da = [0u8; 16];
    da[..2].copy_from_slice(&[0xfe, 0x80]);
    da[12..].copy_from_slice(&[0, 1, 0, 2]);
    let ts = Timestamp::from_secs_nanos(1_700_000_000, 0);
    let rec = FlowRecord {
        id: 0,
        sa,
        da,
        sp: 5353,
        dp: 53,
        ip_version: 6,
        proto: crate::decode::IpProto(17),
        vlan: 42,
        time_start: ts,
        time_end: ts,
        dirs: [
            DirCounters {
                packets: 1,
                bytes: 4,
                wire_bytes: 70,
                ip_bytes: 52,
                tcp_flags: crate::decode::TcpFlags(0),
                min_ip_len: 0,
                max_ip_len: 0,
                last: ts,
            },
            DirCounters::default(),
        ],
        end_reason: EndReason::Overflow,
        icmp: Default::default(),
        community_id: None,
        action: Default::default(),
        kernel_packets: 0,
        kernel_bytes: 0,
        app: crate::flow::AppVerdict {
            label: crate::l7::L7Proto::Dns.into(),
            guessed: true,
            server_name: None,
        },
    };
    let want = concat!(
        r#"{"sa":"2001:db8::1","da":"fe80::1:2","pr":17,"sp":5353,"dp":53,"vlan":42,"#,
        r#""bytes_out":4,"num_pkts_out":1,"bytes_in":0,"num_pkts_in":0,"#,
        r#""wire_bytes_out":70,"wire_bytes_in":0,"ip_bytes_out":52,"ip_bytes_in":0,"#,
        r#""l7":"DNS","l7_guess":true,"time_start":1700000000.000000,"time_end":1700000000.000000,"expire_type":"o"}"#,
        "\n"
    );
    assert_eq!(line(&rec), want);
}

#[test]
fn lines_parse_as_json_with_exact_numbers() {
    let v: serde_json::Value = serde_json::from_str(&line(&ipv4_tcp_record())).unwrap();
    assert_eq!(v["sa"], "10.0.0.1");
    assert_eq!(v["num_pkts_in"], 2);
    assert_eq!(v["time_start"].as_f64(), Some(1_475_012_521.123_456));
    assert_eq!(v["l7"], "Unknown");
    assert!(v.get("l7_guess").is_none(), "l7_guess only when true");
    assert_eq!(v.as_object().unwrap().len(), 19);
}

/// Bytes to JSON: decode two frames, track them, flush, serialise.
#[test]
fn frames_to_json() {
    let (c, s) = ([10, 1, 1, 1], [10, 2, 2, 2]);
    let mut up = eth(
        &[],
        0x0800,
        &ipv4(6, c, s, &[], 0, &tcp(1025, 443, 0x02, &[], &[])),
    );
    up.resize(60, 0);
    let down = eth(
        &[],
        0x0800,
        &ipv4(6, s, c, &[], 0, &tcp(443, 1025, 0x12, &[], b"hi")),
    );
    let mut table: FlowTable = FlowTable::new(FlowTableConfig {
        max_flows: 4,
        idle_timeout: Duration::from_secs(10),
        ..FlowTableConfig::default()
    });
    let mut out = Vec::new();
    for (frame, us) in [(&up, 1), (&down, 250)] {
        let p = decode_ethernet(frame).unwrap();
        let ts = Timestamp::from_secs_nanos(1_600_000_000, us * 1000);
        table.process(&p, frame, frame.len() as u32, ts);
    }
    table.flush();
    for r in table.drain_exported() {
        write_flow_json(&r, &mut out).unwrap();
    }
    let want = concat!(
        r#"{"sa":"10.1.1.1","da":"10.2.2.2","pr":6,"sp":1025,"dp":443,"#,
        r#""bytes_out":0,"num_pkts_out":1,"bytes_in":2,"num_pkts_in":1,"#,
        r#""wire_bytes_out":60,"wire_bytes_in":56,"ip_bytes_out":40,"ip_bytes_in":42,"#,
        r#""l7":"TLS","l7_guess":true,"tcp_flags_out":2,"tcp_flags_in":18,"#,
        r#""time_start":1600000000.000001,"time_end":1600000000.000250,"expire_type":"f"}"#,
        "\n"
    );
    assert_eq!(String::from_utf8(out).unwrap(), want);
}
