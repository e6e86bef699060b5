//! The queue from one worker to the writer, and the backpressure on it.
//!
//! A worker encodes every flow its table exports (JSON line, IPFIX record;
//! see [`crate::export::encoder`]) and pushes it here, from inside the
//! table's export callback. A full queue is never a reason to drop a record:
//! the worker waits for the writer. While it waits it takes no frames, so its
//! rx ring fills and the kernel counts the frames it cannot deliver: under
//! overload the loss moves to a stage counted per frame, before any flow is
//! built. At flush and shutdown the wait is what makes every flow reach the
//! output.
//!
//! The wait ends only when the writer is gone (its thread ended early: it
//! panicked). Those records are counted as lost, and so is anything left in
//! the queue when the run ends.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use crossbeam_queue::ArrayQueue;

use crate::export::encoder::{EncodedFlow, RecordEncoder};
use crate::features::FlowFeatures;
use crate::flow::FlowRecord;

/// How long a waiting worker sleeps between tries once spinning did not help.
const WAIT_STEP: Duration = Duration::from_micros(100);
/// Tries by spinning before a waiting worker starts to sleep.
const SPINS: u32 = 64;

/// One worker's queue of encoded flows, and its counters.
pub struct ExportQueue {
    flows: ArrayQueue<EncodedFlow>,
    pushed: AtomicU64,
    lost: AtomicU64,
    waits: AtomicU64,
    wait_ns: AtomicU64,
}

/// What an export queue counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportQueueStats {
    /// Flows queued for the writer.
    pub queued: u64,
    /// Flows lost because the writer was gone (it panicked), or left in the
    /// queue when the run ended.
    pub lost: u64,
    /// Times the worker found the queue full and waited for the writer.
    pub waits: u64,
    /// Time the worker spent waiting, in milliseconds.
    pub wait_ms: u64,
}

impl ExportQueue {
    /// A queue of `capacity` flows.
    pub fn new(capacity: usize) -> Self {
        ExportQueue {
            flows: ArrayQueue::new(capacity.max(1)),
            pushed: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            waits: AtomicU64::new(0),
            wait_ns: AtomicU64::new(0),
        }
    }

    /// The next flow for the writer, if any.
    pub fn pop(&self) -> Option<EncodedFlow> {
        self.flows.pop()
    }

    /// Counts what is still queued as lost and empties the queue (at the end
    /// of a run whose writer died).
    pub fn count_leftovers_lost(&self) -> u64 {
        let mut n = 0;
        while self.flows.pop().is_some() {
            n += 1;
        }
        self.lost.fetch_add(n, Ordering::Relaxed);
        n
    }

    /// The counters so far.
    pub fn stats(&self) -> ExportQueueStats {
        ExportQueueStats {
            queued: self.pushed.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
            waits: self.waits.load(Ordering::Relaxed),
            wait_ms: self.wait_ns.load(Ordering::Relaxed) / 1_000_000,
        }
    }
}

/// Whether the writer thread is still running (cleared by [`WriterAlive`]
/// when the writer ends, however it ends), and what it wrote so far.
#[derive(Debug)]
pub struct WriterState {
    running: AtomicBool,
    written: AtomicU64,
    write_errors: AtomicU64,
    streams: std::sync::Mutex<StreamReports>,
}

/// The Kafka and ZMQ outputs' counters, as the writer last published them.
pub type StreamReports = (
    Option<crate::export::kafka::KafkaReport>,
    Option<crate::export::zmq::ZmqReport>,
);

impl WriterState {
    /// A writer that is running.
    pub fn new() -> Arc<Self> {
        Arc::new(WriterState {
            running: AtomicBool::new(true),
            written: AtomicU64::new(0),
            write_errors: AtomicU64::new(0),
            streams: std::sync::Mutex::new((None, None)),
        })
    }

    /// Publishes what the writer wrote so far (records, failed writes).
    pub fn publish(&self, written: u64, write_errors: u64) {
        self.written.store(written, Ordering::Relaxed);
        self.write_errors.store(write_errors, Ordering::Relaxed);
    }

    /// Publishes the Kafka and ZMQ outputs' counters.
    pub fn publish_streams(&self, streams: StreamReports) {
        if let Ok(mut s) = self.streams.lock() {
            *s = streams;
        }
    }

    /// The Kafka and ZMQ counters last published.
    pub fn streams(&self) -> StreamReports {
        self.streams.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// What the writer published: (records written, failed writes).
    pub fn progress(&self) -> (u64, u64) {
        (
            self.written.load(Ordering::Relaxed),
            self.write_errors.load(Ordering::Relaxed),
        )
    }

    /// False once the writer thread ended.
    pub fn running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    /// A guard for the writer thread: dropping it (when the writer returns
    /// or unwinds) marks the writer gone.
    pub fn guard(self: &Arc<Self>) -> WriterAlive {
        WriterAlive(Arc::clone(self))
    }
}

/// Held by the writer thread for as long as it runs.
pub struct WriterAlive(Arc<WriterState>);

impl Drop for WriterAlive {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

/// The worker's end of its export queue: encodes each exported flow and
/// queues it, waiting while the queue is full.
pub struct ExportLane {
    queue: Arc<ExportQueue>,
    writer: Arc<WriterState>,
    encoder: RecordEncoder,
    /// Length of the last JSON line: the next line's buffer size.
    last_len: usize,
}

impl ExportLane {
    /// A lane into `queue`, encoding with `encoder`, for the writer `writer`.
    pub fn new(queue: Arc<ExportQueue>, writer: Arc<WriterState>, encoder: RecordEncoder) -> Self {
        ExportLane {
            queue,
            writer,
            encoder,
            last_len: 256,
        }
    }

    /// Encodes and queues one exported flow.
    pub fn export(&mut self, rec: FlowRecord, features: FlowFeatures) {
        let flow = self.encoder.encode(rec, features, self.last_len + 64);
        self.last_len = flow.json.len();
        self.push(flow);
    }

    /// Queues `flow`, waiting while the queue is full and the writer runs.
    fn push(&mut self, mut flow: EncodedFlow) {
        let q = &*self.queue;
        let mut waiting: Option<Instant> = None;
        let mut tries = 0u32;
        loop {
            match q.flows.push(flow) {
                Ok(()) => {
                    q.pushed.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Err(back) => {
                    if !self.writer.running() {
                        q.lost.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                    flow = back;
                    if waiting.is_none() {
                        waiting = Some(Instant::now());
                        q.waits.fetch_add(1, Ordering::Relaxed);
                    }
                    tries += 1;
                    if tries < SPINS {
                        std::hint::spin_loop();
                    } else {
                        std::thread::sleep(WAIT_STEP);
                    }
                }
            }
        }
        if let Some(t) = waiting {
            q.wait_ns
                .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureConfig;

    fn lane(capacity: usize) -> (ExportLane, Arc<ExportQueue>, Arc<WriterState>) {
        let q = Arc::new(ExportQueue::new(capacity));
        let w = WriterState::new();
        let enc = RecordEncoder::new(Arc::new(FeatureConfig::default()), None, true, None);
        (ExportLane::new(Arc::clone(&q), Arc::clone(&w), enc), q, w)
    }

    fn record(id: u64) -> FlowRecord {
        let mut r = crate::export::tests::ipv4_tcp_record();
        r.id = id;
        r.sp = id as u16;
        r
    }

    #[test]
    fn a_full_queue_waits_for_the_writer_and_loses_nothing() {
        let (mut lane, q, w) = lane(4);
        let reader = {
            let (q, w) = (Arc::clone(&q), Arc::clone(&w));
            std::thread::spawn(move || {
                let _alive = w.guard();
                let mut got = Vec::new();
                while got.len() < 1000 {
                    match q.pop() {
                        Some(f) => got.push(f.json),
                        None => std::thread::sleep(Duration::from_micros(50)),
                    }
                }
                got
            })
        };
        for i in 0..1000 {
            lane.export(record(i), FlowFeatures::default());
        }
        let got = reader.join().unwrap();
        assert_eq!(got.len(), 1000);
        for (i, line) in got.iter().enumerate() {
            let v: serde_json::Value = serde_json::from_slice(line).unwrap();
            assert_eq!(v["sp"], i as u64, "in order, none lost or repeated");
        }
        let s = q.stats();
        assert_eq!((s.queued, s.lost), (1000, 0));
        assert!(s.waits > 0, "a queue of 4 made the worker wait");
    }

    #[test]
    fn a_gone_writer_makes_the_rest_counted_as_lost() {
        let (mut lane, q, w) = lane(2);
        drop(w.guard());
        for i in 0..5 {
            lane.export(record(i), FlowFeatures::default());
        }
        assert_eq!(q.count_leftovers_lost(), 2);
        let s = q.stats();
        assert_eq!((s.queued, s.lost), (2, 5));
    }
}
