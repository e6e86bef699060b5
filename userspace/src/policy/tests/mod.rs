//! Tests of the flow table with its stage (PF_RING FT's table), with
//! crafted packets and explicit timestamps.

use std::time::Duration;

use super::*;
use crate::decode::{IpProto, Packet, TcpFlags};
use crate::flow::*;

mod actions;
mod callbacks;
mod keys;
mod l7;
mod offload;
mod rules_file;
mod slices;

const CLIENT: [u8; 4] = [192, 168, 1, 200];
const SERVER: [u8; 4] = [10, 0, 0, 1];
const SYN: TcpFlags = TcpFlags::SYN;
const FIN: TcpFlags = TcpFlags::FIN;
const RST: TcpFlags = TcpFlags::RST;
const ACK: TcpFlags = TcpFlags::ACK;
const PSH: TcpFlags = TcpFlags::PSH;

fn addr(a: [u8; 4]) -> [u8; 16] {
    let mut x = [0u8; 16];
    x[..4].copy_from_slice(&a);
    x
}

fn pkt(
    proto: u8,
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    flags: TcpFlags,
    payload: u32,
) -> Packet {
    let l4 = if proto == 6 { 20 } else { 8 };
    Packet {
        vlan: 0,
        ip_version: 4,
        src: addr(src),
        dst: addr(dst),
        proto: IpProto(proto),
        sport,
        dport,
        tcp_flags: flags,
        ip_len: 20 + l4 + payload,
        payload_offset: 34 + l4,
        payload_len: payload,
        ..Default::default()
    }
}

/// TCP from client:40000 to server:80 (`up`) or back.
fn tcp(up: bool, flags: TcpFlags, payload: u32) -> Packet {
    if up {
        pkt(6, CLIENT, 40000, SERVER, 80, flags, payload)
    } else {
        pkt(6, SERVER, 80, CLIENT, 40000, flags, payload)
    }
}

/// UDP flow number `n` (distinct source port).
fn udp(n: u16) -> Packet {
    pkt(17, CLIENT, n, SERVER, 53, TcpFlags::NONE, 10)
}

fn ms(n: u64) -> Timestamp {
    Timestamp(n * 1_000_000)
}

fn secs(n: u64) -> Timestamp {
    Timestamp(n * 1_000_000_000)
}

fn config(max_flows: usize) -> FlowTableConfig {
    FlowTableConfig {
        max_flows,
        idle_timeout: Duration::from_secs(10),
        active_timeout: Duration::from_secs(30),
        linger: Duration::from_secs(1),
        ..FlowTableConfig::default()
    }
}

fn table(max_flows: usize) -> FlowTable {
    FlowTable::new(config(max_flows))
}

fn feed<U: Default>(
    t: &mut FlowTable<U>,
    p: &Packet,
    ts: Timestamp,
) -> (FlowHandle, Vec<FlowRecord>) {
    let h = t.process(p, &[], p.ip_len + 14, ts);
    (h, t.drain_exported().collect())
}

fn housekeep<U: Default>(t: &mut FlowTable<U>, now: Timestamp) -> Vec<FlowRecord> {
    t.housekeeping(now);
    t.drain_exported().collect()
}

fn flush<U: Default>(t: &mut FlowTable<U>) -> Vec<FlowRecord> {
    t.flush();
    t.drain_exported().collect()
}

#[test]
fn entry_size() {
    assert_eq!(FLOW_ENTRY_SIZE, 248);
    const { assert!(FLOW_ENTRY_SIZE <= 256) };
}

#[test]
fn a_bare_store_keeps_and_expires_flows_without_a_stage() {
    let mut t: Table<(), ()> = Table::with_stage(config(16), ());
    feed_bare(&mut t, &tcp(true, SYN, 0), secs(1));
    feed_bare(&mut t, &tcp(false, SYN | ACK, 0), secs(1));
    assert_eq!(t.len(), 1);
    t.housekeeping(secs(20));
    let out: Vec<FlowRecord> = t.drain_exported().collect();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].end_reason, EndReason::IdleTimeout);
    assert_eq!(out[0].dirs[Direction::Out].packets, 1);
    assert_eq!(out[0].dirs[Direction::In].packets, 1);
    assert_eq!(out[0].app, AppVerdict::default(), "no stage, no label");
}

fn feed_bare(t: &mut Table<(), ()>, p: &Packet, ts: Timestamp) -> FlowHandle {
    t.process(p, &[], p.ip_len + 14, ts)
}

#[test]
fn key_is_bidirectional() {
    let (k1, lower1) = FlowKey::from_packet(&tcp(true, SYN, 0));
    let (k2, lower2) = FlowKey::from_packet(&tcp(false, SYN | ACK, 0));
    assert_eq!(k1, k2);
    assert!(
        !lower1 && lower2,
        "client 192.168.1.200 is the higher endpoint"
    );
    assert_eq!((k1.lo_port, k1.hi_port), (80, 40000));
}

#[test]
fn first_sender_is_source_and_directions_are_counted() {
    let mut t = table(16);
    let (h, _) = feed(&mut t, &tcp(true, SYN, 0), ms(100_000));
    assert_eq!((h.dir, h.new_flow), (Direction::Out, true));
    let (h2, _) = feed(&mut t, &tcp(false, SYN | ACK, 0), ms(100_010));
    assert_eq!(
        (h2.slot, h2.dir, h2.new_flow),
        (h.slot, Direction::In, false)
    );
    feed(&mut t, &tcp(true, ACK | PSH, 100), ms(100_020));
    feed(&mut t, &tcp(false, ACK | PSH, 500), ms(100_030));
    let recs = flush(&mut t);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(
        (r.sa, r.sp, r.da, r.dp),
        (addr(CLIENT), 40000, addr(SERVER), 80)
    );
    assert_eq!((r.proto.0, r.ip_version, r.vlan, r.id), (6, 4, 0, 0));
    let out = DirCounters {
        packets: 2,
        bytes: 100,
        wire_bytes: 54 + 154,
        ip_bytes: 40 + 140,
        tcp_flags: SYN | ACK | PSH,
        min_ip_len: 40,
        max_ip_len: 140,
        last: ms(100_020),
    };
    let back = DirCounters {
        packets: 2,
        bytes: 500,
        wire_bytes: 54 + 554,
        ip_bytes: 40 + 540,
        tcp_flags: SYN | ACK | PSH,
        min_ip_len: 40,
        max_ip_len: 540,
        last: ms(100_030),
    };
    assert_eq!(r.dirs, [out, back]);
    assert_eq!((r.time_start, r.time_end), (ms(100_000), ms(100_030)));
    assert_eq!(r.end_reason, EndReason::ForcedEnd);
}

#[test]
fn lower_endpoint_as_source() {
    let mut t = table(16);
    feed(&mut t, &tcp(false, SYN, 0), secs(1));
    feed(&mut t, &tcp(true, SYN | ACK, 0), secs(2));
    let r = &flush(&mut t)[0];
    assert_eq!((r.sa, r.sp, r.dp), (addr(SERVER), 80, 40000));
    assert_eq!(
        (
            r.dirs[Direction::Out].packets,
            r.dirs[Direction::In].packets
        ),
        (1, 1)
    );
    assert_eq!(
        (r.dirs[Direction::Out].last, r.dirs[Direction::In].last),
        (secs(1), secs(2))
    );
}

#[test]
fn reply_only_direction_stays_zero() {
    let mut t = table(16);
    feed(&mut t, &udp(5), secs(1));
    let r = &flush(&mut t)[0];
    assert_eq!(r.dirs[Direction::In], DirCounters::default());
    assert_eq!(r.time_end, secs(1));
}

#[test]
fn idle_expiry_exactly_at_timeout() {
    let mut t = table(16);
    feed(&mut t, &udp(1), secs(100));
    assert!(housekeep(&mut t, Timestamp(secs(110).0 - 1)).is_empty());
    let recs = housekeep(&mut t, secs(110));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].end_reason, EndReason::IdleTimeout);
    assert_eq!(t.stats().exported(EndReason::IdleTimeout), 1);
    assert_eq!((t.stats().active, t.len()), (0, 0));
}

#[test]
fn idle_flow_hit_by_packet_is_exported_and_restarted() {
    let mut t = table(16);
    feed(&mut t, &udp(1), secs(100));
    let (h, recs) = feed(&mut t, &udp(1), Timestamp(secs(110).0 - 1));
    assert!(recs.is_empty() && !h.new_flow);
    let (h, recs) = feed(&mut t, &udp(1), secs(119));
    assert!(recs.is_empty() && !h.new_flow);
    let (h, recs) = feed(&mut t, &udp(1), secs(129));
    assert_eq!(recs.len(), 1);
    assert_eq!(
        (recs[0].end_reason, recs[0].dirs[Direction::Out].packets),
        (EndReason::IdleTimeout, 3)
    );
    assert!(h.new_flow);
    assert_eq!(t.stats().created, 2);
}

#[test]
fn active_timeout_at_housekeeping() {
    let mut t = table(16);
    for s in (0..=25).step_by(5) {
        feed(&mut t, &udp(1), secs(1000 + s));
    }
    assert!(housekeep(&mut t, Timestamp(secs(1030).0 - 1)).is_empty());
    let recs = housekeep(&mut t, secs(1030));
    assert_eq!(recs.len(), 1);
    assert_eq!(
        (recs[0].end_reason, recs[0].dirs[Direction::Out].packets),
        (EndReason::ActiveTimeout, 6)
    );
    let (h, _) = feed(&mut t, &udp(1), secs(1035));
    assert!(h.new_flow);
    assert_eq!(flush(&mut t)[0].id, 1);
}

#[test]
fn active_timeout_on_next_packet() {
    let mut t = table(16);
    for s in (0..30).step_by(5) {
        feed(&mut t, &udp(1), secs(s));
    }
    let (h, recs) = feed(&mut t, &udp(1), secs(30));
    assert_eq!(recs.len(), 1);
    assert_eq!(
        (recs[0].end_reason, recs[0].dirs[Direction::Out].packets),
        (EndReason::ActiveTimeout, 6)
    );
    assert!(h.new_flow);
    let r = &flush(&mut t)[0];
    assert_eq!(
        (r.dirs[Direction::Out].packets, r.time_start),
        (1, secs(30))
    );
}

/// Opens a connection at 0 s and closes it with FIN / FIN-ACK at 10.0 / 10.1 s.
fn fin_fin(t: &mut FlowTable) {
    feed(t, &tcp(true, SYN, 0), secs(0));
    feed(t, &tcp(false, SYN | ACK, 0), ms(10));
    feed(t, &tcp(true, ACK, 0), ms(20));
    feed(t, &tcp(true, FIN | ACK, 0), ms(10_000));
    feed(t, &tcp(false, FIN | ACK, 0), ms(10_100));
}

#[test]
fn fin_fin_lingers_so_last_ack_joins() {
    let mut t = table(16);
    fin_fin(&mut t);
    let (h, recs) = feed(&mut t, &tcp(true, ACK, 0), ms(10_200));
    assert!(recs.is_empty() && !h.new_flow);
    assert!(housekeep(&mut t, ms(10_500)).is_empty());
    assert!(housekeep(&mut t, ms(11_199)).is_empty());
    let recs = housekeep(&mut t, ms(11_200));
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.end_reason, EndReason::EndDetected);
    assert_eq!(
        (
            r.dirs[Direction::Out].packets,
            r.dirs[Direction::In].packets
        ),
        (4, 2)
    );
    assert_eq!(
        (
            r.dirs[Direction::Out].tcp_flags,
            r.dirs[Direction::In].tcp_flags
        ),
        (SYN | ACK | FIN, SYN | ACK | FIN)
    );
    assert_eq!(r.time_end, ms(10_200));
    assert!(t.is_empty());
}

#[test]
fn single_fin_does_not_end() {
    let mut t = table(16);
    feed(&mut t, &tcp(true, SYN, 0), secs(0));
    feed(&mut t, &tcp(true, FIN | ACK, 0), secs(1));
    assert!(housekeep(&mut t, secs(5)).is_empty());
    assert_eq!(
        housekeep(&mut t, secs(11))[0].end_reason,
        EndReason::IdleTimeout
    );
}

#[test]
fn rst_ends_flow_after_linger() {
    let mut t = table(16);
    feed(&mut t, &tcp(true, SYN, 0), secs(0));
    feed(&mut t, &tcp(false, RST | ACK, 0), ms(5));
    assert!(housekeep(&mut t, ms(1_004)).is_empty());
    let recs = housekeep(&mut t, ms(1_005));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].end_reason, EndReason::EndDetected);
    assert_eq!(t.stats().exported(EndReason::EndDetected), 1);
}

#[test]
fn new_syn_on_ended_flow_starts_new_flow() {
    let mut t = table(16);
    fin_fin(&mut t);
    let (h, recs) = feed(&mut t, &tcp(false, SYN, 0), ms(10_300));
    assert_eq!(recs.len(), 1);
    assert_eq!(
        (recs[0].end_reason, recs[0].dirs[Direction::Out].packets),
        (EndReason::EndDetected, 3)
    );
    assert!(h.new_flow && h.dir == Direction::Out);
    // The new flow is live again: it no longer expires after the linger time.
    assert!(housekeep(&mut t, secs(12)).is_empty());
    let r = &flush(&mut t)[0];
    assert_eq!(
        (r.sa, r.sp, r.dirs[Direction::Out].packets, r.id),
        (addr(SERVER), 80, 1, 1)
    );
}

#[test]
fn packet_after_linger_starts_new_flow() {
    let mut t = table(16);
    fin_fin(&mut t);
    let (h, recs) = feed(&mut t, &tcp(true, ACK, 0), ms(11_100));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].end_reason, EndReason::EndDetected);
    assert!(h.new_flow);
}

#[test]
fn overflow_evicts_least_recently_active() {
    let mut t = table(3);
    feed(&mut t, &udp(1), secs(1));
    feed(&mut t, &udp(2), secs(2));
    feed(&mut t, &udp(3), secs(3));
    feed(&mut t, &udp(1), secs(4));
    let (h, recs) = feed(&mut t, &udp(4), secs(5));
    assert!(h.new_flow);
    assert_eq!(recs.len(), 1);
    assert_eq!((recs[0].sp, recs[0].end_reason), (2, EndReason::Overflow));
    let s = t.stats();
    assert_eq!(
        (s.overflows, s.exported(EndReason::Overflow), s.active),
        (1, 1, 3)
    );
    let ports: Vec<u16> = flush(&mut t).iter().map(|r| r.sp).collect();
    assert_eq!(ports, [1, 3, 4]);
}

#[test]
fn overflow_considers_ended_flows() {
    let mut t = table(2);
    fin_fin(&mut t); // last activity 10.1 s, ended
    feed(&mut t, &udp(1), ms(10_120));
    let (_, recs) = feed(&mut t, &udp(2), ms(10_160));
    assert_eq!(
        (recs[0].proto.0, recs[0].end_reason),
        (6, EndReason::Overflow)
    );
}

#[test]
fn flush_exports_all_oldest_first() {
    let mut t = table(16);
    feed(&mut t, &udp(7), secs(1));
    feed(&mut t, &udp(8), secs(2));
    feed(&mut t, &udp(9), secs(3));
    feed(&mut t, &udp(7), secs(4));
    let recs = flush(&mut t);
    let got: Vec<(u16, EndReason)> = recs.iter().map(|r| (r.sp, r.end_reason)).collect();
    let f = EndReason::ForcedEnd;
    assert_eq!(got, [(7, f), (8, f), (9, f)]);
    assert_eq!(
        (t.len(), t.stats().active, t.stats().exported(f)),
        (0, 0, 3)
    );
    let (h, _) = feed(&mut t, &udp(7), secs(5));
    assert!(h.new_flow);
    assert_eq!(flush(&mut t)[0].id, 3);
}

#[test]
fn vlan_separates_flows() {
    let mut t = table(16);
    let mut a = udp(1);
    a.vlan = 10;
    let mut b = a;
    b.vlan = 20;
    feed(&mut t, &a, secs(1));
    feed(&mut t, &b, secs(1));
    feed(&mut t, &a, secs(2));
    let recs = flush(&mut t);
    let got: Vec<(u16, u64)> = recs
        .iter()
        .map(|r| (r.vlan, r.dirs[Direction::Out].packets))
        .collect();
    assert_eq!(got, [(10, 2), (20, 1)]);
}

#[test]
fn expiring_one_of_100k_flows_does_not_scan() {
    let n: u32 = 100_000;
    let mut t = table(n as usize + 1);
    let mut p = udp(0);
    feed(&mut t, &p, secs(0));
    for i in 1..=n {
        p.src[..4].copy_from_slice(&i.to_be_bytes());
        let ts = Timestamp(secs(5).0 + u64::from(i) * 1000);
        assert!(feed(&mut t, &p, ts).1.is_empty());
    }
    assert_eq!(t.len(), n as usize + 1);
    let before = t.stats().scanned;
    let recs = housekeep(&mut t, secs(10));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].sa, addr(CLIENT));
    // The exported flow, then one non-due head each in the live and age lists.
    assert_eq!(t.stats().scanned - before, 3);
    let recs = housekeep(&mut t, Timestamp(secs(15).0 + 50_000 * 1000));
    assert_eq!(recs.len(), 50_000);
    assert!(recs.iter().all(|r| r.end_reason == EndReason::IdleTimeout));
    assert_eq!(t.len(), 50_000);
}

#[test]
fn end_reason_names_and_indices() {
    let names: Vec<&str> = EndReason::ALL.iter().map(|r| r.joy_name()).collect();
    assert_eq!(names, ["-", "i", "a", "e", "f", "s", "o"]);
    for (i, r) in EndReason::ALL.iter().enumerate() {
        assert_eq!(r.index(), i);
    }
}

#[test]
fn syn_ack_first_still_makes_the_client_the_source() {
    let mut t = table(16);
    let (h, _) = feed(&mut t, &tcp(false, SYN | ACK, 0), ms(100_000));
    assert_eq!((h.dir, h.new_flow), (Direction::In, true));
    let (h2, _) = feed(&mut t, &tcp(true, SYN, 0), ms(100_001));
    assert_eq!(
        (h2.slot, h2.dir, h2.new_flow),
        (h.slot, Direction::Out, false)
    );
    let recs = flush(&mut t);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(
        (r.sa, r.sp, r.da, r.dp),
        (addr(CLIENT), 40000, addr(SERVER), 80)
    );
    assert_eq!(
        (
            r.dirs[Direction::Out].packets,
            r.dirs[Direction::In].packets
        ),
        (1, 1)
    );
    assert_eq!(
        (
            r.dirs[Direction::Out].tcp_flags,
            r.dirs[Direction::In].tcp_flags
        ),
        (SYN, SYN | ACK)
    );
}

/// Flows created in one order and last seen in another (ties included).
fn flows_seen_out_of_order(t: &mut FlowTable) {
    // Flow n is created at n ms; its last packet comes at `last[n]` ms.
    let last = [50u64, 10, 30, 10, 70, 20, 30];
    for n in 0..last.len() as u16 {
        t.process(&udp(1000 + n), &[], 60, ms(u64::from(n)));
    }
    for (n, &at) in last.iter().enumerate() {
        t.process(&udp(1000 + n as u16), &[], 60, ms(at));
    }
}

#[test]
fn a_flush_in_end_order_writes_what_a_flush_sorted_by_end_writes_a_chunk_at_a_time() {
    let mut whole = table(16);
    flows_seen_out_of_order(&mut whole);
    let mut expected = flush(&mut whole);
    // A stable sort: flows ending together stay in creation order.
    expected.sort_by_key(|r| r.time_end);

    let mut chunked = table(16);
    flows_seen_out_of_order(&mut chunked);
    let mut got = Vec::new();
    let mut chunks = 0;
    loop {
        let done = chunked.flush_in_end_order(3);
        let chunk: Vec<FlowRecord> = chunked.drain_exported().collect();
        assert!(chunk.len() <= 3, "at most one chunk at a time");
        got.extend(chunk);
        chunks += 1;
        if done {
            break;
        }
    }
    assert_eq!(got, expected);
    assert_eq!(chunks, 3, "7 flows in chunks of 3");
    let ids: Vec<u16> = got.iter().map(|r| r.sp).collect();
    assert_eq!(ids, [1001, 1003, 1005, 1002, 1006, 1000, 1004]);
    assert!(got.iter().all(|r| r.end_reason == EndReason::ForcedEnd));
    assert!(chunked.is_empty());
    assert_eq!(chunked.stats().exported(EndReason::ForcedEnd), 7);
    // The table works on after its flush.
    let (h, _) = feed(&mut chunked, &udp(9), ms(100));
    assert!(h.new_flow);
}
