//! Kernel offload: verdicts installed once, kernel counts merged exactly at
//! every export, idle judged from the kernel's last packet. The kernel is
//! played by a map the test adds packets to, as the XDP program would.

use crate::flow::Direction;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::*;
use crate::flow::offload::{KernelCounts, Offload};

type Entries = Arc<Mutex<HashMap<FlowKey, (Action, KernelCounts)>>>;

#[derive(Default, Clone)]
struct MapOffload {
    entries: Entries,
    installs: Arc<Mutex<u32>>,
}

impl Offload for MapOffload {
    fn install(&mut self, key: &FlowKey, action: Action) -> bool {
        *self.installs.lock().unwrap() += 1;
        self.entries
            .lock()
            .unwrap()
            .insert(*key, (action, KernelCounts::default()));
        true
    }
    fn read(&mut self, key: &FlowKey) -> Option<KernelCounts> {
        self.entries.lock().unwrap().get(key).map(|e| e.1)
    }
    fn remove(&mut self, key: &FlowKey) -> Option<KernelCounts> {
        self.entries.lock().unwrap().remove(key).map(|e| e.1)
    }
}

impl MapOffload {
    /// The "kernel" counts one packet of `p` (frame = ip_len + 14) at `ts`.
    fn kernel_sees(&self, p: &Packet, ts: Timestamp) {
        let (key, from_lower) = FlowKey::from_packet(p);
        let mut m = self.entries.lock().unwrap();
        let e = m.get_mut(&key).expect("verdict installed");
        let d = &mut e.1[usize::from(!from_lower)];
        if d.packets == 0 {
            d.min_ip_len = p.ip_len as u16;
        }
        d.packets += 1;
        d.bytes += u64::from(p.payload_len);
        d.wire_bytes += u64::from(p.ip_len + 14);
        d.ip_bytes += u64::from(p.ip_len);
        d.min_ip_len = d.min_ip_len.min(p.ip_len as u16);
        d.max_ip_len = d.max_ip_len.max(p.ip_len as u16);
        d.tcp_flags |= p.tcp_flags;
        d.last = d.last.max(ts);
    }
}

fn shunting_table(after: u64) -> (FlowTable, MapOffload) {
    let mut t: FlowTable = FlowTable::with_policy(
        FlowTableConfig { ..config(16) },
        PolicyConfig {
            rules: Rules::parse(&format!("[shunt]\ntcp = {after}\n")).unwrap(),
            ..PolicyConfig::default()
        },
    );
    let off = MapOffload::default();
    t.set_offload(Box::new(off.clone()));
    (t, off)
}

#[test]
fn shunted_flow_totals_include_what_the_kernel_counted() {
    let (mut t, off) = shunting_table(3);
    // 4 packets reach userspace: the 4th is past the budget and installs the verdict.
    for i in 0..4u64 {
        feed(&mut t, &tcp(i % 2 == 0, ACK, 100), ms(i));
    }
    assert_eq!(*off.installs.lock().unwrap(), 1);
    // One more straggler was already in the ring: userspace counts it, no second install.
    feed(&mut t, &tcp(false, ACK, 100), ms(4));
    assert_eq!(*off.installs.lock().unwrap(), 1);
    // The kernel drops and counts 10 up and 5 down, one with FIN.
    for i in 0..10u64 {
        off.kernel_sees(&tcp(true, ACK, 1000), ms(10 + i));
    }
    for i in 0..5u64 {
        let flags = if i == 4 { ACK | FIN } else { ACK };
        off.kernel_sees(&tcp(false, flags, 0), ms(20 + i));
    }
    let r = &flush(&mut t)[0];
    assert_eq!(
        (
            r.dirs[Direction::Out].packets,
            r.dirs[Direction::In].packets
        ),
        (2 + 10, 3 + 5)
    );
    assert_eq!(
        (r.dirs[Direction::Out].bytes, r.dirs[Direction::In].bytes),
        (200 + 10_000, 300)
    );
    assert_eq!(r.dirs[Direction::Out].wire_bytes, 2 * 154 + 10 * 1054);
    assert_eq!(r.dirs[Direction::In].ip_bytes, 3 * 140 + 5 * 40);
    assert_eq!(
        (
            r.dirs[Direction::In].min_ip_len,
            r.dirs[Direction::Out].max_ip_len
        ),
        (40, 1040)
    );
    assert_eq!(r.dirs[Direction::In].tcp_flags, ACK | FIN);
    assert_eq!(r.time_end, ms(24));
    assert_eq!((r.kernel_packets, r.kernel_bytes), (15, 10 * 1054 + 5 * 54));
    assert_eq!(r.action, Action::Discard);
    assert!(
        off.entries.lock().unwrap().is_empty(),
        "entry removed at export"
    );
    let s = t.offload_stats();
    assert_eq!((s.installed, s.packets, s.missing), (1, 15, 0));
}

#[test]
fn idle_is_judged_from_the_kernels_last_packet() {
    let (mut t, off) = shunting_table(1);
    feed(&mut t, &tcp(true, SYN, 0), secs(0));
    feed(&mut t, &tcp(false, SYN | ACK, 0), secs(0));
    // The kernel keeps seeing the flow up to 9 s; idle is 10 s.
    off.kernel_sees(&tcp(true, ACK, 500), secs(9));
    assert!(
        housekeep(&mut t, secs(12)).is_empty(),
        "still active in the kernel"
    );
    let recs = housekeep(&mut t, secs(19));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].end_reason, EndReason::IdleTimeout);
    assert_eq!(recs[0].dirs[Direction::Out].packets, 2);
    assert_eq!(recs[0].time_end, secs(9));
}

#[test]
fn a_tcp_end_seen_by_the_kernel_ends_the_flow() {
    let (mut t, off) = shunting_table(1);
    feed(&mut t, &tcp(true, SYN, 0), secs(0));
    feed(&mut t, &tcp(false, SYN | ACK, 0), secs(0));
    off.kernel_sees(&tcp(true, FIN | ACK, 0), secs(1));
    off.kernel_sees(&tcp(false, FIN | ACK, 0), secs(1));
    let recs = housekeep(&mut t, secs(11));
    assert_eq!(recs[0].end_reason, EndReason::EndDetected);
    assert_eq!(
        recs[0].dirs[Direction::Out].packets + recs[0].dirs[Direction::In].packets,
        4
    );
}

#[test]
fn slices_add_only_what_is_new() {
    let mut t: FlowTable = FlowTable::with_policy(
        FlowTableConfig {
            slice_timeout: Some(Duration::from_secs(2)),
            ..config(16)
        },
        PolicyConfig {
            rules: Rules::parse("[filter]\nudp = \"discard\"\n").unwrap(),
            ..PolicyConfig::default()
        },
    );
    let off = MapOffload::default();
    t.set_offload(Box::new(off.clone()));
    feed(&mut t, &udp(1), secs(0));
    assert_eq!(
        *off.installs.lock().unwrap(),
        1,
        "a discard rule installs at once"
    );
    off.kernel_sees(&udp(1), secs(1));
    let s1 = housekeep(&mut t, secs(2));
    assert_eq!(s1.len(), 1);
    assert_eq!(
        (s1[0].dirs[Direction::Out].packets, s1[0].kernel_packets),
        (2, 1)
    );
    // Nothing new: the slice is empty and skipped.
    assert!(housekeep(&mut t, secs(4)).is_empty());
    off.kernel_sees(&udp(1), secs(5));
    off.kernel_sees(&udp(1), secs(5));
    let s3 = housekeep(&mut t, secs(6));
    assert_eq!(
        (s3[0].dirs[Direction::Out].packets, s3[0].kernel_packets),
        (2, 2)
    );
    let last = flush(&mut t);
    assert_eq!(
        last[0].dirs[Direction::Out].packets,
        0,
        "the final record has nothing left to add"
    );
    assert_eq!(t.offload_stats().packets, 3);
}

#[test]
fn byte_budget_shunts_bulk_flows() {
    let mut t: FlowTable = FlowTable::with_policy(
        FlowTableConfig { ..config(16) },
        PolicyConfig {
            rules: Rules::parse("[shunt_bytes]\ndefault = 3000\n").unwrap(),
            ..PolicyConfig::default()
        },
    );
    let off = MapOffload::default();
    t.set_offload(Box::new(off.clone()));
    let mut got = Vec::new();
    for i in 0..5u64 {
        got.push(feed(&mut t, &tcp(true, ACK, 1000), ms(i)).0.action);
    }
    use Action::*;
    // 1054-byte frames: the third makes 3162 > 3000.
    assert_eq!(got, [Default, Default, Discard, Discard, Discard]);
    assert_eq!(*off.installs.lock().unwrap(), 1);
}

#[test]
fn flows_without_an_own_final_action_are_not_offloaded() {
    let (mut t, off) = shunting_table(100);
    t.set_default_action(Action::Forward);
    for i in 0..5u64 {
        feed(&mut t, &tcp(true, ACK, 10), ms(i));
    }
    feed(
        &mut t,
        &pkt(1, CLIENT, 0, SERVER, 0, TcpFlags::NONE, 8),
        ms(6),
    );
    assert_eq!(*off.installs.lock().unwrap(), 0);
}
