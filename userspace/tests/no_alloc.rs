//! The hot path (decode, process, housekeeping, JSON export into a fixed
//! buffer) must not allocate once the table exists, even under churn.

use std::io::Cursor;
use std::time::Duration;

use sluice::decode::decode_ethernet;
use sluice::export::write_flow_json;
use sluice::flow::{EndReason, FlowTableConfig, Timestamp};
use sluice::policy::FlowTable;

mod common;

use common::{allocs, TCP_FRAME as FRAME};

#[test]
fn hot_path_does_not_allocate() {
    let mut table: FlowTable = FlowTable::new(FlowTableConfig {
        max_flows: 1000,
        idle_timeout: Duration::from_millis(50),
        active_timeout: Duration::from_millis(200),
        linger: Duration::from_millis(5),
        ..FlowTableConfig::default()
    });
    let mut json = [0u8; 1024];
    let mut exported = 0u64;
    let mut json_bytes = 0u64;
    let mut frame = FRAME;
    let mut rng = 0x2545_f491_4f6c_dd1du64;

    let before = allocs();
    for i in 0..300_000u64 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // First 500 ports (fit the table: active timeouts, TCP ends), then a
        // 100 ms pause (idle timeouts), then 3000 ports (overflow).
        let ports = if i < 150_000 { 500 } else { 3000 };
        let port = 1000 + (rng % ports) as u16;
        let reply = rng & (1 << 20) != 0;
        let (src, dst) = if reply { (34, 36) } else { (36, 34) };
        frame[src..src + 2].copy_from_slice(&port.to_be_bytes());
        frame[dst..dst + 2].copy_from_slice(&80u16.to_be_bytes());
        frame[47] = match (rng >> 24) % 64 {
            0 => 0x11,
            1 => 0x04,
            2 => 0x02,
            _ => 0x18,
        };
        let pkt = decode_ethernet(&frame).unwrap();
        let pause = if i < 150_000 { 0 } else { 100_000_000 };
        let ts = Timestamp(1_000_000_000 + i * 10_000 + pause);
        table.process(&pkt, &frame, frame.len() as u32, ts);
        if i % 1000 == 0 || i == 150_000 {
            table.housekeeping(ts);
        }
        for r in table.drain_exported() {
            let mut w = Cursor::new(&mut json[..]);
            write_flow_json(&r, &mut w).unwrap();
            json_bytes += w.position();
            exported += 1;
        }
    }
    table.flush();
    for r in table.drain_exported() {
        let mut w = Cursor::new(&mut json[..]);
        write_flow_json(&r, &mut w).unwrap();
        exported += 1;
    }
    let during = allocs() - before;

    let s = table.stats();
    assert_eq!(during, 0, "allocations on the hot path");
    assert_eq!(s.packets, 300_000);
    assert_eq!(s.total_exported(), exported);
    assert_eq!(s.created, exported);
    // The workload exercised every expiry path.
    for r in [
        EndReason::IdleTimeout,
        EndReason::ActiveTimeout,
        EndReason::EndDetected,
        EndReason::Overflow,
        EndReason::ForcedEnd,
    ] {
        assert!(s.exported(r) > 0, "{r:?}: {s:?}");
    }
    assert!(json_bytes > 0);
}
