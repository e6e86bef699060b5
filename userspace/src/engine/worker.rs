//! One worker per rx queue: it owns its socket and its flow table, and shares nothing
//! on the packet path. Finished flows leave through a bounded queue to the writer.
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use crossbeam_queue::ArrayQueue;

use crate::{
    capture::afxdp::{XskQueue, XskStats},
    decode::{decode_ethernet, DecodeReason},
    flow::{FlowRecord, FlowTable, FlowTableStats, Timestamp},
};

/// How often a worker runs flow-table housekeeping (expiry is due within this much).
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_millis(250);
/// How long a worker blocks in `poll` when its ring is empty.
const POLL_TIMEOUT_MS: i32 = 50;

/// What a worker counted, returned when it stops.
#[derive(Clone, Debug, Default)]
pub struct WorkerReport {
    /// The rx queue the worker served.
    pub queue: u32,
    /// Frames taken from the rx ring.
    pub frames: u64,
    /// Bytes of those frames.
    pub bytes: u64,
    /// Frames that did not decode, per reason (indexed by `DecodeReason as usize`).
    pub decode_errors: [u64; DecodeReason::COUNT],
    /// Finished flows that could not be queued for export (export queue full).
    pub export_queue_full: u64,
    /// The flow table's own counters at the end.
    pub table: FlowTableStats,
    /// The socket's kernel counters at the end.
    pub socket: XskStats,
    /// Frames still held by userspace when the worker stopped (should be 0 or small).
    pub pending_frames: usize,
}

/// Current wall-clock time as a flow timestamp.
pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(d.as_nanos() as u64)
}

/// Runs the capture loop for one queue until `stop` is set, then flushes every flow.
/// The socket is handed back so the caller can close it after detaching the program.
pub fn run(
    mut xsk: XskQueue,
    mut table: FlowTable,
    out: Arc<ArrayQueue<FlowRecord>>,
    stop: Arc<AtomicBool>,
) -> (WorkerReport, XskQueue) {
    let mut report = WorkerReport {
        queue: xsk.queue(),
        ..Default::default()
    };
    let mut export_full = 0u64;
    let mut export = |rec: FlowRecord| {
        if out.push(rec).is_err() {
            export_full += 1;
        }
    };
    let mut next_housekeeping = Instant::now() + HOUSEKEEPING_INTERVAL;
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = pump(
            &mut xsk,
            &mut table,
            &mut report,
            POLL_TIMEOUT_MS,
            &mut export,
        ) {
            if e.kind() != std::io::ErrorKind::Interrupted {
                eprintln!("sluice: queue {}: poll failed: {e}", report.queue);
                break;
            }
        }
        let t = Instant::now();
        if t >= next_housekeeping {
            table.housekeeping(now(), &mut export);
            next_housekeeping = t + HOUSEKEEPING_INTERVAL;
        }
    }
    // Take what the kernel already delivered, then export everything.
    while let Ok(n) = pump(&mut xsk, &mut table, &mut report, 0, &mut export) {
        if n == 0 {
            break;
        }
    }
    table.flush(&mut export);
    report.export_queue_full = export_full;
    report.table = table.stats().clone();
    report.socket = xsk.stats().unwrap_or_default();
    report.pending_frames = xsk.pending();
    (report, xsk)
}

/// Receives one batch (waiting up to `timeout_ms` when the ring is empty), decodes each
/// frame and feeds the flow table. All frames of a batch share one timestamp.
fn pump(
    xsk: &mut XskQueue,
    table: &mut FlowTable,
    report: &mut WorkerReport,
    timeout_ms: i32,
    export: &mut impl FnMut(FlowRecord),
) -> std::io::Result<usize> {
    let ts = now();
    let errors = &mut report.decode_errors;
    let mut bytes = 0u64;
    let n = xsk.recv_batch(timeout_ms, |frame| {
        bytes += frame.len() as u64;
        match decode_ethernet(frame) {
            Ok(pkt) => {
                table.process(&pkt, frame.len() as u32, ts, export);
            }
            Err(e) => errors[e.reason().index()] += 1,
        }
    })?;
    report.frames += n as u64;
    report.bytes += bytes;
    Ok(n)
}
