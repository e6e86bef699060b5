//! One worker per rx queue: it owns its socket and its flow table, and shares nothing
//! on the packet path. Packets of flows owned by another worker are handed over (see
//! `handoff`); finished flows are encoded here and leave through a bounded queue to the
//! writer, waiting when it is full (see `export_queue`).
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use crate::{
    capture::afxdp::{XskQueue, XskStats},
    decode::LinkType,
    engine::{
        export_queue::ExportLane,
        handoff::{Batch, Handoff, Links, BATCH},
        pipeline::{Pipeline, Step},
        shutdown::Arrival,
    },
    features::FlowFeatures,
    flow::{EndReason, FlowRecord, FlowTableStats, OffloadStats},
};

/// How often a worker runs flow-table housekeeping (expiry is due within this much).
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_millis(250);
/// How long a worker blocks in `poll` when its ring is empty.
const POLL_TIMEOUT_MS: i32 = 20;
/// How long a worker waits for room in a full queue to another worker before it drops
/// the packet (counted). While it waits it takes what others handed to it, so two
/// workers waiting on each other both make progress.
const HANDOFF_WAIT: Duration = Duration::from_millis(2);

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
    /// Packets lost because the queue to their flow's owner stayed full for
    /// `HANDOFF_WAIT` (or, once that happened, was still full).
    pub handoff_queue_full: u64,
    /// Times a handoff found the owner's queue full and waited.
    pub handoff_waits: u64,
    /// The flow table's own counters at the end.
    pub table: FlowTableStats,
    /// Verdicts the table moved into the kernel, and what the kernel counted for them.
    pub offload: OffloadStats,
    /// The socket's kernel counters at the end.
    pub socket: XskStats,
    /// Frames still held by userspace when the worker stopped (waiting for fill ring room).
    pub pending_frames: usize,
}

pub use crate::time::now;

/// A test-only fault: the worker of this queue panics on its first frame, to check
/// that a run that loses a worker says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PanicOnQueue(pub u32);

/// A worker's state besides its socket.
pub struct Worker {
    /// This worker's packet path: its flow table, with each flow's features.
    pub pipeline: Pipeline,
    /// Its queues to and from the other workers.
    pub links: Links,
    /// Its end of the export queue to the writer.
    pub export: ExportLane,
    /// Test-only fault injection.
    pub panic_on: Option<PanicOnQueue>,
    /// Benchmark only: receive and refill, counting, and nothing else.
    pub bare_loop: bool,
    /// Where the worker publishes its counters at each housekeeping pass, for the
    /// periodic stats (`--stats-interval`).
    pub published: Arc<Mutex<WorkerReport>>,
}

/// The handoff side of a worker: its lanes, the batch being filled for each owner,
/// and which owners were found congested.
struct Handoffs<'a> {
    links: &'a Links,
    /// Per owner: the packets of this rx batch gathered for it (sent when full and at
    /// the end of the rx batch).
    pending: Vec<Batch>,
    /// Per owner: the last push waited [`HANDOFF_WAIT`] in vain, so the next ones do
    /// not wait until one succeeds (a stalled peer must not stall this worker too).
    congested: Vec<bool>,
}

impl<'a> Handoffs<'a> {
    fn new(links: &'a Links) -> Self {
        Handoffs {
            links,
            pending: (0..links.workers()).map(|_| Vec::new()).collect(),
            congested: vec![false; links.workers()],
        }
    }
}

/// Runs the capture loop for one queue until `stop` is set, then takes what the kernel
/// already delivered, waits at the shutdown barrier until every worker has done so,
/// takes what other workers handed over, and flushes every flow (waiting for the
/// writer as long as it takes). The socket is handed back so the caller can close it
/// after detaching the program.
pub fn run(
    mut xsk: XskQueue,
    w: Worker,
    stop: Arc<AtomicBool>,
    arrival: Arrival,
) -> (WorkerReport, XskQueue) {
    let Worker {
        mut pipeline,
        links,
        mut export,
        panic_on,
        bare_loop,
        published,
    } = w;
    let mut report = WorkerReport {
        queue: xsk.queue(),
        ..Default::default()
    };
    let panic_queue = panic_on.filter(|p| p.0 == report.queue);
    pipeline.table_mut().set_flow_export_callback(
        move |rec: FlowRecord, user: &mut FlowFeatures| {
            // A slice leaves the features with the flow; its final record takes them.
            let features = if rec.end_reason == EndReason::SliceTimeout {
                FlowFeatures::default()
            } else {
                std::mem::take(user)
            };
            export.export(rec, features);
        },
    );
    let mut handoffs = Handoffs::new(&links);
    let mut next_housekeeping = Instant::now() + HOUSEKEEPING_INTERVAL;
    // With peers, never sleep long on an empty ring: a peer may be handing packets over.
    let idle_wait = if links.workers() > 1 {
        1
    } else {
        POLL_TIMEOUT_MS
    };
    if bare_loop {
        bare_receive(&mut xsk, &mut report, &stop);
    }
    let mut busy = false;
    while !stop.load(Ordering::Relaxed) {
        let timeout = if busy { 0 } else { idle_wait };
        match pump(&mut xsk, &mut pipeline, &mut handoffs, &mut report, timeout) {
            Ok(n) if n > 0 && panic_queue.is_some() => {
                // The fault the option asks for: a worker dying with the flows it holds.
                #[allow(clippy::panic)]
                {
                    panic!("test fault: the worker of queue {} panics", report.queue)
                }
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                eprintln!("sluice: queue {}: poll failed: {e}", report.queue);
                break;
            }
        }
        busy = drain_inboxes(&mut pipeline, &links, &mut report) > 0;
        let t = Instant::now();
        if t >= next_housekeeping {
            pipeline.table_mut().housekeeping(now());
            next_housekeeping = t + HOUSEKEEPING_INTERVAL;
            publish(&published, &report, &pipeline, &xsk);
        }
    }
    while let Ok(n) = pump(&mut xsk, &mut pipeline, &mut handoffs, &mut report, 0) {
        if n == 0 {
            break;
        }
    }
    arrival.arrive_and_wait();
    drain_inboxes(&mut pipeline, &links, &mut report);
    pipeline.table_mut().flush();
    fill_in(&mut report, &pipeline, &xsk);
    (report, xsk)
}

/// The bare loop (`--bench-bare-loop`): takes every frame from the ring and
/// refills it, counting frames and bytes, until `stop` is set.
fn bare_receive(xsk: &mut XskQueue, report: &mut WorkerReport, stop: &AtomicBool) {
    let mut busy = false;
    while !stop.load(Ordering::Relaxed) {
        let mut bytes = 0u64;
        let timeout = if busy { 0 } else { POLL_TIMEOUT_MS };
        match xsk.recv_batch(timeout, |frame| bytes += frame.len() as u64) {
            Ok(n) => {
                busy = n > 0;
                report.frames += n as u64;
                report.bytes += bytes;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                eprintln!("sluice: queue {}: poll failed: {e}", report.queue);
                return;
            }
        }
    }
}

/// Completes `report` with the table's and the socket's counters.
fn fill_in(report: &mut WorkerReport, pipeline: &Pipeline, xsk: &XskQueue) {
    let table = pipeline.table();
    report.table = table.stats();
    report.offload = table.offload_stats();
    report.socket = xsk.stats().unwrap_or_default();
    report.pending_frames = xsk.pending();
}

/// Publishes the counters so far.
fn publish(
    published: &Mutex<WorkerReport>,
    report: &WorkerReport,
    pipeline: &Pipeline,
    xsk: &XskQueue,
) {
    let mut now = report.clone();
    fill_in(&mut now, pipeline, xsk);
    if let Ok(mut p) = published.lock() {
        *p = now;
    }
}

/// Feeds the table with what other workers handed over; returns how many packets.
fn drain_inboxes(pipeline: &mut Pipeline, links: &Links, report: &mut WorkerReport) -> u64 {
    let n = take_handed_in(pipeline, links);
    report.handed_in += n;
    n
}

/// Processes every packet waiting in this worker's inboxes, giving each emptied batch
/// back to its sender; returns how many packets.
fn take_handed_in(pipeline: &mut Pipeline, links: &Links) -> u64 {
    let mut n = 0;
    for inbox in &links.inboxes {
        while let Some(batch) = inbox.receive() {
            n += batch.len() as u64;
            for h in &batch {
                pipeline.on_handoff(h);
            }
            inbox.give_back(batch);
        }
    }
    n
}

/// Receives one batch (waiting up to `timeout_ms` when the ring is empty) and feeds each
/// frame to the pipeline, gathering the packets of flows other workers own into one
/// handoff batch per owner, sent when full and at the end. All frames of a batch share
/// one timestamp.
fn pump(
    xsk: &mut XskQueue,
    pipeline: &mut Pipeline,
    handoffs: &mut Handoffs<'_>,
    report: &mut WorkerReport,
    timeout_ms: i32,
) -> std::io::Result<usize> {
    let ts = now();
    let mut bytes = 0u64;
    let mut handed = HandoffCounts::default();
    let n = xsk.recv_batch(timeout_ms, |frame| {
        bytes += frame.len() as u64;
        let wire_len = frame.len() as u32;
        if let Step::Elsewhere { owner, pkt, key } =
            pipeline.on_frame(LinkType::Ethernet, frame, wire_len, ts)
        {
            handed.out += 1;
            let batch = &mut handoffs.pending[owner];
            batch.push(Handoff::new(pkt, key, frame, wire_len, ts));
            if batch.len() >= BATCH {
                hand_over(owner, pipeline, handoffs, &mut handed);
            }
        }
    })?;
    for owner in 0..handoffs.pending.len() {
        if !handoffs.pending[owner].is_empty() {
            hand_over(owner, pipeline, handoffs, &mut handed);
        }
    }
    report.frames += n as u64;
    report.bytes += bytes;
    report.handed_off += handed.out;
    report.handed_in += handed.taken_while_waiting;
    report.handoff_queue_full += handed.dropped;
    report.handoff_waits += handed.waits;
    Ok(n)
}

/// What one batch's handoffs did.
#[derive(Default)]
struct HandoffCounts {
    out: u64,
    dropped: u64,
    waits: u64,
    taken_while_waiting: u64,
}

/// Sends the batch gathered for worker `owner`. A full lane is waited on for up to
/// [`HANDOFF_WAIT`], taking this worker's own inboxes meanwhile; then the batch's
/// packets are dropped and counted, and the owner marked congested until a push
/// succeeds.
fn hand_over(
    owner: usize,
    pipeline: &mut Pipeline,
    handoffs: &mut Handoffs<'_>,
    counts: &mut HandoffCounts,
) {
    let Some(lane) = handoffs.links.outboxes[owner].as_ref() else {
        return;
    };
    let mut batch = std::mem::replace(&mut handoffs.pending[owner], lane.empty_batch());
    let mut since: Option<Instant> = None;
    loop {
        match lane.send(batch) {
            Ok(()) => {
                handoffs.congested[owner] = false;
                return;
            }
            Err(back) => {
                batch = back;
                if handoffs.congested[owner] {
                    counts.dropped += batch.len() as u64;
                    lane.give_back(batch);
                    return;
                }
                let start = *since.get_or_insert_with(|| {
                    counts.waits += 1;
                    Instant::now()
                });
                if start.elapsed() >= HANDOFF_WAIT {
                    handoffs.congested[owner] = true;
                    counts.dropped += batch.len() as u64;
                    lane.give_back(batch);
                    return;
                }
                counts.taken_while_waiting += take_handed_in(pipeline, handoffs.links);
                std::thread::yield_now();
            }
        }
    }
}
