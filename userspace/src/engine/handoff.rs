//! Handing packets to the worker that owns their flow.
//!
//! A flow belongs to worker `PacketKey::shard(workers)` of the hash of its canonical key
//! (the same both ways; every worker's table hashes with one seed). When the rx queues' hash is not
//! symmetric (veth picks a queue per sending CPU; many NICs hash asymmetrically), a
//! worker that receives a packet of another worker's flow passes its decoded summary
//! (and the frame's first bytes, for L7 detection) through a bounded single-producer single-consumer queue; a full queue is a counted
//! drop. Every pair of workers has its own queue, so nothing is shared by more than two
//! threads and nothing on the packet path takes a lock.
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

/// One worker's ends of the queues between workers.
pub struct Links {
    /// This worker's index.
    pub me: usize,
    /// Queue to each worker (None for itself), indexed by owner.
    pub outboxes: Vec<Option<Arc<ArrayQueue<Handoff>>>>,
    /// Queues from every other worker.
    pub inboxes: Vec<Arc<ArrayQueue<Handoff>>>,
}

impl Links {
    /// Number of workers.
    pub fn workers(&self) -> usize {
        self.outboxes.len()
    }
}

/// Builds the full mesh of `n` workers' queues, each holding `capacity` packets.
pub fn mesh(n: usize, capacity: usize) -> Vec<Links> {
    let queues: Vec<Vec<Option<Arc<ArrayQueue<Handoff>>>>> = (0..n)
        .map(|from| {
            (0..n)
                .map(|to| (from != to).then(|| Arc::new(ArrayQueue::new(capacity.max(1)))))
                .collect()
        })
        .collect();
    (0..n)
        .map(|me| Links {
            me,
            outboxes: queues[me].clone(),
            inboxes: (0..n).filter_map(|from| queues[from][me].clone()).collect(),
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
        // 0 -> 2 is the same queue as 2's inbox from 0.
        let q = m[0].outboxes[2].clone().unwrap();
        assert!(Arc::ptr_eq(&q, &m[2].inboxes[0]));
    }
}
