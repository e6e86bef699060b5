//! The reader's half of the packet path: decode each frame, give a later IP
//! fragment its train's ports, and key it, so that the packet can go to the
//! shard (and the worker) owning its flow. The shards then only count.
//!
//! Fragments are tracked here, over the whole run in packet order, so that a
//! later fragment joins its first fragment's flow (and shard) whatever the
//! number of threads.

use crate::decode::{decode, DecodeOptions, DecodeReason, LinkType, Packet};
use crate::filter::Filter;
use crate::flow::{
    FlowTableConfig, FlowTableStats, FragmentTrains, KeyHasher, PacketKey, Timestamp,
};

/// One packet as the reader numbered, decoded and keyed it: what a shard
/// needs besides the frame bytes.
#[derive(Debug, Clone, Copy)]
pub struct KeyedPacket {
    /// The packet's number (from 0, every packet of every file in order).
    pub seq: u64,
    /// The decoded summary (a later fragment with its train's ports).
    pub pkt: Packet,
    /// Its key and hash.
    pub key: PacketKey,
    /// Frame length on the wire.
    pub wire_len: u32,
    /// Capture time.
    pub ts: Timestamp,
}

/// Decodes and keys frames for the shards.
pub struct Keyer {
    decode: DecodeOptions,
    ignore_vlan: bool,
    hasher: KeyHasher,
    frags: FragmentTrains,
    decode_errors: [u64; DecodeReason::COUNT],
    /// `--filter`: frames it rejects are counted in `filtered` only.
    filter: Option<Filter>,
    filtered: u64,
}

impl Keyer {
    /// A keyer for tables set up as `config`, hashing with `hasher`.
    pub fn new(config: &FlowTableConfig, hasher: KeyHasher, filter: Option<Filter>) -> Keyer {
        Keyer {
            decode: DecodeOptions {
                decode_tunnels: config.decode_tunnels,
            },
            ignore_vlan: config.ignore_vlan,
            hasher,
            frags: FragmentTrains::new(config.max_fragments),
            decode_errors: [0; DecodeReason::COUNT],
            filter,
            filtered: 0,
        }
    }

    /// Packet number `seq` (`frame`, `wire_len` bytes on the wire, seen at
    /// `ts`) decoded and keyed, or None when the filter rejects it or it does
    /// not decode (counted as filtered, or per reason).
    #[inline]
    pub fn key(
        &mut self,
        seq: u64,
        link: LinkType,
        frame: &[u8],
        wire_len: u32,
        ts: Timestamp,
    ) -> Option<KeyedPacket> {
        if let Some(f) = self.filter.as_mut() {
            if !f.accepts(link, frame, wire_len) {
                self.filtered += 1;
                return None;
            }
        }
        let mut pkt = match decode(link, frame, self.decode) {
            Ok(p) => p,
            Err(e) => {
                self.decode_errors[e.reason().index()] += 1;
                return None;
            }
        };
        if pkt.frag.is_some() {
            self.frags.track(&mut pkt, ts);
        }
        let key = PacketKey::of(&pkt, self.ignore_vlan, &self.hasher);
        Some(KeyedPacket {
            seq,
            pkt,
            key,
            wire_len,
            ts,
        })
    }

    /// Adds what the keyer counted (frames filtered or not decoded,
    /// fragments joined and orphaned) to the shards' counters.
    pub fn add_to(&self, stats: &mut FlowTableStats) {
        for (a, b) in stats.decode_errors.iter_mut().zip(self.decode_errors) {
            *a += b;
        }
        stats.filtered += self.filtered;
        stats.fragments_joined += self.frags.joined;
        stats.fragment_orphans += self.frags.orphans;
    }
}
