//! `sluice read --threads N` (N ≥ 2): the reader (the calling thread) keys
//! packets and deals them to N workers, each holding its shards of the flow
//! table and encoding its own records; one writer merges the workers'
//! records into [`Order`] and writes them.
//!
//! ```text
//!  reader ──rounds──> worker 0 ──encoded records──┐
//!         ──rounds──> worker 1 ──encoded records──┼──> writer (merge by Order)
//!         ──rounds──> ...                         ┘
//! ```
//!
//! The reader sends every worker a [`Round`] every [`ROUND_PACKETS`]
//! packets (empty or not): its packets, with their frames copied into the
//! round's buffer, and the housekeeping ticks (every worker gets every
//! tick, at its place among the packets). Having counted a round, a worker
//! sends its records with a mark: every record it will still send comes
//! after the mark. The writer writes the smallest pending record once every
//! worker with nothing pending is marked past it, so the output is the same
//! bytes as one thread's. Every queue is bounded and a worker is at most a
//! few rounds ahead of another, so memory is bounded too; buffers go back
//! to their sender for reuse.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::engine::offline::keyer::KeyedPacket;
use crate::engine::offline::shards::{Order, ShardSet};
use crate::error::Error;
use crate::export::encoder::FlowExtras;
use crate::export::encoder::RecordEncoder;
use crate::export::record_writer::{RecordWriter, WrittenOutputs};
use crate::features::{FeatureConfig, FlowFeatures};
use crate::flow::{FlowRecord, FlowTableConfig, FlowTableStats, Timestamp};
use crate::policy::PolicyConfig;

/// Packets the reader reads before it sends every worker its round.
pub const ROUND_PACKETS: usize = 2048;
/// Rounds queued to one worker.
const ROUNDS_QUEUED: usize = 4;
/// Batches of records queued from one worker to the writer.
const BATCHES_QUEUED: usize = 4;
/// Records per batch of the final flush.
const FLUSH_BATCH: usize = 1024;

/// What one round carries to a worker, in packet order.
#[derive(Debug, Clone, Copy)]
enum Item {
    /// A packet, its frame at `frame` (start, length) in the round's buffer.
    Packet {
        packet: KeyedPacket,
        frame: (u32, u32),
    },
    /// Housekeeping at `ts`, after packet `seq`.
    Housekeeping { seq: u64, ts: Timestamp },
}

/// One worker's share of a round.
#[derive(Debug, Default)]
struct Round {
    frames: Vec<u8>,
    items: Vec<Item>,
    /// Every packet up to this number has been dealt.
    upto: u64,
}

/// A worker's encoded records, in [`Order`].
#[derive(Debug, Default)]
struct Batch {
    json: Vec<u8>,
    records: Vec<Encoded>,
    /// Every record the worker sends later comes after this.
    mark: Option<Order>,
}

/// One encoded record of a [`Batch`].
#[derive(Debug)]
struct Encoded {
    order: Order,
    json: Range<usize>,
    extras: FlowExtras,
}

/// What a worker sends the writer.
enum FromWorker {
    Batch(Batch),
    /// Every record is sent; the worker's counters.
    Done(FlowTableStats),
}

/// The reader's ends of the workers and the writer.
pub struct Workers {
    /// The table's shard count (worker `w` owns the shards `s % n == w`).
    shards: usize,
    rounds: Vec<Round>,
    to_workers: Vec<SyncSender<Round>>,
    spare_rounds: Vec<Receiver<Round>>,
    workers: Vec<JoinHandle<()>>,
    writer: JoinHandle<Result<Written, Error>>,
    /// Set when the writer fails: stop reading.
    writer_failed: Arc<AtomicBool>,
    dealt: usize,
}

/// What the writer wrote.
pub struct Written {
    /// Records written.
    pub records: u64,
    /// The outputs' files and IPFIX counters.
    pub outputs: WrittenOutputs,
    /// Every shard's counters, added.
    pub stats: FlowTableStats,
}

/// Everything a worker is made of.
pub struct WorkerSetup<'a> {
    /// The table's settings.
    pub table: &'a FlowTableConfig,
    /// L7 detection and rules.
    pub policy: &'a PolicyConfig,
    /// Features.
    pub features: &'a Arc<FeatureConfig>,
    /// The record encoder (one clone per worker).
    pub encoder: &'a RecordEncoder,
}

impl Workers {
    /// Starts `n` workers and the writer writing to `out` (reopening it
    /// when `reopen` is set).
    pub fn start(
        n: usize,
        shards: usize,
        setup: WorkerSetup<'_>,
        out: RecordWriter,
        reopen: Arc<AtomicBool>,
    ) -> Result<Workers, Error> {
        let writer_failed = Arc::new(AtomicBool::new(false));
        let mut to_workers = Vec::with_capacity(n);
        let mut spare_rounds = Vec::with_capacity(n);
        let mut from_workers = Vec::with_capacity(n);
        let mut spare_batches = Vec::with_capacity(n);
        let mut workers = Vec::with_capacity(n);
        for me in 0..n {
            let (round_tx, round_rx) = sync_channel::<Round>(ROUNDS_QUEUED);
            let (spare_round_tx, spare_round_rx) = channel::<Round>();
            let (batch_tx, batch_rx) = sync_channel::<FromWorker>(BATCHES_QUEUED);
            let (spare_batch_tx, spare_batch_rx) = channel::<Batch>();
            let worker = Worker {
                shards: ShardSet::new(setup.table, setup.policy, setup.features, me, n),
                rounds: round_rx,
                spare_rounds: spare_round_tx,
                out: Outbox {
                    encoder: setup.encoder.clone(),
                    batch: Batch::default(),
                    batches: batch_tx,
                    spare_batches: spare_batch_rx,
                },
            };
            let handle = std::thread::Builder::new()
                .name(format!("sluice-read-{me}"))
                .spawn(move || worker.run())
                .map_err(|e| Error::Other(format!("starting a worker thread: {e}")))?;
            to_workers.push(round_tx);
            spare_rounds.push(spare_round_rx);
            from_workers.push(batch_rx);
            spare_batches.push(spare_batch_tx);
            workers.push(handle);
        }
        let failed = Arc::clone(&writer_failed);
        let writer = std::thread::Builder::new()
            .name("sluice-write".into())
            .spawn(move || {
                let r = Merge::new(from_workers, spare_batches).run(out, &reopen);
                if r.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                r
            })
            .map_err(|e| Error::Other(format!("starting the writer thread: {e}")))?;
        Ok(Workers {
            shards,
            rounds: (0..n).map(|_| Round::default()).collect(),
            to_workers,
            spare_rounds,
            workers,
            writer,
            writer_failed,
            dealt: 0,
        })
    }

    /// Deals a packet to the worker owning its flow's shard.
    #[inline]
    pub fn packet(&mut self, packet: &KeyedPacket, frame: &[u8]) {
        let owner = packet.key.shard(self.shards) % self.rounds.len();
        let r = &mut self.rounds[owner];
        let start = r.frames.len();
        r.frames.extend_from_slice(frame);
        r.items.push(Item::Packet {
            packet: *packet,
            frame: (start as u32, frame.len() as u32),
        });
    }

    /// Deals housekeeping at `ts`, after packet `seq`, to every worker.
    pub fn housekeeping(&mut self, seq: u64, ts: Timestamp) {
        for r in &mut self.rounds {
            r.items.push(Item::Housekeeping { seq, ts });
        }
    }

    /// Ends packet `seq`: every [`ROUND_PACKETS`] packets, sends each worker
    /// its round. False once the writer has failed (stop reading).
    #[inline]
    pub fn end_packet(&mut self, seq: u64) -> bool {
        self.dealt += 1;
        if self.dealt < ROUND_PACKETS {
            return true;
        }
        self.send_rounds(seq)
    }

    /// Sends every worker its round, all packets up to `seq` dealt.
    fn send_rounds(&mut self, seq: u64) -> bool {
        self.dealt = 0;
        for (w, tx) in self.to_workers.iter().enumerate() {
            let spare = self.spare_rounds[w].try_recv().unwrap_or_default();
            let mut round = std::mem::replace(&mut self.rounds[w], spare);
            round.upto = seq;
            if tx.send(round).is_err() {
                return false;
            }
        }
        !self.writer_failed.load(Ordering::Relaxed)
    }

    /// Sends the last rounds (all packets up to `last` dealt, if any were
    /// read), lets the workers flush, and waits for the writer.
    pub fn finish(mut self, last: Option<u64>) -> Result<Written, Error> {
        if let Some(seq) = last {
            if self.dealt > 0 || self.rounds.iter().any(|r| !r.items.is_empty()) {
                self.send_rounds(seq);
            }
        }
        // Closing the queues tells the workers to flush.
        self.to_workers.clear();
        for w in self.workers {
            if w.join().is_err() {
                return Err(Error::Other("a worker thread panicked".into()));
            }
        }
        self.writer
            .join()
            .map_err(|_| Error::Other("the writer thread panicked".into()))?
    }
}

/// One worker thread: counts its rounds, encodes its records.
struct Worker {
    shards: ShardSet,
    rounds: Receiver<Round>,
    spare_rounds: Sender<Round>,
    out: Outbox,
}

/// A worker's way to the writer.
struct Outbox {
    encoder: RecordEncoder,
    batch: Batch,
    batches: SyncSender<FromWorker>,
    spare_batches: Receiver<Batch>,
}

/// The writer has gone (it failed): stop.
struct WriterGone;

impl Worker {
    fn run(mut self) {
        if self.count_rounds().is_ok() {
            let _ = self.flush();
        }
    }

    /// Counts every round until the reader closes the queue. A packet and
    /// the housekeeping after it are one group: it is encoded once the
    /// next item belongs to a later packet, or the round ends.
    fn count_rounds(&mut self) -> Result<(), WriterGone> {
        while let Ok(mut round) = self.rounds.recv() {
            let mut group = None;
            for item in &round.items {
                let seq = match item {
                    Item::Packet { packet, .. } => packet.seq,
                    Item::Housekeeping { seq, .. } => *seq,
                };
                if group.is_some_and(|g| g != seq) {
                    self.take_group(group.take().unwrap_or(seq));
                }
                group = Some(seq);
                match item {
                    Item::Packet {
                        packet,
                        frame: (at, len),
                    } => {
                        let frame = &round.frames[*at as usize..(*at + *len) as usize];
                        self.shards.packet(packet, frame);
                    }
                    Item::Housekeeping { ts, .. } => self.shards.housekeeping(*ts),
                }
            }
            if let Some(seq) = group {
                self.take_group(seq);
            }
            self.out.send(Order::after_group(round.upto))?;
            round.frames.clear();
            round.items.clear();
            let _ = self.spare_rounds.send(round);
        }
        Ok(())
    }

    /// Encodes the records of group `seq`, in order.
    #[inline]
    fn take_group(&mut self, seq: u64) {
        let out = &mut self.out;
        let _ = self.shards.take_group(seq, |order, r, f| {
            out.encode(order, r, f);
            Ok::<(), ()>(())
        });
    }

    /// Flushes every flow, a batch at a time, then sends the counters.
    fn flush(&mut self) -> Result<(), WriterGone> {
        let out = &mut self.out;
        self.shards.flush(|order, r, f| {
            out.encode(order, r, f);
            if out.batch.records.len() >= FLUSH_BATCH {
                out.send(order)?;
            }
            Ok(())
        })?;
        self.out.send(Order::END)?;
        self.out
            .batches
            .send(FromWorker::Done(self.shards.stats()))
            .map_err(|_| WriterGone)
    }
}

impl Outbox {
    /// Encodes one record at the end of the batch.
    #[inline]
    fn encode(&mut self, order: Order, r: FlowRecord, f: FlowFeatures) {
        let batch = &mut self.batch;
        let start = batch.json.len();
        let extras = self.encoder.encode_into(r, f, &mut batch.json);
        batch.records.push(Encoded {
            order,
            json: start..batch.json.len(),
            extras,
        });
    }

    /// Sends the batch, marked: every later record comes after `mark`.
    fn send(&mut self, mark: Order) -> Result<(), WriterGone> {
        let spare = self.spare_batches.try_recv().unwrap_or_default();
        let mut batch = std::mem::replace(&mut self.batch, spare);
        batch.mark = Some(mark);
        self.batches
            .send(FromWorker::Batch(batch))
            .map_err(|_| WriterGone)
    }
}

/// The writer's view of the workers: what each has sent and not yet been
/// written, and how far each is marked.
struct Merge {
    from: Vec<Receiver<FromWorker>>,
    spare: Vec<Sender<Batch>>,
    pending: Vec<std::collections::VecDeque<Batch>>,
    /// The next record of each worker's front batch.
    next: Vec<usize>,
    marks: Vec<Order>,
    done: Vec<bool>,
    stats: FlowTableStats,
}

impl Merge {
    fn new(from: Vec<Receiver<FromWorker>>, spare: Vec<Sender<Batch>>) -> Merge {
        let n = from.len();
        let start = Order {
            seq: 0,
            time_end: Timestamp(0),
            id: 0,
        };
        Merge {
            from,
            spare,
            pending: (0..n).map(|_| Default::default()).collect(),
            next: vec![0; n],
            marks: vec![start; n],
            done: vec![false; n],
            stats: FlowTableStats::default(),
        }
    }

    /// Writes every record in order until every worker is done.
    fn run(mut self, mut out: RecordWriter, reopen: &AtomicBool) -> Result<Written, Error> {
        let mut records = 0u64;
        loop {
            let Some((order, w)) = self.smallest() else {
                match self.least_marked_running() {
                    Some(v) => {
                        self.receive(v)?;
                        continue;
                    }
                    None => break,
                }
            };
            if let Some(v) = self.holding_back(order) {
                self.receive(v)?;
                continue;
            }
            if reopen.swap(false, Ordering::AcqRel) {
                out.reopen().map_err(super::output_error)?;
                eprintln!("sluice: SIGHUP: output files reopened");
            }
            if let Some(batch) = self.pending[w].front() {
                let rec = &batch.records[self.next[w]];
                out.write(&batch.json[rec.json.clone()], &rec.extras)
                    .map_err(super::output_error)?;
                records += 1;
                self.advance(w);
            }
        }
        let outputs = out.finish().map_err(super::output_error)?;
        Ok(Written {
            records,
            outputs,
            stats: self.stats,
        })
    }

    /// The worker with the smallest pending record, and that record's order.
    fn smallest(&self) -> Option<(Order, usize)> {
        (0..self.pending.len())
            .filter_map(|w| {
                let b = self.pending[w].front()?;
                Some((b.records[self.next[w]].order, w))
            })
            .min()
    }

    /// A worker with nothing pending that may still send a record before
    /// `order`.
    fn holding_back(&self, order: Order) -> Option<usize> {
        (0..self.pending.len()).find(|&v| self.pending[v].is_empty() && self.marks[v] < order)
    }

    /// The running worker marked least far.
    fn least_marked_running(&self) -> Option<usize> {
        (0..self.pending.len())
            .filter(|&v| !self.done[v])
            .min_by_key(|&v| self.marks[v])
    }

    /// Waits for worker `v`'s next message.
    fn receive(&mut self, v: usize) -> Result<(), Error> {
        match self.from[v].recv() {
            Ok(FromWorker::Batch(b)) => {
                self.marks[v] = b.mark.unwrap_or(Order::END);
                if b.records.is_empty() {
                    self.recycle(v, b);
                } else {
                    self.pending[v].push_back(b);
                }
            }
            Ok(FromWorker::Done(stats)) => {
                self.marks[v] = Order::END;
                self.done[v] = true;
                self.stats += &stats;
            }
            Err(_) => return Err(Error::Other(format!("worker {v} stopped early"))),
        }
        Ok(())
    }

    /// Moves past worker `w`'s record just written.
    fn advance(&mut self, w: usize) {
        self.next[w] += 1;
        let emptied = self.pending[w]
            .front()
            .is_none_or(|b| self.next[w] == b.records.len());
        if emptied {
            self.next[w] = 0;
            if let Some(b) = self.pending[w].pop_front() {
                self.recycle(w, b);
            }
        }
    }

    /// Hands an emptied batch back to worker `w`.
    fn recycle(&self, w: usize, mut b: Batch) {
        b.json.clear();
        b.records.clear();
        b.mark = None;
        let _ = self.spare[w].send(b);
    }
}
