//! One slab slot of the flow table: key, counters, state and list links.

use crate::decode::{Packet, PROTO_TCP, TCP_FIN, TCP_RST};
use crate::flow::key::FlowKey;
use crate::flow::list::Links;
use crate::flow::record::{DirCounters, EndReason, FlowRecord};
use crate::flow::time::Timestamp;

/// `FlowEntry::fin` bit: FIN seen from the flow's source.
const FIN_OUT: u8 = 1;
/// `FlowEntry::fin` bit: FIN seen towards the flow's source.
const FIN_IN: u8 = 2;

/// A live flow. The key is stored here (not in the hash index), so the record's
/// addresses and ports are derived from it at export.
#[derive(Debug, Clone)]
pub(crate) struct FlowEntry {
    pub key: FlowKey,
    /// `[out, in]` counters.
    pub dirs: [DirCounters; 2],
    pub id: u64,
    /// Links in the live or ended activity list; `next` chains the free list.
    pub activity: Links,
    /// Links in the creation-order list.
    pub age: Links,
    /// True if the flow's source (first sender) is the key's lower endpoint.
    pub out_is_lower: bool,
    /// `FIN_OUT` / `FIN_IN` bits.
    pub fin: u8,
    /// TCP end seen (FIN both ways, or RST).
    pub ended: bool,
}

impl FlowEntry {
    /// A flow without packets yet.
    pub fn new(key: FlowKey, out_is_lower: bool, id: u64) -> Self {
        FlowEntry {
            key,
            dirs: [DirCounters::default(); 2],
            id,
            activity: Links::NONE,
            age: Links::NONE,
            out_is_lower,
            fin: 0,
            ended: false,
        }
    }

    /// Clears counters and state to start a new flow on the same key, keeping
    /// list links.
    pub fn restart(&mut self, out_is_lower: bool, id: u64) {
        self.dirs = [DirCounters::default(); 2];
        self.id = id;
        self.out_is_lower = out_is_lower;
        self.fin = 0;
        self.ended = false;
    }

    /// Time of the first packet.
    pub fn start(&self) -> Timestamp {
        // The first packet is usually outbound, but not when a flow starts with a TCP
        // SYN-ACK (see `initiator_is_lower`), so take the earlier of the directions seen.
        match (self.dirs[0].packets, self.dirs[1].packets) {
            (0, _) => self.dirs[1].first,
            (_, 0) => self.dirs[0].first,
            _ => self.dirs[0].first.min(self.dirs[1].first),
        }
    }

    /// Time of the latest packet in either direction.
    pub fn last(&self) -> Timestamp {
        self.dirs[0].last.max(self.dirs[1].last)
    }

    /// Counts `pkt` in direction `out` (true) or in (false) and tracks TCP end.
    pub fn update(&mut self, pkt: &Packet, wire_len: u32, ts: Timestamp, outbound: bool) {
        let d = &mut self.dirs[usize::from(!outbound)];
        if d.packets == 0 {
            d.first = ts;
        }
        d.packets += 1;
        d.bytes += u64::from(pkt.payload_len);
        d.wire_bytes += u64::from(wire_len);
        d.ip_bytes += u64::from(pkt.ip_len);
        d.tcp_flags |= pkt.tcp_flags;
        d.last = d.last.max(ts);
        if pkt.proto == PROTO_TCP {
            if pkt.tcp_flags & TCP_FIN != 0 {
                self.fin |= if outbound { FIN_OUT } else { FIN_IN };
            }
            if pkt.tcp_flags & TCP_RST != 0 || self.fin == FIN_OUT | FIN_IN {
                self.ended = true;
            }
        }
    }

    /// The exported form of this flow.
    pub fn to_record(&self, end_reason: EndReason) -> FlowRecord {
        let k = &self.key;
        let lo = (k.lo_addr, k.lo_port);
        let hi = (k.hi_addr, k.hi_port);
        let ((sa, sp), (da, dp)) = if self.out_is_lower {
            (lo, hi)
        } else {
            (hi, lo)
        };
        FlowRecord {
            id: self.id,
            sa,
            da,
            sp,
            dp,
            ip_version: k.ip_version,
            proto: k.proto,
            vlan: k.vlan,
            time_start: self.start(),
            time_end: self.last(),
            out: self.dirs[0],
            r#in: self.dirs[1],
            end_reason,
        }
    }
}
