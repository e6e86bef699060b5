//! The flow table of `sluice read`, cut into a fixed number of shards by flow
//! hash, and one worker's share of them.
//!
//! The shard count depends only on `--max-flows` ([`shard_count`]), never on
//! the number of threads, and the key hash has a fixed seed: which flows share
//! a shard, and so which flow a full shard evicts, is a function of the input.
//! A run with one thread holds every shard; with N threads, worker `w` holds
//! the shards `s` with `s % N == w`. Each shard holds its share of
//! `--max-flows` (together exactly `--max-flows`).
//!
//! Records leave in groups: everything exported while counting one packet,
//! or by the housekeeping that follows it, is one group, sorted by
//! [`Order`]; the final flush is one last group. [`ShardSet::flush`] merges
//! its shards' flushes so that no more than a chunk per shard is held.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

use crate::engine::offline::keyer::KeyedPacket;
use crate::features::{attach, FeatureConfig, FlowFeatures, ReadyHooks};
use crate::flow::{FlowRecord, FlowTableConfig, FlowTableStats, KeyHasher, Timestamp};
use crate::policy::{FlowTable, PolicyConfig};

/// Most shards a table is cut into (fewer when `--max-flows` is smaller),
/// and so the most worker threads. One reader keys packets for all workers
/// and saturates before 16 workers (it does about a tenth of a packet's work
/// with every feature on); more shards only cost the one-thread run, whose
/// flows then live in more slabs than the CPU's prefetchers follow
/// (measured: docs/benchmarks.md).
pub const SHARDS: usize = 16;

/// Records a shard exports per step of the final flush.
const FLUSH_CHUNK: usize = 256;

/// The seed of the offline key hash: fixed, so that the shard of a flow is
/// the same on every run.
pub const OFFLINE_SEED: u64 = 0x51ce_0ff1_17e5_eed5;

/// The shard count for a table of `max_flows` flows.
pub fn shard_count(max_flows: usize) -> usize {
    SHARDS.min(max_flows.max(1))
}

/// Where a record goes in the output: records are written in this order,
/// whatever the number of threads.
///
/// - `seq`: the number of the packet (from 0, counting every packet of every
///   file in order) whose counting, or the housekeeping after it, exported
///   the record; `u64::MAX` for the final flush;
/// - `time_end`: the flow's last packet time;
/// - `id`: the flow's id, the number of the packet that started it (so ties
///   go oldest flow first). Two records of one flow in one group (a slice and
///   the end) keep the order they were exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Order {
    /// The packet whose counting exported the record.
    pub seq: u64,
    /// The flow's last packet time.
    pub time_end: Timestamp,
    /// The flow's id.
    pub id: u64,
}

impl Order {
    /// After every record.
    pub const END: Order = Order {
        seq: u64::MAX,
        time_end: Timestamp(u64::MAX),
        id: u64::MAX,
    };

    /// The order of `rec`, exported in group `seq`.
    pub fn of(seq: u64, rec: &FlowRecord) -> Order {
        Order {
            seq,
            time_end: rec.time_end,
            id: rec.id,
        }
    }

    /// After every record of groups up to `seq`.
    pub fn after_group(seq: u64) -> Order {
        Order {
            seq,
            time_end: Timestamp(u64::MAX),
            id: u64::MAX,
        }
    }
}

/// One worker's shards of the run's flow table.
pub struct ShardSet {
    /// The shards this worker holds, by `shard / workers`.
    tables: Vec<FlowTable<FlowFeatures>>,
    shards: usize,
    workers: usize,
    /// The records of the group being counted.
    group: Vec<(FlowRecord, FlowFeatures)>,
}

impl ShardSet {
    /// Worker `me`'s shards (of `workers`) of a table set up as `config`,
    /// with `policy` and `features` on each.
    pub fn new(
        config: &FlowTableConfig,
        policy: &PolicyConfig,
        features: &Arc<FeatureConfig>,
        me: usize,
        workers: usize,
    ) -> ShardSet {
        let shards = shard_count(config.max_flows);
        debug_assert!(workers >= 1 && me < workers && workers <= shards);
        let tables = (me..shards)
            .step_by(workers)
            .map(|s| {
                let mut t = FlowTable::with_policy(shard_config(config, s, shards), policy.clone())
                    .with_key_hasher(KeyHasher::with_seed(OFFLINE_SEED));
                attach(&mut t, Arc::clone(features), ReadyHooks::default());
                t
            })
            .collect();
        ShardSet {
            tables,
            shards,
            workers,
            group: Vec::new(),
        }
    }

    /// Counts a packet (keyed with [`key_hasher`], its fragment already
    /// tracked) in its flow; a flow it starts gets the packet's number as id.
    #[inline]
    pub fn packet(&mut self, p: &KeyedPacket, frame: &[u8]) {
        let t = &mut self.tables[p.key.shard(self.shards) / self.workers];
        t.number_next_flow(p.seq);
        t.process_tracked(&p.pkt, &p.key, frame, p.wire_len, p.ts);
        self.group.extend(t.drain_exported_with_user());
    }

    /// Exports every flow due at `ts`, in every shard.
    pub fn housekeeping(&mut self, ts: Timestamp) {
        for t in self.tables.iter_mut().filter(|t| t.has_due(ts)) {
            t.housekeeping(ts);
            self.group.extend(t.drain_exported_with_user());
        }
    }

    /// Hands over the group's records in [`Order`] (of group `seq`).
    #[inline]
    pub fn take_group<E>(
        &mut self,
        seq: u64,
        mut each: impl FnMut(Order, FlowRecord, FlowFeatures) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.group.is_empty() {
            return Ok(());
        }
        // Stable: one flow's records of one group stay in export order.
        self.group.sort_by_key(|(r, _)| (r.time_end, r.id));
        for (r, f) in self.group.drain(..) {
            each(Order::of(seq, &r), r, f)?;
        }
        Ok(())
    }

    /// Exports every flow left, in [`Order`] of the final group, a chunk of
    /// each shard at a time, and empties the shards.
    pub fn flush<E>(
        &mut self,
        mut each: impl FnMut(Order, FlowRecord, FlowFeatures) -> Result<(), E>,
    ) -> Result<(), E> {
        let n = self.tables.len();
        let mut chunks: Vec<VecDeque<(FlowRecord, FlowFeatures)>> =
            (0..n).map(|_| VecDeque::new()).collect();
        let mut done = vec![false; n];
        let mut heads = BinaryHeap::with_capacity(n);
        for i in 0..n {
            self.refill(i, &mut chunks[i], &mut done[i]);
            if let Some((r, _)) = chunks[i].front() {
                heads.push(Reverse((Order::of(u64::MAX, r), i)));
            }
        }
        while let Some(Reverse((order, i))) = heads.pop() {
            let Some((r, f)) = chunks[i].pop_front() else {
                continue;
            };
            each(order, r, f)?;
            if chunks[i].is_empty() {
                self.refill(i, &mut chunks[i], &mut done[i]);
            }
            if let Some((r, _)) = chunks[i].front() {
                heads.push(Reverse((Order::of(u64::MAX, r), i)));
            }
        }
        Ok(())
    }

    /// The next chunk of shard `i`'s flush.
    fn refill(
        &mut self,
        i: usize,
        chunk: &mut VecDeque<(FlowRecord, FlowFeatures)>,
        done: &mut bool,
    ) {
        if *done {
            return;
        }
        let t = &mut self.tables[i];
        *done = t.flush_in_end_order(FLUSH_CHUNK);
        chunk.extend(t.drain_exported_with_user());
    }

    /// The counters of every shard, added.
    pub fn stats(&self) -> FlowTableStats {
        let mut s = FlowTableStats::default();
        for t in &self.tables {
            s += &t.stats();
        }
        s
    }
}

/// The key hasher of every shard: keys made with it pick the shard
/// ([`PacketKey::shard`]) and index it.
pub fn key_hasher() -> KeyHasher {
    KeyHasher::with_seed(OFFLINE_SEED)
}

/// Shard `s`'s settings: its share of the flows (the first `max % shards`
/// shards hold one more), and no fragment trains of its own (the reader
/// tracks fragments before keying).
fn shard_config(config: &FlowTableConfig, s: usize, shards: usize) -> FlowTableConfig {
    let max = config.max_flows.max(1);
    FlowTableConfig {
        max_flows: max / shards + usize::from(s < max % shards),
        max_fragments: 1,
        ..config.clone()
    }
}
