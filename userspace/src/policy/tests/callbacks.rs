//! Callbacks and per-flow user metadata.

use std::sync::{Arc, Mutex};

use super::*;

#[test]
fn user_metadata_follows_the_flow_to_export() {
    let mut t: FlowTable<u32> = FlowTable::new(config(16));
    let news = Arc::new(Mutex::new(0));
    let n = Arc::clone(&news);
    t.set_new_flow_callback(move |flow| {
        *n.lock().unwrap() += 1;
        assert_eq!(*flow.user(), 0, "fresh metadata for each flow");
    });
    t.set_flow_packet_callback(|info, flow| {
        *flow.user_mut() += info.packet.payload_len;
    });
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = Arc::clone(&got);
    t.set_flow_export_callback(move |rec, user| g.lock().unwrap().push((rec.sp, *user)));
    feed(&mut t, &udp(1), secs(1));
    feed(&mut t, &udp(1), secs(2));
    feed(&mut t, &udp(2), secs(3));
    // Idle at 12: flow 1 goes; then it restarts with fresh metadata.
    housekeep(&mut t, secs(12));
    feed(&mut t, &udp(1), secs(20));
    t.flush();
    assert_eq!(*got.lock().unwrap(), [(1, 20), (2, 10), (1, 10)]);
    assert_eq!(*news.lock().unwrap(), 3);
}

#[test]
fn list_callback_gets_each_call_s_exports_at_once() {
    let mut t = table(16);
    let batches = Arc::new(Mutex::new(Vec::new()));
    let b = Arc::clone(&batches);
    t.set_flow_list_export_callback(move |list| b.lock().unwrap().push(list.len()));
    for n in 1..=3 {
        feed(&mut t, &udp(n), secs(1));
    }
    feed(&mut t, &udp(9), secs(5));
    t.housekeeping(secs(11));
    t.flush();
    assert_eq!(*batches.lock().unwrap(), [3, 1]);
    assert_eq!(t.drain_exported().count(), 0, "the callback took them");
}

#[test]
fn packet_callback_sees_direction_and_frame() {
    let mut t = table(16);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    t.set_flow_packet_callback(move |info, _| {
        s.lock().unwrap().push((info.dir.is_out(), info.data.len()))
    });
    let p = tcp(true, SYN, 0);
    t.process(&p, &[0u8; 54], 54, secs(1));
    t.process(&tcp(false, SYN | ACK, 0), &[0u8; 60], 60, secs(1));
    assert_eq!(*seen.lock().unwrap(), [(true, 54), (false, 60)]);
}
