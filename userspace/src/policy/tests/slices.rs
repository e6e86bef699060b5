//! Slice timeout: periodic partial exports that keep the flow.

use super::*;
use crate::flow::Direction;

fn sliced(slice: u64) -> FlowTable {
    FlowTable::new(FlowTableConfig {
        slice_timeout: Some(Duration::from_secs(slice)),
        idle_timeout: Duration::from_secs(100),
        active_timeout: Duration::from_secs(1000),
        ..config(16)
    })
}

#[test]
fn slices_export_the_counts_since_the_previous_slice() {
    let mut t = sliced(5);
    for s in 0..3 {
        feed(&mut t, &tcp(true, ACK, 10), secs(100 + s));
    }
    assert!(housekeep(&mut t, secs(104)).is_empty());
    let first = housekeep(&mut t, secs(105));
    assert_eq!(first.len(), 1);
    let a = &first[0];
    assert_eq!(a.end_reason, EndReason::SliceTimeout);
    assert_eq!(
        (a.dirs[Direction::Out].packets, a.dirs[Direction::Out].bytes),
        (3, 30)
    );
    assert_eq!((a.time_start, a.time_end), (secs(100), secs(102)));
    assert_eq!(t.len(), 1, "the flow stays");
    feed(&mut t, &tcp(false, ACK, 7), secs(106));
    feed(&mut t, &tcp(true, ACK, 10), secs(107));
    let last = flush(&mut t);
    let b = &last[0];
    assert_eq!(b.end_reason, EndReason::ForcedEnd);
    assert_eq!(b.id, a.id);
    assert_eq!(
        (
            b.dirs[Direction::Out].packets,
            b.dirs[Direction::In].packets,
            b.dirs[Direction::In].bytes
        ),
        (1, 1, 7)
    );
    assert_eq!((b.time_start, b.time_end), (secs(106), secs(107)));
    assert_eq!(t.stats().exported(EndReason::SliceTimeout), 1);
}

#[test]
fn empty_slices_are_skipped_and_idle_counts_from_the_last_packet() {
    let mut t = sliced(5);
    feed(&mut t, &udp(1), secs(0));
    assert_eq!(housekeep(&mut t, secs(5)).len(), 1);
    assert!(
        housekeep(&mut t, secs(10)).is_empty(),
        "nothing new to export"
    );
    assert!(housekeep(&mut t, secs(99)).is_empty());
    let idle = housekeep(&mut t, secs(100));
    assert_eq!(idle.len(), 1);
    assert_eq!(idle[0].end_reason, EndReason::IdleTimeout);
    assert_eq!(
        idle[0].dirs[Direction::Out].packets,
        0,
        "the last slice already carried it"
    );
}
