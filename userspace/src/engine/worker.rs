//! One worker per rx queue: it owns its socket and its flow table, and shares nothing
//! on the packet path. Packets of flows owned by another worker are handed over (see
//! `handoff`); finished flows leave through a bounded queue to the writer.
use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Barrier,
    },
    time::{Duration, Instant},
};

use crossbeam_queue::ArrayQueue;

use crate::{
    capture::afxdp::{XskQueue, XskStats},
    decode::decode_ethernet,
    engine::handoff::{Handoff, Links},
    features::FlowFeatures,
    flow::{
        symmetric_hash, EndReason, FlowRecord, FlowTable, FlowTableStats, OffloadStats, Timestamp,
    },
};

/// How often a worker runs flow-table housekeeping (expiry is due within this much).
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_millis(250);
/// How long a worker blocks in `poll` when its ring is empty.
const POLL_TIMEOUT_MS: i32 = 20;

/// What a worker counted, returned when it stops.
#[derive(Clone, Debug, Default)]
pub struct WorkerReport {
    /// The rx queue the worker served.
    pub queue: u32,
    /// Frames taken from the rx ring.
    pub frames: u64,
    /// Bytes of those frames.
    pub bytes: u64,
    /// Packets handed to the worker owning their flow.
    pub handed_off: u64,
    /// Packets received from other workers.
    pub handed_in: u64,
    /// Packets lost because the queue to their flow's owner was full.
    pub handoff_queue_full: u64,
    /// Finished flows that could not be queued for export (export queue full).
    pub export_queue_full: u64,
    /// The flow table's own counters at the end.
    pub table: FlowTableStats,
    /// Verdicts the table moved into the kernel, and what the kernel counted for them.
    pub offload: OffloadStats,
    /// The socket's kernel counters at the end.
    pub socket: XskStats,
    /// Frames still held by userspace when the worker stopped (waiting for fill ring room).
    pub pending_frames: usize,
}

/// Current wall-clock time as a flow timestamp.
pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(d.as_nanos() as u64)
}

/// A worker's state besides its socket.
pub struct Worker {
    /// The flow table this worker owns, with each flow's features.
    pub table: FlowTable<FlowFeatures>,
    /// Its queues to and from the other workers.
    pub links: Links,
    /// Its export queue to the writer.
    pub out: Arc<ArrayQueue<(FlowRecord, FlowFeatures)>>,
}

/// Runs the capture loop for one queue until `stop` is set, then takes what the kernel
/// already delivered, waits at `barrier` until every worker has done so, takes what other
/// workers handed over, and flushes every flow. The socket is handed back so the caller
/// can close it after detaching the program.
pub fn run(
    mut xsk: XskQueue,
    mut w: Worker,
    stop: Arc<AtomicBool>,
    barrier: Arc<Barrier>,
) -> (WorkerReport, XskQueue) {
    let mut report = WorkerReport {
        queue: xsk.queue(),
        ..Default::default()
    };
    let out = Arc::clone(&w.out);
    let export_full = Arc::new(AtomicU64::new(0));
    let full = Arc::clone(&export_full);
    w.table
        .set_flow_export_callback(move |rec: FlowRecord, user: &mut FlowFeatures| {
            // A slice leaves the features with the flow; its final record takes them.
            let features = if rec.end_reason == EndReason::SliceTimeout {
                FlowFeatures::default()
            } else {
                std::mem::take(user)
            };
            if out.push((rec, features)).is_err() {
                full.fetch_add(1, Ordering::Relaxed);
            }
        });
    let mut next_housekeeping = Instant::now() + HOUSEKEEPING_INTERVAL;
    // With peers, never sleep long on an empty ring: a peer may be handing packets over.
    let idle_wait = if w.links.workers() > 1 {
        1
    } else {
        POLL_TIMEOUT_MS
    };
    let mut busy = false;
    while !stop.load(Ordering::Relaxed) {
        let timeout = if busy { 0 } else { idle_wait };
        if let Err(e) = pump(&mut xsk, &mut w, &mut report, timeout) {
            if e.kind() != std::io::ErrorKind::Interrupted {
                eprintln!("sluice: queue {}: poll failed: {e}", report.queue);
                break;
            }
        }
        busy = drain_inboxes(&mut w, &mut report) > 0;
        let t = Instant::now();
        if t >= next_housekeeping {
            w.table.housekeeping(now());
            next_housekeeping = t + HOUSEKEEPING_INTERVAL;
        }
    }
    while let Ok(n) = pump(&mut xsk, &mut w, &mut report, 0) {
        if n == 0 {
            break;
        }
    }
    barrier.wait();
    drain_inboxes(&mut w, &mut report);
    w.table.flush();
    report.export_queue_full = export_full.load(Ordering::Relaxed);
    report.table = w.table.stats();
    report.offload = w.table.offload_stats();
    report.socket = xsk.stats().unwrap_or_default();
    report.pending_frames = xsk.pending();
    (report, xsk)
}

/// Feeds the table with what other workers handed over; returns how many packets.
fn drain_inboxes(w: &mut Worker, report: &mut WorkerReport) -> u64 {
    let mut n = 0;
    for inbox in &w.links.inboxes {
        while let Some(h) = inbox.pop() {
            n += 1;
            w.table.process_head(&h.pkt, h.head(), h.wire_len, h.ts);
        }
    }
    report.handed_in += n;
    n
}

/// Receives one batch (waiting up to `timeout_ms` when the ring is empty), decodes each
/// frame and feeds the flow table, or hands the packet to the worker owning its flow.
/// All frames of a batch share one timestamp.
fn pump(
    xsk: &mut XskQueue,
    w: &mut Worker,
    report: &mut WorkerReport,
    timeout_ms: i32,
) -> std::io::Result<usize> {
    let ts = now();
    let n_workers = w.links.workers() as u64;
    let me = w.links.me;
    let (table, outboxes) = (&mut w.table, &w.links.outboxes);
    let mut bytes = 0u64;
    let (mut handed, mut full) = (0u64, 0u64);
    let n = xsk.recv_batch(timeout_ms, |frame| {
        bytes += frame.len() as u64;
        let wire_len = frame.len() as u32;
        match decode_ethernet(frame) {
            Ok(pkt) => {
                let owner = if n_workers > 1 {
                    (symmetric_hash(&pkt) % n_workers) as usize
                } else {
                    me
                };
                match &outboxes[owner] {
                    None => {
                        table.process(&pkt, frame, wire_len, ts);
                    }
                    Some(q) => {
                        handed += 1;
                        if q.push(Handoff::new(pkt, frame, wire_len, ts)).is_err() {
                            full += 1;
                        }
                    }
                }
            }
            Err(e) => table.count_decode_error(e.reason()),
        }
    })?;
    report.frames += n as u64;
    report.bytes += bytes;
    report.handed_off += handed;
    report.handoff_queue_full += full;
    Ok(n)
}
