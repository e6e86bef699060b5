//! Memory per flow, by exact allocation accounting (a counting global
//! allocator): bytes allocated per live flow with no features, with every
//! feature after one packet without payload, and after 50 packets with
//! payload; and no allocation per packet in steady state with every
//! feature on, flows coming and going. The figures are in
//! docs/benchmarks.md ("Memory per flow").

#![allow(clippy::expect_used)] // test helpers outside #[test] functions

use std::sync::Arc;
use std::time::Duration;

use sluice::decode::decode_ethernet;
use sluice::decode::emit::{eth, ipv4, udp};
use sluice::export::write_flow_json_with;
use sluice::features::{attach, FeatureConfig, FeatureSet, FlowFeatures, ReadyHooks};
use sluice::flow::{EndReason, FlowTableConfig, Timestamp};
use sluice::policy::FlowTable;

mod common;

use common::{allocs, live_bytes, TCP_FRAME};

/// Ethernet + IPv4 + UDP from 10.0.0.1:`sport` to 10.0.0.2:4000 (or back when
/// `reply`) with `payload` bytes of 0x5a.
fn udp_frame(sport: u16, reply: bool, payload: usize) -> Vec<u8> {
    let (a, b) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    let (src, dst, sp, dp) = if reply {
        (b, a, 4000, sport)
    } else {
        (a, b, sport, 4000)
    };
    let data = vec![0x5a; payload];
    eth(
        &[],
        0x0800,
        &ipv4(17, src, dst, &[], 0, &udp(sp, dp, &data)),
    )
}

fn every_feature() -> Arc<FeatureConfig> {
    Arc::new(FeatureConfig {
        set: FeatureSet::all(),
        ..FeatureConfig::default()
    })
}

/// Bytes allocated per flow for `flows` flows of `packets` packets each
/// (alternating directions, `payload` bytes each), counting the table itself
/// (sized to `flows`) from before its creation.
fn bytes_per_flow(features: bool, flows: u16, packets: u16, payload: usize) -> i64 {
    let frames: Vec<[Vec<u8>; 2]> = (0..flows)
        .map(|i| {
            [
                udp_frame(10_000 + i, false, payload),
                udp_frame(10_000 + i, true, payload),
            ]
        })
        .collect();
    let before = live_bytes();
    let mut table: FlowTable<FlowFeatures> = FlowTable::new(FlowTableConfig {
        max_flows: usize::from(flows),
        ..FlowTableConfig::default()
    });
    if features {
        attach(&mut table, every_feature(), ReadyHooks::default());
    }
    for n in 0..packets {
        for (i, pair) in frames.iter().enumerate() {
            let f = &pair[usize::from(n % 2)];
            let pkt = decode_ethernet(f).expect("frame");
            let ts = Timestamp(1_000_000_000 + u64::from(n) * 1_000_000 + i as u64);
            table.process(&pkt, f, f.len() as u32, ts);
        }
    }
    assert_eq!(table.len(), usize::from(flows));
    let per_flow = (live_bytes() - before) / i64::from(flows);
    drop(table);
    per_flow
}

/// [`bytes_per_flow`] on a thread of its own: its allocation count and the
/// worker pools (thread-local) start empty.
fn measured(features: bool, flows: u16, packets: u16, payload: usize) -> i64 {
    std::thread::spawn(move || bytes_per_flow(features, flows, packets, payload))
        .join()
        .expect("measuring thread")
}

#[test]
fn bytes_per_live_flow() {
    use sluice::features::app::AppParsers;
    use sluice::features::byte_dist::{ByteDist, Counts};
    use sluice::features::idp::Idp;
    use sluice::features::splt::{LongList, Splt, SpltEntry};
    use sluice::features::FeatureState;
    use std::mem::size_of;

    let none = measured(false, 10_000, 1, 0);
    let one_empty = measured(true, 10_000, 1, 0);
    let fifty_full = measured(true, 10_000, 50, 200);
    eprintln!(
        "bytes per flow: (a) no features {none}, (b) every feature after 1 packet without payload \
         {one_empty}, (c) after 50 packets of 200 bytes {fifty_full}"
    );
    // (a) The slab entry, the user slot, and the hash index (a fraction of
    // a 2x-sized table of 4-byte slots) with the table's fixed parts.
    let slab = (sluice::policy::FLOW_ENTRY_SIZE + size_of::<FlowFeatures>()) as i64;
    assert!(
        none >= slab && none - slab <= 96,
        "(a) {none} bytes per flow, slab {slab}"
    );
    // (b) One FeatureState and the application parsers' slot; nothing else
    // until a packet has payload.
    let state = size_of::<FeatureState>() + size_of::<AppParsers>();
    assert_eq!(
        one_empty - none,
        state as i64,
        "(b) every feature, one empty packet"
    );
    // (c) 50 packets each way (UDP, 200-byte payload, not an application
    // protocol): both directions' SPLT lists (100 entries), the byte
    // distribution's table, and both initial data packets (228-byte IP
    // packets).
    let splt = size_of::<Splt>() + size_of::<LongList>() + 100 * size_of::<SpltEntry>();
    let bd = size_of::<ByteDist>() + size_of::<Counts>();
    let idp = size_of::<Idp>() + 2 * (20 + 8 + 200);
    assert_eq!(
        fifty_full - none,
        (state + splt + bd + idp) as i64,
        "(c) every feature, 50 packets with payload"
    );
}

/// Flows come and go (active and idle timeouts, TCP ends, overflow) with
/// every feature on, each exported record written as JSON: once the
/// worker's pools hold what its flows need, no packet allocates. (The
/// payload is not an application protocol: TLS, DNS and HTTP parsers
/// allocate per flow what they keep, names and certificates.)
#[test]
fn steady_state_with_every_feature_allocates_nothing_per_packet() {
    let cfg = every_feature();
    let mut table: FlowTable<FlowFeatures> = FlowTable::new(FlowTableConfig {
        max_flows: 1000,
        idle_timeout: Duration::from_millis(50),
        active_timeout: Duration::from_millis(200),
        linger: Duration::from_millis(5),
        ..FlowTableConfig::default()
    });
    attach(&mut table, Arc::clone(&cfg), ReadyHooks::default());
    let mut json: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut exported = 0u64;
    let mut frame = TCP_FRAME;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    // Each port's next sequence number each way: segments arrive in order.
    let mut seqs = vec![[0u32; 2]; 3000];
    let mut run = |from: u64, to: u64, table: &mut FlowTable<FlowFeatures>| {
        for i in from..to {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let phase = i % 300_000;
            let ports = if phase < 150_000 { 500 } else { 3000 };
            let port = 1000 + (rng % ports) as u16;
            let reply = rng & (1 << 20) != 0;
            let (src, dst) = if reply { (34, 36) } else { (36, 34) };
            frame[src..src + 2].copy_from_slice(&port.to_be_bytes());
            frame[dst..dst + 2].copy_from_slice(&80u16.to_be_bytes());
            let seq = &mut seqs[usize::from(port - 1000)][usize::from(reply)];
            frame[38..42].copy_from_slice(&seq.to_be_bytes());
            *seq = seq.wrapping_add(6);
            frame[47] = match (rng >> 24) % 64 {
                0 => 0x11,
                1 => 0x04,
                2 => 0x02,
                _ => 0x18,
            };
            let pkt = decode_ethernet(&frame).expect("frame");
            let pause = (i / 150_000) * 100_000_000;
            let ts = Timestamp(1_000_000_000 + i * 10_000 + pause);
            table.process(&pkt, &frame, frame.len() as u32, ts);
            if i % 1000 == 0 || phase == 150_000 {
                table.housekeeping(ts);
            }
            for (rec, features) in table.drain_exported_with_user() {
                json.clear();
                write_flow_json_with(&rec, &mut json, |w| features.write_json(w, &cfg, None))
                    .expect("json");
                exported += 1;
            }
        }
    };
    // Warm-up: every kind of flow end once, so the pools hold what flows need.
    run(0, 600_000, &mut table);
    let before = allocs();
    run(600_000, 900_000, &mut table);
    let during = allocs() - before;
    table.flush();
    let s = table.stats();
    assert_eq!(during, 0, "allocations per packet in steady state");
    assert_eq!(s.packets, 900_000);
    for r in [
        EndReason::IdleTimeout,
        EndReason::ActiveTimeout,
        EndReason::EndDetected,
        EndReason::Overflow,
    ] {
        assert!(s.exported(r) > 0, "{r:?}: {s:?}");
    }
    assert!(exported > 1000);
}
