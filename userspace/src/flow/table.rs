//! Per-worker flow table: preallocated slab, hash index, and expiry lists.
//!
//! Every flow lives in a slab slot and is threaded through intrusive lists:
//! * an activity list ordered by last packet (LRU): `live` for open flows,
//!   `ended` for TCP flows whose end was seen (they wait out the linger time);
//! * the `age` list ordered by creation, for the lifetime (active) timeout;
//! * the `slices` list ordered by slice start, when slicing is on.
//!
//! Each packet costs one hash lookup and O(1) list moves. Housekeeping pops
//! expired flows from the list heads and stops at the first one that is not
//! due, so it costs O(exported + 4). This relies on timestamps passed to one
//! table being non-decreasing; a packet older than its flow's latest one is
//! counted but does not move the flow's `last` time back.
//!
//! Expiry does not depend on how often housekeeping runs: a packet hitting a
//! flow that is already due exports it (with the reason housekeeping would
//! have used) and starts a new flow on the same key.

use hashbrown::HashTable;

use crate::decode::{decode, DecodeOptions, DecodeReason, IpProto, LinkType, Packet, TcpFlags};
use crate::flow::action::Action;
use crate::flow::callbacks::{Callbacks, Flow, PacketInfo};
use crate::flow::config::FlowTableConfig;
use crate::flow::direction::Direction;
use crate::flow::entry::FlowEntry;
use crate::flow::fragments::FragmentTrains;
use crate::flow::key::{FlowKey, KeyHasher, PacketKey};
use crate::flow::list::{Chain, List, NIL};
use crate::flow::offload::{add_delta, KernelCounts, Offload, OffloadStats};
use crate::flow::record::{EndReason, FlowRecord};
use crate::flow::stage::{Stage, StagePacket};
use crate::flow::stats::FlowTableStats;
use crate::time::{duration_nanos, Timestamp};

/// What [`Table::process`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowHandle {
    /// Slab slot of the flow, `0..max_flows`; stable until the flow is exported.
    /// Lets callers keep per-flow side data in an array.
    pub slot: u32,
    /// The packet's direction: `Out` if sent by the flow's source (`sa`).
    pub dir: Direction,
    /// True if this packet started a new flow in `slot`.
    pub new_flow: bool,
    /// What to do with the packet: the flow's action, [`Action::Discard`]
    /// once a shunted flow is past its packet budget, else the table's
    /// default action.
    pub action: Action,
}

/// Exported records waiting for the list callback or [`Table::drain_exported`].
const PENDING_CAPACITY: usize = 1024;

/// A bidirectional flow table for one worker (PF_RING FT's `pfring_ft_table`):
/// it stores flows and expires them. `U` is per-flow user metadata,
/// `U::default()` for each new flow. Not thread-safe by design: one table
/// per worker, nothing shared.
///
/// Exported flows go to the export callback if one is set, else to the list
/// callback (once per table call), else they queue until
/// [`Table::drain_exported`].
///
/// The stage `S` runs above the table inside each call (see
/// [`crate::flow::stage`]): Sluice's is [`crate::policy::AppStage`], and
/// [`crate::policy::FlowTable`] is this table with it, PF_RING FT's API.
pub struct Table<U, S: Stage<U>> {
    entries: Vec<FlowEntry<S::State>>,
    users: Vec<U>,
    index: HashTable<u32>,
    hasher: KeyHasher,
    live: List,
    ended: List,
    age: List,
    slices: List,
    /// Head of the free-slot list, chained through `activity.next`.
    free: u32,
    /// Slots still to export, last first, while a
    /// [`Table::flush_in_end_order`] is under way.
    flush_order: Vec<u32>,
    max_flows: usize,
    idle_ns: u64,
    active_ns: u64,
    linger_ns: u64,
    slice_ns: Option<u64>,
    ignore_vlan: bool,
    /// How `process_frame` decodes (`PFRING_FT_DECODE_TUNNELS`).
    decode: DecodeOptions,
    frags: FragmentTrains,
    stage: S,
    next_id: u64,
    stats: FlowTableStats,
    callbacks: Callbacks<U, S::State>,
    pending: Vec<FlowRecord>,
    /// User metadata of each `pending` record (of a final export; a slice
    /// export carries `U::default()` and the flow keeps its own).
    pending_users: Vec<U>,
    /// Where final verdicts go (the kernel's verdict map, live).
    offload: Option<Box<dyn Offload>>,
    offload_stats: OffloadStats,
}

impl<U, S: Stage<U>> std::fmt::Debug for Table<U, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("flows", &self.index.len())
            .field("max_flows", &self.max_flows)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<U: Default, S: Stage<U>> Table<U, S> {
    /// Creates a table with `stage` above it and allocates room for
    /// `config.max_flows` flows (`pfring_ft_create_table`). The hash index
    /// gets twice that capacity so that deletions never force it to grow (it
    /// rehashes in place instead). Keys are hashed with a new random seed.
    pub fn with_stage(config: FlowTableConfig, stage: S) -> Self {
        let max_flows = config.max_flows.clamp(1, u32::MAX as usize);
        Table {
            entries: Vec::with_capacity(max_flows),
            users: Vec::with_capacity(max_flows),
            index: HashTable::with_capacity(max_flows.saturating_mul(2).saturating_add(2)),
            hasher: KeyHasher::default(),
            live: List::new(Chain::Activity),
            ended: List::new(Chain::Activity),
            age: List::new(Chain::Age),
            slices: List::new(Chain::Slice),
            free: NIL,
            flush_order: Vec::new(),
            max_flows,
            idle_ns: duration_nanos(config.idle_timeout),
            active_ns: duration_nanos(config.active_timeout),
            linger_ns: duration_nanos(config.linger),
            slice_ns: config.slice_timeout.map(duration_nanos).filter(|&n| n > 0),
            ignore_vlan: config.ignore_vlan,
            decode: DecodeOptions {
                decode_tunnels: config.decode_tunnels,
            },
            frags: FragmentTrains::new(config.max_fragments),
            stage,
            next_id: config.first_id,
            stats: FlowTableStats::default(),
            callbacks: Callbacks::default(),
            pending: Vec::with_capacity(PENDING_CAPACITY),
            pending_users: Vec::with_capacity(PENDING_CAPACITY),
            offload: None,
            offload_stats: OffloadStats::default(),
        }
    }

    /// The table hashing keys with `hasher` (a clone of another table's, so
    /// that both give one flow the same hash). Only on a new table.
    pub fn with_key_hasher(mut self, hasher: KeyHasher) -> Self {
        debug_assert!(self.index.is_empty(), "a key hasher replaced under flows");
        if self.index.is_empty() {
            self.hasher = hasher;
        }
        self
    }

    /// The hasher of this table's keys.
    pub fn key_hasher(&self) -> &KeyHasher {
        &self.hasher
    }

    /// The stage above the table.
    pub fn stage(&self) -> &S {
        &self.stage
    }

    /// The stage above the table, mutable.
    pub fn stage_mut(&mut self) -> &mut S {
        &mut self.stage
    }

    /// Hands final verdicts to `offload` (live: the XDP verdict map). From
    /// then on a TCP or UDP flow whose own action becomes
    /// [`Action::Discard`] (a discard rule, or past a shunt budget) or
    /// [`Action::Forward`] is installed there, and its records include what
    /// the kernel counted for it (see [`crate::flow::offload`]).
    pub fn set_offload(&mut self, offload: Box<dyn Offload>) {
        self.offload = Some(offload);
    }

    /// Counters of the kernel offload.
    pub fn offload_stats(&self) -> OffloadStats {
        self.offload_stats
    }

    /// Counters so far (`pfring_ft_get_stats`).
    pub fn stats(&self) -> FlowTableStats {
        FlowTableStats {
            fragments_joined: self.frags.joined,
            fragment_orphans: self.frags.orphans,
            ..self.stats
        }
    }

    /// Flows currently held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no flow is held.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Sets the callback run for each new flow, before its first packet is
    /// counted; it may set the flow's action and user metadata.
    pub fn set_new_flow_callback(
        &mut self,
        f: impl FnMut(&mut Flow<'_, U, S::State>) + Send + 'static,
    ) {
        self.callbacks.new_flow = Some(Box::new(f));
    }

    /// Sets the callback run for every packet after its flow is updated.
    pub fn set_flow_packet_callback(
        &mut self,
        f: impl FnMut(&PacketInfo<'_>, &mut Flow<'_, U, S::State>) + Send + 'static,
    ) {
        self.callbacks.packet = Some(Box::new(f));
    }

    /// Sets the callback run for each exported flow, with its user metadata.
    pub fn set_flow_export_callback(&mut self, f: impl FnMut(FlowRecord, &mut U) + Send + 'static) {
        self.callbacks.export = Some(Box::new(f));
    }

    /// Sets the callback run once per table call with every flow that call
    /// exported (used when no single-flow export callback is set).
    pub fn set_flow_list_export_callback(
        &mut self,
        f: impl FnMut(&mut Vec<FlowRecord>) + Send + 'static,
    ) {
        self.callbacks.export_list = Some(Box::new(f));
    }

    /// Takes the exported records queued when no export callback is set
    /// (their user metadata is dropped).
    pub fn drain_exported(&mut self) -> std::vec::Drain<'_, FlowRecord> {
        self.pending_users.clear();
        self.pending.drain(..)
    }

    /// Takes the exported records queued when no export callback is set,
    /// each with the user metadata the flow ended with (`U::default()` for a
    /// slice export: the flow keeps its metadata until its final export).
    pub fn drain_exported_with_user(&mut self) -> impl Iterator<Item = (FlowRecord, U)> + '_ {
        self.pending.drain(..).zip(self.pending_users.drain(..))
    }

    /// Counts a frame a `--filter` rejected.
    pub fn count_filtered(&mut self) {
        self.stats.filtered += 1;
    }

    /// Counts a frame the caller could not decode.
    pub fn count_decode_error(&mut self, reason: DecodeReason) {
        self.stats.decode_errors[reason.index()] += 1;
    }

    /// Decodes a frame of link type `link` (tunnels per the table's
    /// `decode_tunnels`) and processes it, like `pfring_ft_process`. Frames
    /// that do not decode are counted per reason and return `None`.
    pub fn process_frame(
        &mut self,
        link: LinkType,
        frame: &[u8],
        wire_len: u32,
        ts: Timestamp,
    ) -> Option<FlowHandle> {
        match decode(link, frame, self.decode) {
            Ok(pkt) => Some(self.process(&pkt, frame, wire_len, ts)),
            Err(e) => {
                self.count_decode_error(e.reason());
                None
            }
        }
    }

    /// The flow key of `pkt` and its hash, as this table keys it (without
    /// the VLAN id if the table ignores it). A non-first IP fragment gets
    /// its train's ports only inside the table, which keys it again.
    #[inline]
    pub fn key_of(&self, pkt: &Packet) -> PacketKey {
        PacketKey::of(pkt, self.ignore_vlan, &self.hasher)
    }

    /// Gives the next flow this table creates (or restarts) the id `id`;
    /// later ones count up from it. A reader that numbers packets can make
    /// a flow's id the number of the packet that started it.
    pub fn number_next_flow(&mut self, id: u64) {
        self.next_id = id;
    }

    /// Accounts one packet of `wire_len` frame bytes seen at `ts`; `data` is
    /// the frame (passed to the packet callback; may be empty).
    ///
    /// Finds or creates its flow. A flow that is already due to expire at `ts`
    /// is exported first and restarted, as is an ended TCP flow hit by a SYN
    /// without ACK. A full table evicts its least recently active flow with
    /// [`EndReason::Overflow`] (or with the reason it is already due for, if
    /// any). Never allocates (unless exported records queue past 1024).
    pub fn process(
        &mut self,
        pkt: &Packet,
        data: &[u8],
        wire_len: u32,
        ts: Timestamp,
    ) -> FlowHandle {
        let key = self.key_of(pkt);
        self.process_keyed(pkt, &key, data, data, wire_len, ts)
    }

    /// [`Table::process`] with the packet's key already made by
    /// [`Table::key_of`] (of this table or one sharing its hasher), and the
    /// frame bytes for the packet callback (`data`) and for the stage
    /// (`stage_data`) given apart: a packet handed over from another worker
    /// with only its first bytes passes them to the stage (L7 detection
    /// needs only a payload's start) and no data to the callback (a cut
    /// payload would skew features).
    pub fn process_keyed(
        &mut self,
        pkt: &Packet,
        key: &PacketKey,
        data: &[u8],
        stage_data: &[u8],
        wire_len: u32,
        ts: Timestamp,
    ) -> FlowHandle {
        self.process_with(pkt, key, data, stage_data, wire_len, ts, true)
    }

    /// [`Table::process_keyed`] of a packet whose caller tracks IP
    /// fragments itself (with a [`crate::flow::FragmentTrains`] of its own,
    /// before keying): a later fragment arrives with its train's ports
    /// already in `pkt` and `key`, and this table's trains are not used.
    pub fn process_tracked(
        &mut self,
        pkt: &Packet,
        key: &PacketKey,
        data: &[u8],
        wire_len: u32,
        ts: Timestamp,
    ) -> FlowHandle {
        self.process_with(pkt, key, data, data, wire_len, ts, false)
    }

    #[allow(clippy::too_many_arguments)] // the two public forms above name them
    #[inline(always)]
    fn process_with(
        &mut self,
        pkt: &Packet,
        key: &PacketKey,
        data: &[u8],
        stage_data: &[u8],
        wire_len: u32,
        ts: Timestamp,
        track_fragments: bool,
    ) -> FlowHandle {
        self.stats.packets += 1;
        self.stats.bytes += u64::from(wire_len);
        let mut p = *pkt;
        if p.truncated {
            self.stats.truncated += 1;
        }
        let rekeyed;
        let key = if track_fragments && p.frag.is_some() {
            self.frags.track(&mut p, ts);
            rekeyed = self.key_of(&p);
            &rekeyed
        } else {
            key
        };
        let (from_lower, hash) = (key.from_lower, key.hash);
        let key = &key.key;
        if self.ignore_vlan {
            p.vlan = 0;
        }
        let entries = &self.entries;
        let found = self.index.find(hash, |&i| entries[i as usize].key == *key);
        let (slot, new_flow) = match found.copied() {
            Some(slot) => match self.restart_reason(slot, &p, ts) {
                Some(reason) => {
                    self.export(slot, reason, true, (0, 0));
                    self.restart(slot, initiator_is_lower(&p, from_lower), ts);
                    (slot, true)
                }
                None => (slot, false),
            },
            None => {
                let out_is_lower = initiator_is_lower(&p, from_lower);
                (self.create(*key, hash, out_is_lower, ts), true)
            }
        };
        if new_flow {
            self.on_new_flow(slot);
        }
        let e = &mut self.entries[slot as usize];
        let dir = Direction::from_outbound(from_lower == e.out_is_lower);
        let was_ended = e.ended;
        e.update(&p, wire_len, ts, dir);
        if e.ended && !was_ended {
            self.live.unlink(&mut self.entries, slot);
            self.ended.push_back(&mut self.entries, slot);
        } else if was_ended {
            self.ended.move_to_back(&mut self.entries, slot);
        } else {
            self.live.move_to_back(&mut self.entries, slot);
        }
        let start = (p.payload_offset as usize).min(stage_data.len());
        let end = start
            .saturating_add(p.payload_len as usize)
            .min(stage_data.len());
        let payload = &stage_data[start..end];
        self.stage.on_packet(
            &mut Flow {
                entry: &mut self.entries[slot as usize],
                user: &mut self.users[slot as usize],
            },
            &StagePacket {
                packet: &p,
                payload,
                whole: payload.len() == p.payload_len as usize,
                dir,
            },
        );
        if let Some(cb) = self.callbacks.packet.as_mut() {
            let info = PacketInfo {
                packet: &p,
                data,
                wire_len,
                ts,
                dir,
            };
            cb(
                &info,
                &mut Flow {
                    entry: &mut self.entries[slot as usize],
                    user: &mut self.users[slot as usize],
                },
            );
        }
        let action = self.action_for(slot);
        if self.offload.is_some() && p.tunnel == crate::decode::Tunnel::None {
            self.try_offload(slot);
        }
        self.deliver();
        FlowHandle {
            slot,
            dir,
            new_flow,
            action,
        }
    }

    /// Exports every flow due at `now` (`pfring_ft_housekeeping`): ended flows
    /// quiet for the linger time ([`EndReason::EndDetected`]), flows idle for
    /// `idle_timeout` ([`EndReason::IdleTimeout`]), flows older than
    /// `active_timeout` ([`EndReason::ActiveTimeout`]), and, with slicing on,
    /// a slice of every flow whose slice is `slice_timeout` old
    /// ([`EndReason::SliceTimeout`]; empty slices are skipped). Costs
    /// O(exported + 4). Returns how many records it exported.
    pub fn housekeeping(&mut self, now: Timestamp) -> usize {
        let before = self.stats.total_exported();
        while let Some(i) = self.ended.head() {
            self.stats.scanned += 1;
            if now.nanos_since(self.entries[i as usize].last()) < self.linger_ns {
                break;
            }
            self.remove(i, EndReason::EndDetected);
        }
        while let Some(i) = self.live.head() {
            self.stats.scanned += 1;
            if now.nanos_since(self.entries[i as usize].last()) < self.idle_ns {
                break;
            }
            let mut reason = EndReason::IdleTimeout;
            if self.entries[i as usize].offload.is_some() {
                // The kernel may have seen packets since: ask it before expiring.
                self.read_kernel(i);
                let e = &self.entries[i as usize];
                if now.nanos_since(e.last()) < self.idle_ns {
                    self.live.move_to_back(&mut self.entries, i);
                    continue;
                }
                if e.offload.as_ref().is_some_and(|o| o.ended) {
                    reason = EndReason::EndDetected;
                }
            }
            self.remove(i, reason);
        }
        while let Some(i) = self.age.head() {
            self.stats.scanned += 1;
            if now.nanos_since(self.entries[i as usize].start) < self.active_ns {
                break;
            }
            self.remove(i, EndReason::ActiveTimeout);
        }
        if let Some(slice_ns) = self.slice_ns {
            while let Some(i) = self.slices.head() {
                self.stats.scanned += 1;
                if now.nanos_since(self.entries[i as usize].slice_base) < slice_ns {
                    break;
                }
                self.slice(i, now);
            }
        }
        self.deliver();
        (self.stats.total_exported() - before) as usize
    }

    /// True if [`Table::housekeeping`] at `now` would export something: the
    /// head of one of its lists is due. O(1); lets a caller with many
    /// tables skip the quiet ones.
    #[inline]
    pub fn has_due(&self, now: Timestamp) -> bool {
        let due = |head: Option<u32>, since: fn(&FlowEntry<S::State>) -> Timestamp, ns: u64| {
            head.is_some_and(|i| now.nanos_since(since(&self.entries[i as usize])) >= ns)
        };
        due(self.ended.head(), FlowEntry::last, self.linger_ns)
            || due(self.live.head(), FlowEntry::last, self.idle_ns)
            || due(self.age.head(), |e| e.start, self.active_ns)
            || self
                .slice_ns
                .is_some_and(|ns| due(self.slices.head(), |e| e.slice_base, ns))
    }

    /// Exports every flow with [`EndReason::ForcedEnd`], oldest first, and
    /// empties the table (`pfring_ft_flush`).
    pub fn flush(&mut self) {
        let mut cursor = self.age.head();
        while let Some(i) = cursor {
            self.export(i, EndReason::ForcedEnd, true, (0, 0));
            cursor = self.age.next(&self.entries, i);
        }
        self.clear();
    }

    /// Exports up to `max` flows with [`EndReason::ForcedEnd`] in the order
    /// of their latest packet (ties: oldest first), so that a caller can
    /// write a full table's flush a chunk at a time instead of holding every
    /// record at once. Returns true once every flow is exported and the
    /// table is empty. The order is fixed at the first call; nothing but
    /// draining the exported records may happen until it returns true.
    pub fn flush_in_end_order(&mut self, max: usize) -> bool {
        if self.flush_order.is_empty() {
            let mut cursor = self.age.head();
            while let Some(i) = cursor {
                self.flush_order.push(i);
                cursor = self.age.next(&self.entries, i);
            }
            let entries = &self.entries;
            // Stable: flows ending together stay in creation order.
            self.flush_order
                .sort_by_key(|&i| entries[i as usize].last());
            self.flush_order.reverse();
        }
        let mut order = std::mem::take(&mut self.flush_order);
        for _ in 0..max {
            let Some(i) = order.pop() else { break };
            self.export(i, EndReason::ForcedEnd, true, (0, 0));
        }
        if order.is_empty() {
            self.clear();
            return true;
        }
        self.flush_order = order;
        self.deliver();
        false
    }

    /// Empties the table once every flow is exported.
    fn clear(&mut self) {
        self.entries.clear();
        self.users.clear();
        self.index.clear();
        self.live.clear();
        self.ended.clear();
        self.age.clear();
        self.slices.clear();
        self.free = NIL;
        self.stats.active = 0;
        self.deliver();
    }

    /// Hands the new flow in `slot` to the stage, then to the new-flow callback.
    fn on_new_flow(&mut self, slot: u32) {
        let mut flow = Flow {
            entry: &mut self.entries[slot as usize],
            user: &mut self.users[slot as usize],
        };
        self.stage.on_new_flow(&mut flow);
        if let Some(cb) = self.callbacks.new_flow.as_mut() {
            cb(&mut flow);
        }
    }

    /// The action for the packet just counted in `slot`: the flow's own,
    /// else the default action.
    fn action_for(&mut self, slot: u32) -> Action {
        let e = &self.entries[slot as usize];
        match e.action {
            Action::Default => self.stage.default_action(),
            a => a,
        }
    }

    /// Installs the final verdict of the flow in `slot` in the kernel, once:
    /// TCP and UDP flows whose own action is discard or forward.
    fn try_offload(&mut self, slot: u32) {
        let e = &mut self.entries[slot as usize];
        let wanted = matches!(e.action, Action::Discard | Action::Forward)
            && matches!(
                e.key.proto,
                crate::decode::IpProto::TCP | crate::decode::IpProto::UDP
            );
        if !wanted || e.offload.is_some() {
            return;
        }
        let Some(off) = self.offload.as_mut() else {
            return;
        };
        if off.install(&e.key, e.action) {
            e.offload = Some(Box::default());
            self.offload_stats.installed += 1;
        } else {
            self.offload_stats.install_failed += 1;
        }
    }

    /// Reads the kernel's counters of the offloaded flow in `slot` (to learn
    /// its latest packet and TCP end); nothing is merged.
    fn read_kernel(&mut self, slot: u32) {
        let e = &mut self.entries[slot as usize];
        if e.offload.is_none() {
            return;
        }
        if let Some(counts) = self.offload.as_mut().and_then(|o| o.read(&e.key)) {
            note_kernel(e, &counts);
        }
    }

    /// Adds to the flow in `slot` what the kernel counted since the last
    /// merge; with `last`, removes the kernel entry (the flow is done).
    /// Returns the packets and frame bytes added. An entry gone from the
    /// kernel (evicted) is counted once as missing and forgotten.
    fn merge_kernel(&mut self, slot: u32, last: bool) -> (u64, u64) {
        let e = &mut self.entries[slot as usize];
        let Some(off) = self.offload.as_mut().filter(|_| e.offload.is_some()) else {
            return (0, 0);
        };
        let counts = if last {
            off.remove(&e.key)
        } else {
            off.read(&e.key)
        };
        let Some(counts) = counts else {
            self.offload_stats.missing += 1;
            e.offload = None;
            return (0, 0);
        };
        note_kernel(e, &counts);
        let Some(st) = e.offload.as_mut() else {
            return (0, 0);
        };
        // Kernel index 0 is the lower endpoint; dirs[0] is the flow's source.
        let order = if e.out_is_lower { [0, 1] } else { [1, 0] };
        let (mut packets, mut bytes) = (0, 0);
        for (d, k) in order.into_iter().enumerate() {
            packets += counts[k].packets.saturating_sub(st.merged[k].packets);
            bytes += add_delta(&mut e.dirs[d], &counts[k], &st.merged[k]);
        }
        st.merged = counts;
        if last {
            e.offload = None;
        }
        self.offload_stats.packets += packets;
        self.offload_stats.bytes += bytes;
        (packets, bytes)
    }

    /// Hands queued records to the list callback, if one is set.
    fn deliver(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        if let Some(cb) = self.callbacks.export_list.as_mut() {
            cb(&mut self.pending);
            self.pending.clear();
            self.pending_users.clear();
        }
    }

    /// Why the flow in `slot` must be exported before `pkt` is counted, if at all.
    fn restart_reason(&self, slot: u32, pkt: &Packet, ts: Timestamp) -> Option<EndReason> {
        let e = &self.entries[slot as usize];
        let bare_syn = pkt.proto == IpProto::TCP
            && pkt.tcp_flags & (TcpFlags::SYN | TcpFlags::ACK) == TcpFlags::SYN;
        if e.ended && bare_syn {
            return Some(EndReason::EndDetected);
        }
        self.due_reason(e, ts)
    }

    /// The reason housekeeping at `now` would export `e` with, if any.
    fn due_reason(&self, e: &FlowEntry<S::State>, now: Timestamp) -> Option<EndReason> {
        let quiet = now.nanos_since(e.last());
        if e.ended {
            if quiet >= self.linger_ns {
                return Some(EndReason::EndDetected);
            }
        } else if quiet >= self.idle_ns {
            return Some(EndReason::IdleTimeout);
        }
        (now.nanos_since(e.start) >= self.active_ns).then_some(EndReason::ActiveTimeout)
    }

    /// Exports the flow in `slot` and counts it; a final export (`last`)
    /// resets the flow's user metadata afterwards.
    /// A final export tells the stage first (the L7 stage ends detection,
    /// with a guess if allowed); a slice export reports what the stage says
    /// now and lets it go on.
    /// `kernel` is what a slice already merged from the kernel (packets,
    /// bytes; a slice merges first, to know whether it is empty); a final
    /// export merges the rest itself.
    fn export(&mut self, slot: u32, reason: EndReason, last: bool, kernel: (u64, u64)) {
        if last {
            self.stage.on_final_export(&mut Flow {
                entry: &mut self.entries[slot as usize],
                user: &mut self.users[slot as usize],
            });
        }
        let kernel = if last {
            self.merge_kernel(slot, true)
        } else {
            kernel
        };
        let guess = self.stage.guesses();
        let mut rec = self.entries[slot as usize].to_record(reason, guess);
        (rec.kernel_packets, rec.kernel_bytes) = kernel;
        self.stats.exported_by_reason[reason.index()] += 1;
        let user = &mut self.users[slot as usize];
        match self.callbacks.export.as_mut() {
            Some(cb) => cb(rec, user),
            None => {
                self.pending.push(rec);
                self.pending_users.push(if last {
                    std::mem::take(user)
                } else {
                    U::default()
                });
            }
        }
        if last {
            *user = U::default();
        }
    }

    /// Exports a slice of the flow in `slot` (if it had packets) and starts
    /// the next slice at `now`.
    fn slice(&mut self, slot: u32, now: Timestamp) {
        let kernel = self.merge_kernel(slot, false);
        if self.entries[slot as usize].packets() > 0 {
            self.export(slot, EndReason::SliceTimeout, false, kernel);
        }
        self.entries[slot as usize].new_slice(now);
        self.slices.move_to_back(&mut self.entries, slot);
    }

    /// Resets the exported flow in `slot` for a new flow on the same key.
    fn restart(&mut self, slot: u32, out_is_lower: bool, ts: Timestamp) {
        if self.entries[slot as usize].ended {
            self.ended.unlink(&mut self.entries, slot);
            self.live.push_back(&mut self.entries, slot);
        }
        self.entries[slot as usize].restart(out_is_lower, self.next_id, ts);
        self.next_id += 1;
        self.stats.created += 1;
        self.age.move_to_back(&mut self.entries, slot);
        if self.slice_ns.is_some() {
            self.slices.move_to_back(&mut self.entries, slot);
        }
    }

    /// Inserts a new flow, evicting one first if the table is full.
    fn create(&mut self, key: FlowKey, hash: u64, out_is_lower: bool, ts: Timestamp) -> u32 {
        if self.index.len() >= self.max_flows {
            self.evict(ts);
        }
        let entry = FlowEntry::new(key, out_is_lower, self.next_id, ts);
        let slot = if self.free != NIL {
            let slot = self.free;
            self.free = self.entries[slot as usize].activity.next;
            self.entries[slot as usize] = entry;
            slot
        } else {
            // Below max_flows <= u32::MAX, so the index fits; no reallocation
            // since the capacity was reserved.
            self.entries.push(entry);
            self.users.push(U::default());
            (self.entries.len() - 1) as u32
        };
        self.next_id += 1;
        self.live.push_back(&mut self.entries, slot);
        self.age.push_back(&mut self.entries, slot);
        if self.slice_ns.is_some() {
            self.slices.push_back(&mut self.entries, slot);
        }
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index
            .insert_unique(hash, slot, |&i| hasher.hash(&entries[i as usize].key));
        self.stats.created += 1;
        self.stats.active += 1;
        slot
    }

    /// Removes the least recently active flow: exported with the reason it is
    /// due for at `now`, else with [`EndReason::Overflow`].
    fn evict(&mut self, now: Timestamp) {
        let victim = match (self.live.head(), self.ended.head()) {
            (Some(l), Some(e)) => {
                let older = self.entries[e as usize].last() < self.entries[l as usize].last();
                if older {
                    e
                } else {
                    l
                }
            }
            (Some(i), None) | (None, Some(i)) => i,
            (None, None) => return,
        };
        let reason = match self.due_reason(&self.entries[victim as usize], now) {
            Some(r) => r,
            None => {
                self.stats.overflows += 1;
                EndReason::Overflow
            }
        };
        self.remove(victim, reason);
    }

    /// Exports the flow in `slot` and frees the slot.
    fn remove(&mut self, slot: u32, reason: EndReason) {
        self.export(slot, reason, true, (0, 0));
        let e = &self.entries[slot as usize];
        let hash = self.hasher.hash(&e.key);
        if e.ended {
            self.ended.unlink(&mut self.entries, slot);
        } else {
            self.live.unlink(&mut self.entries, slot);
        }
        self.age.unlink(&mut self.entries, slot);
        if self.slice_ns.is_some() {
            self.slices.unlink(&mut self.entries, slot);
        }
        if let Ok(found) = self.index.find_entry(hash, |&i| i == slot) {
            found.remove();
        }
        self.entries[slot as usize].activity.next = self.free;
        self.free = slot;
        self.stats.active -= 1;
    }
}

/// Notes, for the offloaded flow `e`, the latest packet and the TCP end in
/// what the kernel counted.
fn note_kernel<A>(e: &mut FlowEntry<A>, counts: &KernelCounts) {
    let ended = tcp_ended(e, counts);
    if let Some(st) = e.offload.as_mut() {
        st.last = st.last.max(counts[0].last).max(counts[1].last);
        st.ended = ended;
    }
}

/// True if the TCP flow `e`, with what the kernel counted, saw RST or FIN
/// both ways.
fn tcp_ended<A>(e: &FlowEntry<A>, counts: &KernelCounts) -> bool {
    use crate::decode::TcpFlags;
    if e.key.proto != IpProto::TCP {
        return false;
    }
    let (lower, higher) = (counts[0].tcp_flags, counts[1].tcp_flags);
    let (out, inn) = if e.out_is_lower {
        (lower, higher)
    } else {
        (higher, lower)
    };
    let fin_out = e.dirs[0].tcp_flags.intersects(TcpFlags::FIN) || out.intersects(TcpFlags::FIN);
    let fin_in = e.dirs[1].tcp_flags.intersects(TcpFlags::FIN) || inn.intersects(TcpFlags::FIN);
    e.ended || (lower | higher).intersects(TcpFlags::RST) || (fin_out && fin_in)
}

/// Which endpoint initiated a flow whose first packet is `pkt`: its sender, except for a
/// TCP SYN-ACK, whose receiver sent the SYN. (When the two directions of a connection
/// arrive through different rx queues, the SYN can reach the owning worker after the
/// SYN-ACK; this keeps `sa` the client.)
fn initiator_is_lower(pkt: &Packet, from_lower: bool) -> bool {
    let syn_ack = pkt.proto == IpProto::TCP
        && pkt.tcp_flags & (TcpFlags::SYN | TcpFlags::ACK) == (TcpFlags::SYN | TcpFlags::ACK);
    if syn_ack {
        !from_lower
    } else {
        from_lower
    }
}
