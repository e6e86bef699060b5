//! One worker's packet path, the same live and offline: decode → key (hashed
//! once: the hash picks the worker owning the flow and indexes its table) →
//! flow table → L7 detection and policy (the table's stage) → features (the
//! table's packet callback). Exported flows leave through the table's export
//! callback or queue (see `worker` and `offline`).

use std::sync::Arc;

use crate::decode::{decode, DecodeOptions, LinkType, Packet};
#[cfg(feature = "live")]
use crate::engine::handoff::Handoff;
use crate::features::{attach, FeatureConfig, FlowFeatures, ReadyHooks};
use crate::filter::Filter;
use crate::flow::{FlowHandle, FlowTableConfig, KeyHasher, PacketKey, Timestamp};
use crate::policy::{FlowTable, PolicyConfig};

/// What [`Pipeline::on_frame`] did with a frame.
#[derive(Debug)]
pub enum Step {
    /// Counted in this worker's flow.
    Counted(FlowHandle),
    /// Rejected by the `--filter` (counted as `filtered`).
    Filtered,
    /// Not decodable (counted per reason in the table's stats).
    Undecoded,
    /// The flow belongs to worker `owner`: hand the packet to it
    /// (`Handoff::new`).
    Elsewhere {
        /// The owning worker.
        owner: usize,
        /// The decoded packet.
        pkt: Packet,
        /// Its key and hash.
        key: PacketKey,
    },
}

/// Where a worker sits among the run's workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    /// This worker's index.
    pub me: usize,
    /// How many workers share the flows (1: this one owns every flow).
    pub workers: usize,
}

impl Seat {
    /// A worker that owns every flow (offline, or one queue).
    pub const ALONE: Seat = Seat { me: 0, workers: 1 };
}

/// One worker's flow table with its stage and features, fed frame by frame.
pub struct Pipeline {
    table: FlowTable<FlowFeatures>,
    decode: DecodeOptions,
    seat: Seat,
    /// `--filter`, run on each frame before it is decoded.
    filter: Option<Filter>,
}

impl Pipeline {
    /// A pipeline for the worker at `seat`, keying flows with `hasher` (a
    /// clone of the one every worker of the run has, so that they agree on
    /// owners), computing `features` and running `hooks`.
    pub fn new(
        table: FlowTableConfig,
        policy: PolicyConfig,
        features: Arc<FeatureConfig>,
        hooks: ReadyHooks,
        hasher: KeyHasher,
        seat: Seat,
    ) -> Self {
        let decode = DecodeOptions {
            decode_tunnels: table.decode_tunnels,
        };
        let mut table = FlowTable::with_policy(table, policy).with_key_hasher(hasher);
        attach(&mut table, features, hooks);
        Pipeline {
            table,
            decode,
            seat: Seat {
                workers: seat.workers.max(1),
                ..seat
            },
            filter: None,
        }
    }

    /// Runs `filter` on every frame first: those it rejects are only counted.
    pub fn with_filter(mut self, filter: Option<Filter>) -> Self {
        self.filter = filter;
        self
    }

    /// Takes one frame of link type `link`, `wire_len` bytes on the wire,
    /// seen at `ts`: counts it in its flow here, or says which worker owns
    /// the flow.
    #[inline(always)]
    pub fn on_frame(&mut self, link: LinkType, frame: &[u8], wire_len: u32, ts: Timestamp) -> Step {
        if let Some(f) = self.filter.as_mut() {
            if !f.accepts(link, frame, wire_len) {
                self.table.count_filtered();
                return Step::Filtered;
            }
        }
        let pkt = match decode(link, frame, self.decode) {
            Ok(p) => p,
            Err(e) => {
                self.table.count_decode_error(e.reason());
                return Step::Undecoded;
            }
        };
        let key = self.table.key_of(&pkt);
        let owner = self.owner(key.hash);
        if owner != self.seat.me {
            return Step::Elsewhere { owner, pkt, key };
        }
        Step::Counted(
            self.table
                .process_keyed(&pkt, &key, frame, frame, wire_len, ts),
        )
    }

    #[cfg(feature = "live")]
    /// Counts a packet another worker handed over (its key made there, with
    /// the same hasher). Only the frame's first bytes came with it: they go
    /// to L7 detection, and the features see no payload.
    pub fn on_handoff(&mut self, h: &Handoff) -> FlowHandle {
        self.table
            .process_keyed(&h.pkt, &h.key, &[], h.head(), h.wire_len, h.ts)
    }

    /// The worker owning the flow whose key hashes to `hash`.
    fn owner(&self, hash: u64) -> usize {
        if self.seat.workers == 1 {
            return self.seat.me;
        }
        PacketKey::shard_of(hash, self.seat.workers)
    }

    /// The flow table (for its stats and exports).
    pub fn table(&self) -> &FlowTable<FlowFeatures> {
        &self.table
    }

    /// The flow table, mutable (housekeeping, flush, export callbacks).
    pub fn table_mut(&mut self) -> &mut FlowTable<FlowFeatures> {
        &mut self.table
    }
}
