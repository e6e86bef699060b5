//! Handing packets to the worker that owns their flow.
//!
//! A flow belongs to worker `PacketKey::shard(workers)` of the hash of its canonical key
//! (the same both ways; every worker's table hashes with one seed). When the rx queues' hash is not
//! symmetric (veth picks a queue per sending CPU; many NICs hash asymmetrically), a
//! worker that receives a packet of another worker's flow passes its decoded summary
//! (and the frame's first bytes, for L7 detection) through a bounded queue of its own
//! to that worker (a [`Lane`]); a full lane is a counted drop. Packets travel in
//! batches (up to [`BATCH`], one rx batch's worth per owner), so a push costs once per
//! batch, and emptied batches travel back for reuse. Every pair of workers has its own
//! lane, so nothing is shared by more than two threads and nothing on the packet path
//! takes a lock.
use std::sync::Arc;

use crossbeam_queue::ArrayQueue;

use crate::{
    decode::Packet,
    flow::{PacketKey, Timestamp},
};

/// Frame bytes a handed-over packet carries: headers and the start of the payload,
/// enough for L7 detection (`Pipeline::on_handoff`).
pub const HEAD_BYTES: usize = 256;

/// A decoded packet on its way to the worker owning its flow.
#[derive(Clone, Copy, Debug)]
pub struct Handoff {
    /// The decoded summary.
    pub pkt: Packet,
    /// Its flow key and hash, as the sending worker made them.
    pub key: PacketKey,
    /// Frame length on the wire.
    pub wire_len: u32,
    /// Receive time.
    pub ts: Timestamp,
    /// How many bytes of `head` are the frame's.
    pub head_len: u16,
    /// The frame's first bytes.
    pub head: [u8; HEAD_BYTES],
}

impl Handoff {
    /// A handoff of `pkt` (keyed `key`), carrying the first [`HEAD_BYTES`] of `frame`.
    pub fn new(pkt: Packet, key: PacketKey, frame: &[u8], wire_len: u32, ts: Timestamp) -> Self {
        let n = frame.len().min(HEAD_BYTES);
        let mut head = [0u8; HEAD_BYTES];
        head[..n].copy_from_slice(&frame[..n]);
        Handoff {
            pkt,
            key,
            wire_len,
            ts,
            head_len: n as u16,
            head,
        }
    }

    /// The frame's first bytes.
    pub fn head(&self) -> &[u8] {
        &self.head[..usize::from(self.head_len)]
    }
}

/// Packets one push carries: a worker gathers each owner's packets of an rx batch
/// and hands them over together, so the queue's atomics are paid once per batch.
pub const BATCH: usize = 64;

/// Handed-over packets travelling together (at most [`BATCH`]).
pub type Batch = Vec<Handoff>;

/// One direction between two workers: batches go forward through `full`, and come
/// back emptied through `empty`, so steady state allocates nothing.
pub struct Lane {
    full: ArrayQueue<Batch>,
    empty: ArrayQueue<Batch>,
}

impl Lane {
    /// A lane holding up to `batches` full batches in flight.
    fn new(batches: usize) -> Self {
        let batches = batches.max(1);
        Lane {
            full: ArrayQueue::new(batches),
            // Every batch in flight, plus the sender's one being filled, can come back.
            empty: ArrayQueue::new(batches + 2),
        }
    }

    /// Sends a batch to the owner; gives it back when the lane is full.
    pub fn send(&self, batch: Batch) -> Result<(), Batch> {
        self.full.push(batch)
    }

    /// The next batch sent to this worker, if any.
    pub fn receive(&self) -> Option<Batch> {
        self.full.pop()
    }

    /// Returns a batch the receiver has processed, for the sender to fill again.
    pub fn give_back(&self, mut batch: Batch) {
        batch.clear();
        // Full only if batches were made beyond the bound; then this one is freed.
        let _ = self.empty.push(batch);
    }

    /// An empty batch to fill: one given back, or a new one.
    pub fn empty_batch(&self) -> Batch {
        self.empty
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(BATCH))
    }
}

/// One worker's ends of the lanes between workers.
pub struct Links {
    /// This worker's index.
    pub me: usize,
    /// Lane to each worker (None for itself), indexed by owner.
    pub outboxes: Vec<Option<Arc<Lane>>>,
    /// Lanes from every other worker.
    pub inboxes: Vec<Arc<Lane>>,
}

impl Links {
    /// Number of workers.
    pub fn workers(&self) -> usize {
        self.outboxes.len()
    }
}

/// Builds the full mesh of `n` workers' lanes, each holding about `capacity` packets
/// (in batches of [`BATCH`]).
pub fn mesh(n: usize, capacity: usize) -> Vec<Links> {
    let batches = capacity.div_ceil(BATCH);
    let lanes: Vec<Vec<Option<Arc<Lane>>>> = (0..n)
        .map(|from| {
            (0..n)
                .map(|to| (from != to).then(|| Arc::new(Lane::new(batches))))
                .collect()
        })
        .collect();
    (0..n)
        .map(|me| Links {
            me,
            outboxes: lanes[me].clone(),
            inboxes: (0..n).filter_map(|from| lanes[from][me].clone()).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_connects_every_pair_once() {
        let m = mesh(3, 4);
        assert_eq!(m.len(), 3);
        for l in &m {
            assert_eq!(l.workers(), 3);
            assert!(l.outboxes[l.me].is_none());
            assert_eq!(l.inboxes.len(), 2);
        }
        // 0 -> 2 is the same lane as 2's inbox from 0.
        let q = m[0].outboxes[2].clone().unwrap();
        assert!(Arc::ptr_eq(&q, &m[2].inboxes[0]));
    }

    #[test]
    fn batches_go_forward_and_come_back_empty() {
        let lane = Lane::new(1);
        let mut b = lane.empty_batch();
        assert!(b.capacity() >= BATCH);
        let pkt = Packet::default();
        let key = PacketKey::of(&pkt, false, &crate::flow::KeyHasher::default());
        b.push(Handoff::new(pkt, key, &[1, 2, 3], 3, Timestamp(0)));
        lane.send(b).unwrap();
        // One batch in flight fills this lane: the next comes back to its sender.
        let refused = lane.send(lane.empty_batch()).unwrap_err();
        assert!(refused.is_empty());
        let got = lane.receive().unwrap();
        assert_eq!(got[0].head(), &[1, 2, 3]);
        let ptr = got.as_ptr();
        lane.give_back(got);
        let again = lane.empty_batch();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), ptr, "the emptied batch is reused");
    }
}
