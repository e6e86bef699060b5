//! IP fragment tracking: later fragments of a datagram carry no transport
//! header, so they get the ports (or ICMP fields) of their first fragment,
//! found by (addresses, protocol, IP id).
//!
//! A fixed number of trains is tracked, in a preallocated ring: a new train
//! replaces the oldest one, and a train older than the fragment timeout is
//! ignored. A later fragment whose first fragment was never seen (or arrives
//! after it) keys a ports-0 flow, as nothing else is known about it.

use std::hash::{BuildHasher, Hash};

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::decode::{IcmpInfo, IpProto, Packet};
use crate::time::Timestamp;

/// How long the first fragment's ports stay usable (Linux's default
/// `ipfrag_time` is 30 s).
pub const FRAGMENT_TIMEOUT_NS: u64 = 30_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct TrainKey {
    ip_version: u8,
    proto: IpProto,
    id: u32,
    src: [u8; 16],
    dst: [u8; 16],
}

#[derive(Debug, Clone, Copy, Default)]
struct Train {
    key: TrainKey,
    sport: u16,
    dport: u16,
    icmp: IcmpInfo,
    seen: Timestamp,
    used: bool,
}

/// Fragment trains of one flow table, or of a reader that keys packets for
/// several (`Table::process_tracked`).
#[derive(Debug)]
pub struct FragmentTrains {
    trains: Vec<Train>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    next: usize,
    /// Later fragments given their first fragment's ports.
    pub joined: u64,
    /// Later fragments whose first fragment was not found.
    pub orphans: u64,
}

impl FragmentTrains {
    /// Room for `capacity` trains (at least 1), allocated now.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, u32::MAX as usize);
        FragmentTrains {
            trains: vec![Train::default(); capacity],
            index: HashTable::with_capacity(capacity.saturating_mul(2)),
            hasher: DefaultHashBuilder::default(),
            next: 0,
            joined: 0,
            orphans: 0,
        }
    }

    /// Remembers a first fragment, or gives a later fragment its first
    /// fragment's ports. Other packets are left alone.
    pub fn track(&mut self, pkt: &mut Packet, ts: Timestamp) {
        let Some(frag) = pkt.frag else { return };
        let key = TrainKey {
            ip_version: pkt.ip_version,
            proto: pkt.proto,
            id: frag.id,
            src: pkt.src,
            dst: pkt.dst,
        };
        let hash = self.hasher.hash_one(key);
        let trains = &self.trains;
        let found = self
            .index
            .find(hash, |&i| trains[i as usize].key == key)
            .copied();
        if frag.is_first() {
            self.remember(found, key, hash, pkt, ts);
            return;
        }
        match found.map(|i| self.trains[i as usize]) {
            Some(t) if ts.nanos_since(t.seen) < FRAGMENT_TIMEOUT_NS => {
                pkt.sport = t.sport;
                pkt.dport = t.dport;
                pkt.icmp = t.icmp;
                self.joined += 1;
            }
            _ => self.orphans += 1,
        }
    }

    fn remember(
        &mut self,
        found: Option<u32>,
        key: TrainKey,
        hash: u64,
        pkt: &Packet,
        ts: Timestamp,
    ) {
        let train = Train {
            key,
            sport: pkt.sport,
            dport: pkt.dport,
            icmp: pkt.icmp,
            seen: ts,
            used: true,
        };
        if let Some(i) = found {
            self.trains[i as usize] = train;
            return;
        }
        let slot = self.next;
        self.next = (self.next + 1) % self.trains.len();
        let old = self.trains[slot];
        if old.used {
            let old_hash = self.hasher.hash_one(old.key);
            if let Ok(e) = self.index.find_entry(old_hash, |&i| i as usize == slot) {
                e.remove();
            }
        }
        self.trains[slot] = train;
        let (trains, hasher) = (&self.trains, &self.hasher);
        self.index.insert_unique(hash, slot as u32, |&i| {
            hasher.hash_one(trains[i as usize].key)
        });
    }
}
