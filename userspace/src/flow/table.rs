//! Per-worker flow table: preallocated slab, hash index, and expiry lists.
//!
//! Every flow lives in a slab slot and is threaded through two intrusive lists:
//! * an activity list ordered by last packet (LRU): `live` for open flows,
//!   `ended` for TCP flows whose end was seen (they wait out the linger time);
//! * the `age` list ordered by creation, for the active (lifetime) timeout.
//!
//! Each packet costs one hash lookup and O(1) list moves. Housekeeping pops
//! expired flows from the list heads and stops at the first one that is not
//! due, so it costs O(exported + 3). This relies on timestamps passed to one
//! table being non-decreasing; a packet older than its flow's latest one is
//! counted but does not move the flow's `last` time back.
//!
//! Expiry does not depend on how often housekeeping runs: a packet hitting a
//! flow that is already due exports it (with the reason housekeeping would
//! have used) and starts a new flow on the same key.

use std::time::Duration;

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

use crate::decode::{Packet, PROTO_TCP, TCP_ACK, TCP_SYN};
use crate::flow::entry::FlowEntry;
use crate::flow::key::FlowKey;
use crate::flow::list::{Chain, List, NIL};
use crate::flow::record::{EndReason, FlowRecord};
use crate::flow::stats::FlowTableStats;
use crate::flow::time::{duration_nanos, Timestamp};

/// Settings of a [`FlowTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowTableConfig {
    /// Most flows held at once (clamped to `1..=u32::MAX`); all memory for
    /// them is allocated up front.
    pub max_flows: usize,
    /// A flow expires when `now - last_packet >= idle_timeout`.
    pub idle_timeout: Duration,
    /// A flow expires when `now - first_packet >= active_timeout`.
    pub active_timeout: Duration,
    /// How long an ended TCP flow stays after its last packet, so that the
    /// final ACK still joins it. Expires when `now - last_packet >= linger`.
    pub linger: Duration,
    /// Id of the first flow; ids then count up. Give workers disjoint ranges.
    pub first_id: u64,
}

impl Default for FlowTableConfig {
    /// 65 536 flows, idle 30 s, active 300 s, linger 1 s, ids from 0.
    fn default() -> Self {
        FlowTableConfig {
            max_flows: 1 << 16,
            idle_timeout: Duration::from_secs(30),
            active_timeout: Duration::from_secs(300),
            linger: Duration::from_secs(1),
            first_id: 0,
        }
    }
}

/// What [`FlowTable::process`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowHandle {
    /// Slab slot of the flow, `0..max_flows`; stable until the flow is exported.
    /// Lets callers keep per-flow side data in an array.
    pub slot: u32,
    /// True if the packet was sent by the flow's source (`sa`).
    pub outbound: bool,
    /// True if this packet started a new flow in `slot`.
    pub new_flow: bool,
}

/// A bidirectional flow table for one worker. Not thread-safe by design.
#[derive(Debug)]
pub struct FlowTable {
    entries: Vec<FlowEntry>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    live: List,
    ended: List,
    age: List,
    /// Head of the free-slot list, chained through `activity.next`.
    free: u32,
    max_flows: usize,
    idle_ns: u64,
    active_ns: u64,
    linger_ns: u64,
    next_id: u64,
    stats: FlowTableStats,
}

impl FlowTable {
    /// Creates a table and allocates room for `config.max_flows` flows. The
    /// hash index gets twice that capacity so that deletions never force it
    /// to grow (it rehashes in place instead).
    pub fn new(config: FlowTableConfig) -> Self {
        let max_flows = config.max_flows.clamp(1, u32::MAX as usize);
        FlowTable {
            entries: Vec::with_capacity(max_flows),
            index: HashTable::with_capacity(max_flows.saturating_mul(2).saturating_add(2)),
            hasher: DefaultHashBuilder::default(),
            live: List::new(Chain::Activity),
            ended: List::new(Chain::Activity),
            age: List::new(Chain::Age),
            free: NIL,
            max_flows,
            idle_ns: duration_nanos(config.idle_timeout),
            active_ns: duration_nanos(config.active_timeout),
            linger_ns: duration_nanos(config.linger),
            next_id: config.first_id,
            stats: FlowTableStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &FlowTableStats {
        &self.stats
    }

    /// Flows currently held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no flow is held.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Accounts one packet of `wire_len` frame bytes seen at `ts`.
    ///
    /// Finds or creates its flow. A flow that is already due to expire at `ts`
    /// is exported first and restarted, as is an ended TCP flow hit by a SYN
    /// without ACK. A full table evicts its least recently active flow with
    /// [`EndReason::Overflow`] (or with the reason it is already due for, if
    /// any). Never allocates.
    pub fn process(
        &mut self,
        pkt: &Packet,
        wire_len: u32,
        ts: Timestamp,
        export: &mut impl FnMut(FlowRecord),
    ) -> FlowHandle {
        self.stats.packets += 1;
        self.stats.bytes += u64::from(wire_len);
        let (key, from_lower) = FlowKey::from_packet(pkt);
        let hash = self.hasher.hash_one(key);
        let entries = &self.entries;
        let found = self.index.find(hash, |&i| entries[i as usize].key == key);
        let (slot, new_flow) = match found.copied() {
            Some(slot) => match self.restart_reason(slot, pkt, ts) {
                Some(reason) => {
                    self.export(slot, reason, export);
                    self.restart(slot, initiator_is_lower(pkt, from_lower));
                    (slot, true)
                }
                None => (slot, false),
            },
            None => {
                let out_is_lower = initiator_is_lower(pkt, from_lower);
                (self.create(key, hash, out_is_lower, ts, export), true)
            }
        };
        let e = &mut self.entries[slot as usize];
        let outbound = from_lower == e.out_is_lower;
        let was_ended = e.ended;
        e.update(pkt, wire_len, ts, outbound);
        if e.ended && !was_ended {
            self.live.unlink(&mut self.entries, slot);
            self.ended.push_back(&mut self.entries, slot);
        } else if was_ended {
            self.ended.move_to_back(&mut self.entries, slot);
        } else {
            self.live.move_to_back(&mut self.entries, slot);
        }
        FlowHandle {
            slot,
            outbound,
            new_flow,
        }
    }

    /// Exports every flow due at `now`: ended flows quiet for the linger time
    /// ([`EndReason::EndDetected`]), flows idle for `idle_timeout`
    /// ([`EndReason::IdleTimeout`]) and flows older than `active_timeout`
    /// ([`EndReason::ActiveTimeout`]). Costs O(exported + 3).
    pub fn housekeeping(&mut self, now: Timestamp, export: &mut impl FnMut(FlowRecord)) {
        while let Some(i) = self.ended.head() {
            self.stats.scanned += 1;
            if now.nanos_since(self.entries[i as usize].last()) < self.linger_ns {
                break;
            }
            self.remove(i, EndReason::EndDetected, export);
        }
        while let Some(i) = self.live.head() {
            self.stats.scanned += 1;
            if now.nanos_since(self.entries[i as usize].last()) < self.idle_ns {
                break;
            }
            self.remove(i, EndReason::IdleTimeout, export);
        }
        while let Some(i) = self.age.head() {
            self.stats.scanned += 1;
            if now.nanos_since(self.entries[i as usize].start()) < self.active_ns {
                break;
            }
            self.remove(i, EndReason::ActiveTimeout, export);
        }
    }

    /// Exports every flow with [`EndReason::ForcedEnd`], oldest first, and
    /// empties the table.
    pub fn flush(&mut self, export: &mut impl FnMut(FlowRecord)) {
        let mut cursor = self.age.head();
        while let Some(i) = cursor {
            self.export(i, EndReason::ForcedEnd, export);
            cursor = self.age.next(&self.entries, i);
        }
        self.entries.clear();
        self.index.clear();
        self.live.clear();
        self.ended.clear();
        self.age.clear();
        self.free = NIL;
        self.stats.active = 0;
    }

    /// Why the flow in `slot` must be exported before `pkt` is counted, if at all.
    fn restart_reason(&self, slot: u32, pkt: &Packet, ts: Timestamp) -> Option<EndReason> {
        let e = &self.entries[slot as usize];
        let bare_syn = pkt.proto == PROTO_TCP && pkt.tcp_flags & (TCP_SYN | TCP_ACK) == TCP_SYN;
        if e.ended && bare_syn {
            return Some(EndReason::EndDetected);
        }
        self.due_reason(e, ts)
    }

    /// The reason housekeeping at `now` would export `e` with, if any.
    fn due_reason(&self, e: &FlowEntry, now: Timestamp) -> Option<EndReason> {
        let quiet = now.nanos_since(e.last());
        if e.ended {
            if quiet >= self.linger_ns {
                return Some(EndReason::EndDetected);
            }
        } else if quiet >= self.idle_ns {
            return Some(EndReason::IdleTimeout);
        }
        (now.nanos_since(e.start()) >= self.active_ns).then_some(EndReason::ActiveTimeout)
    }

    /// Exports the flow in `slot` and counts it.
    fn export(&mut self, slot: u32, reason: EndReason, export: &mut impl FnMut(FlowRecord)) {
        export(self.entries[slot as usize].to_record(reason));
        self.stats.exported_by_reason[reason.index()] += 1;
    }

    /// Resets the exported flow in `slot` for a new flow on the same key.
    fn restart(&mut self, slot: u32, out_is_lower: bool) {
        if self.entries[slot as usize].ended {
            self.ended.unlink(&mut self.entries, slot);
            self.live.push_back(&mut self.entries, slot);
        }
        self.entries[slot as usize].restart(out_is_lower, self.next_id);
        self.next_id += 1;
        self.stats.created += 1;
        self.age.move_to_back(&mut self.entries, slot);
    }

    /// Inserts a new flow, evicting one first if the table is full.
    fn create(
        &mut self,
        key: FlowKey,
        hash: u64,
        out_is_lower: bool,
        ts: Timestamp,
        export: &mut impl FnMut(FlowRecord),
    ) -> u32 {
        if self.index.len() >= self.max_flows {
            self.evict(ts, export);
        }
        let entry = FlowEntry::new(key, out_is_lower, self.next_id);
        let slot = if self.free != NIL {
            let slot = self.free;
            self.free = self.entries[slot as usize].activity.next;
            self.entries[slot as usize] = entry;
            slot
        } else {
            // Below max_flows <= u32::MAX, so the index fits; no reallocation
            // since the capacity was reserved.
            self.entries.push(entry);
            (self.entries.len() - 1) as u32
        };
        self.next_id += 1;
        self.live.push_back(&mut self.entries, slot);
        self.age.push_back(&mut self.entries, slot);
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index
            .insert_unique(hash, slot, |&i| hasher.hash_one(entries[i as usize].key));
        self.stats.created += 1;
        self.stats.active += 1;
        slot
    }

    /// Removes the least recently active flow: exported with the reason it is
    /// due for at `now`, else with [`EndReason::Overflow`].
    fn evict(&mut self, now: Timestamp, export: &mut impl FnMut(FlowRecord)) {
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
        self.remove(victim, reason, export);
    }

    /// Exports the flow in `slot` and frees the slot.
    fn remove(&mut self, slot: u32, reason: EndReason, export: &mut impl FnMut(FlowRecord)) {
        self.export(slot, reason, export);
        let e = &self.entries[slot as usize];
        let hash = self.hasher.hash_one(e.key);
        if e.ended {
            self.ended.unlink(&mut self.entries, slot);
        } else {
            self.live.unlink(&mut self.entries, slot);
        }
        self.age.unlink(&mut self.entries, slot);
        if let Ok(found) = self.index.find_entry(hash, |&i| i == slot) {
            found.remove();
        }
        self.entries[slot as usize].activity.next = self.free;
        self.free = slot;
        self.stats.active -= 1;
    }
}

/// Which endpoint initiated a flow whose first packet is `pkt`: its sender, except for a
/// TCP SYN-ACK, whose receiver sent the SYN. (When the two directions of a connection
/// arrive through different rx queues, the SYN can reach the owning worker after the
/// SYN-ACK; this keeps `sa` the client.)
fn initiator_is_lower(pkt: &Packet, from_lower: bool) -> bool {
    let syn_ack =
        pkt.proto == PROTO_TCP && pkt.tcp_flags & (TCP_SYN | TCP_ACK) == (TCP_SYN | TCP_ACK);
    if syn_ack {
        !from_lower
    } else {
        from_lower
    }
}
