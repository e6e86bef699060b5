//! L7 detection in the table: the detected callback, guesses, settings.

use crate::flow::Direction;
use std::sync::{Arc, Mutex};

use crate::decode::decode_ethernet;
use crate::decode::emit::{eth, ipv4, udp as udp_frame};
use crate::flow::{Action, FlowRecord, FlowTableConfig, Timestamp};
use crate::l7::{L7Config, L7Proto};
use crate::policy::{FlowTable, PolicyConfig};

/// An Ethernet frame of a UDP datagram 10.0.0.1:`sport` -> 10.0.0.2:`dport`.
fn frame(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    eth(
        &[],
        0x0800,
        &ipv4(
            17,
            [10, 0, 0, 1],
            [10, 0, 0, 2],
            &[],
            0,
            &udp_frame(sport, dport, payload),
        ),
    )
}

/// A DNS query for `a.b` (any id).
const DNS_QUERY: &[u8] =
    b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01a\x01b\x00\x00\x01\x00\x01";

fn run(l7: L7Config, frames: &[Vec<u8>]) -> (Vec<FlowRecord>, Vec<(L7Proto, bool, u64)>) {
    let mut t: FlowTable = FlowTable::with_policy(
        FlowTableConfig {
            max_flows: 16,
            ..FlowTableConfig::default()
        },
        PolicyConfig {
            l7,
            ..PolicyConfig::default()
        },
    );
    let calls = Arc::new(Mutex::new(Vec::new()));
    let c = Arc::clone(&calls);
    t.set_l7_detected_callback(move |flow| {
        c.lock().unwrap().push((
            flow.l7(),
            flow.l7_guessed(),
            flow.dir(Direction::Out).packets + flow.dir(Direction::In).packets,
        ));
        if flow.l7() == L7Proto::Dns {
            flow.set_action(Action::Discard);
        }
    });
    for (i, f) in frames.iter().enumerate() {
        let p = decode_ethernet(f).unwrap();
        let h = t.process(
            &p,
            f,
            f.len() as u32,
            Timestamp::from_secs_nanos(1, i as u32),
        );
        if i > 0 && calls.lock().unwrap().iter().any(|c| c.0 == L7Proto::Dns) {
            assert_eq!(h.action, Action::Discard, "the callback set the action");
        }
    }
    t.flush();
    let recs = t.drain_exported().collect();
    let calls = calls.lock().unwrap().clone();
    (recs, calls)
}

#[test]
fn callback_fires_once_when_detected() {
    let q = frame(40000, 53, DNS_QUERY);
    let (recs, calls) = run(L7Config::default(), &[q.clone(), q.clone(), q]);
    assert_eq!(
        calls,
        [(L7Proto::Dns, false, 1)],
        "on the first packet, once"
    );
    assert_eq!(recs.len(), 1);
    assert_eq!(
        (recs[0].app.label.proto(), recs[0].app.guessed),
        (L7Proto::Dns, false)
    );
    assert_eq!(recs[0].action, Action::Discard);
}

#[test]
fn undetected_flow_is_guessed_at_export_or_at_the_budget() {
    let junk = frame(40000, 53, b"not dns at all");
    // Exported before the budget: the guess comes at export.
    let (recs, calls) = run(L7Config::default(), &[junk.clone(), junk.clone()]);
    assert_eq!(calls, [(L7Proto::Dns, true, 2)]);
    assert_eq!(
        (recs[0].app.label.proto(), recs[0].app.guessed),
        (L7Proto::Dns, true)
    );
    // At the budget: the callback fires then, not again at export.
    let cfg = L7Config {
        max_packets: 2,
        ..L7Config::default()
    };
    let (recs, calls) = run(cfg, &[junk.clone(), junk.clone(), junk.clone()]);
    assert_eq!(calls, [(L7Proto::Dns, true, 2)]);
    assert_eq!(
        (recs[0].app.label.proto(), recs[0].app.guessed),
        (L7Proto::Dns, true)
    );
}

#[test]
fn no_guess_leaves_unknown() {
    let junk = frame(40000, 53, b"not dns at all");
    let cfg = L7Config {
        guess: false,
        ..L7Config::default()
    };
    let (recs, calls) = run(cfg, &[junk]);
    assert_eq!(calls, [(L7Proto::Unknown, false, 1)]);
    assert_eq!(
        (recs[0].app.label.proto(), recs[0].app.guessed),
        (L7Proto::Unknown, false)
    );
}

#[test]
fn disabled_detection_never_calls_back() {
    let q = frame(40000, 53, DNS_QUERY);
    let cfg = L7Config {
        enabled: false,
        ..L7Config::default()
    };
    let (recs, calls) = run(cfg, &[q]);
    assert!(calls.is_empty());
    assert_eq!(
        (recs[0].app.label.proto(), recs[0].app.guessed),
        (L7Proto::Unknown, false)
    );
}

#[test]
fn handed_over_packets_without_data_do_not_count() {
    let mut t: FlowTable = FlowTable::new(FlowTableConfig::default());
    let q = frame(40000, 53, DNS_QUERY);
    let p = decode_ethernet(&q).unwrap();
    t.process(&p, &[], q.len() as u32, Timestamp::from_secs_nanos(1, 0));
    t.process(&p, &q, q.len() as u32, Timestamp::from_secs_nanos(1, 1));
    t.flush();
    let r: Vec<_> = t.drain_exported().collect();
    assert_eq!(
        (r[0].app.label.proto(), r[0].app.guessed),
        (L7Proto::Dns, false)
    );
}

#[test]
fn a_handed_over_head_is_detected_without_reaching_the_packet_callback() {
    let mut t: FlowTable = FlowTable::new(FlowTableConfig::default());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    t.set_flow_packet_callback(move |p, _| s.lock().unwrap().push(p.data.len()));
    let q = frame(40000, 53, DNS_QUERY);
    let p = decode_ethernet(&q).unwrap();
    let key = t.key_of(&p);
    let at = Timestamp::from_secs_nanos(1, 0);
    t.process_keyed(&p, &key, &[], &q, q.len() as u32, at);
    t.flush();
    let r: Vec<_> = t.drain_exported().collect();
    assert_eq!(
        (r[0].app.label.proto(), r[0].app.guessed),
        (L7Proto::Dns, false)
    );
    assert_eq!(*seen.lock().unwrap(), [0], "features get no cut frame");
}
