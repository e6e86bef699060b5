//! The reader's half of the packet path: decode each frame, give a later IP
//! fragment its train's ports, and key it, so that the packet can go to the
//! shard (and the worker) owning its flow. The shards then only count.
//!
//! Fragments are tracked here, over the whole run in packet order, so that a
//! later fragment joins its first fragment's flow (and shard) whatever the
//! number of threads.

use crate::decode::{decode, DecodeOptions, DecodeReason, LinkType, Packet};
use crate::flow::{
    FlowTableConfig, FlowTableStats, FragmentTrains, KeyHasher, PacketKey, Timestamp,
};

/// Decodes and keys frames for the shards.
pub struct Keyer {
    decode: DecodeOptions,
    ignore_vlan: bool,
    hasher: KeyHasher,
    frags: FragmentTrains,
    decode_errors: [u64; DecodeReason::COUNT],
}

impl Keyer {
    /// A keyer for tables set up as `config`, hashing with `hasher`.
    pub fn new(config: &FlowTableConfig, hasher: KeyHasher) -> Keyer {
        Keyer {
            decode: DecodeOptions {
                decode_tunnels: config.decode_tunnels,
            },
            ignore_vlan: config.ignore_vlan,
            hasher,
            frags: FragmentTrains::new(config.max_fragments),
            decode_errors: [0; DecodeReason::COUNT],
        }
    }

    /// The frame decoded and keyed, or None (counted per reason) when it
    /// does not decode.
    #[inline]
    pub fn key(
        &mut self,
        link: LinkType,
        frame: &[u8],
        ts: Timestamp,
    ) -> Option<(Packet, PacketKey)> {
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
        Some((pkt, key))
    }

    /// Adds what the keyer counted (frames not decoded, fragments joined
    /// and orphaned) to the shards' counters.
    pub fn add_to(&self, stats: &mut FlowTableStats) {
        for (a, b) in stats.decode_errors.iter_mut().zip(self.decode_errors) {
            *a += b;
        }
        stats.fragments_joined += self.frags.joined;
        stats.fragment_orphans += self.frags.orphans;
    }
}
