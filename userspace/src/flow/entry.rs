//! One slab slot of the flow table: key, counters, state and list links.

use crate::decode::{IpProto, Packet, TcpFlags};
use crate::flow::action::Action;
use crate::flow::direction::Direction;
use crate::flow::key::FlowKey;
use crate::flow::list::Links;
use crate::flow::offload::OffloadState;
use crate::flow::record::{DirCounters, EndReason, FlowRecord};
use crate::flow::stage::StageState;
use crate::time::Timestamp;

/// `FlowEntry::fin` bit: FIN seen from the flow's source.
const FIN_OUT: u8 = 1;
/// `FlowEntry::fin` bit: FIN seen towards the flow's source.
const FIN_IN: u8 = 2;

/// A live flow. The key is stored here (not in the hash index), so the record's
/// addresses and ports are derived from it at export.
#[derive(Debug)]
pub(crate) struct FlowEntry<A> {
    pub key: FlowKey,
    /// `[out, in]` counters (since the last slice export).
    pub dirs: [DirCounters; 2],
    pub id: u64,
    /// First packet of the flow (the lifetime timeout counts from here).
    pub start: Timestamp,
    /// First packet since the last slice export (`start` if never sliced).
    pub first: Timestamp,
    /// When the current slice began: `start`, then each slice export's time.
    pub slice_base: Timestamp,
    /// Links in the live or ended activity list; `next` chains the free list.
    pub activity: Links,
    /// Links in the creation-order list.
    pub age: Links,
    /// Links in the slice list (only used when slicing is on).
    pub slice: Links,
    /// True if the flow's source (first sender) is the key's lower endpoint.
    pub out_is_lower: bool,
    /// `FIN_OUT` / `FIN_IN` bits.
    pub fin: u8,
    /// TCP end seen (FIN both ways, or RST).
    pub ended: bool,
    /// ICMP/ICMPv6: the message type of the flow's first packet (the key
    /// has the request's type of a reply), so the record says whether the
    /// source sent requests or replies.
    pub first_icmp_type: u8,
    /// The flow's own action (set by a rule or a callback).
    pub action: Action,
    /// Packets of the flow since it started (slices do not reset it): what
    /// a shunt budget counts.
    pub total_packets: u64,
    /// Frame bytes of the flow since it started (for byte budgets).
    pub total_wire_bytes: u64,
    /// Set once the flow's verdict is in the kernel (see `flow::offload`).
    pub offload: Option<Box<OffloadState>>,
    /// The state of the stage above the table (see [`crate::flow::stage`]).
    pub app: A,
}

impl<A: StageState> FlowEntry<A> {
    /// A flow without packets yet, first seen at `ts`.
    pub fn new(key: FlowKey, out_is_lower: bool, id: u64, ts: Timestamp) -> Self {
        FlowEntry {
            key,
            dirs: [DirCounters::default(); 2],
            id,
            start: ts,
            first: ts,
            slice_base: ts,
            activity: Links::NONE,
            age: Links::NONE,
            slice: Links::NONE,
            out_is_lower,
            fin: 0,
            ended: false,
            first_icmp_type: 0,
            action: Action::Default,
            total_packets: 0,
            total_wire_bytes: 0,
            offload: None,
            app: A::default(),
        }
    }

    /// Clears counters and state to start a new flow on the same key at `ts`,
    /// keeping list links.
    pub fn restart(&mut self, out_is_lower: bool, id: u64, ts: Timestamp) {
        let links = (self.activity, self.age, self.slice);
        *self = FlowEntry::new(self.key, out_is_lower, id, ts);
        (self.activity, self.age, self.slice) = links;
    }

    /// Starts a new slice at `now`: counters cleared, flow state and the
    /// time of the latest packet each way kept (idle time still counts from
    /// the last packet).
    pub fn new_slice(&mut self, now: Timestamp) {
        let last = [self.dirs[0].last, self.dirs[1].last];
        self.dirs = [DirCounters::default(); 2];
        self.dirs[0].last = last[0];
        self.dirs[1].last = last[1];
        self.slice_base = now;
    }

    /// Packets in both directions since the last slice.
    pub fn packets(&self) -> u64 {
        self.dirs[0].packets + self.dirs[1].packets
    }

    /// Time of the latest packet in either direction (the flow's start before
    /// its first packet is counted), including the latest the kernel counted
    /// for an offloaded flow, as of the last time it was read.
    pub fn last(&self) -> Timestamp {
        let kernel = self.offload.as_ref().map_or(Timestamp(0), |o| o.last);
        self.dirs[0]
            .last
            .max(self.dirs[1].last)
            .max(self.first)
            .max(kernel)
    }

    /// Counts `pkt` in direction `dir` and tracks TCP end.
    pub fn update(&mut self, pkt: &Packet, wire_len: u32, ts: Timestamp, dir: Direction) {
        if self.packets() == 0 || ts < self.first {
            self.first = ts;
        }
        let d = &mut self.dirs[dir];
        let ip_len = u16::try_from(pkt.ip_len).unwrap_or(u16::MAX);
        if d.packets == 0 {
            d.min_ip_len = ip_len;
        }
        if self.total_packets == 0 {
            self.first_icmp_type = pkt.icmp.kind;
        }
        d.packets += 1;
        self.total_packets += 1;
        self.total_wire_bytes += u64::from(wire_len);
        d.bytes += u64::from(pkt.payload_len);
        d.wire_bytes += u64::from(wire_len);
        d.ip_bytes += u64::from(pkt.ip_len);
        d.tcp_flags |= pkt.tcp_flags;
        d.min_ip_len = d.min_ip_len.min(ip_len);
        d.max_ip_len = d.max_ip_len.max(ip_len);
        d.last = d.last.max(ts);
        if pkt.proto == IpProto::TCP {
            if pkt.tcp_flags.intersects(TcpFlags::FIN) {
                self.fin |= match dir {
                    Direction::Out => FIN_OUT,
                    Direction::In => FIN_IN,
                };
            }
            if pkt.tcp_flags.intersects(TcpFlags::RST) || self.fin == FIN_OUT | FIN_IN {
                self.ended = true;
            }
        }
    }

    /// The exported form of this flow, with the application as the stage
    /// says so far (`guess` allows a port guess).
    pub fn to_record(&self, end_reason: EndReason, guess: bool) -> FlowRecord {
        let k = &self.key;
        let (lo_port, hi_port) = if k.is_icmp() {
            (0, 0)
        } else {
            (k.lo_port, k.hi_port)
        };
        let lo = (k.lo_addr, lo_port);
        let hi = (k.hi_addr, hi_port);
        let ((sa, sp), (da, dp)) = if self.out_is_lower {
            (lo, hi)
        } else {
            (hi, lo)
        };
        let icmp = if k.is_icmp() {
            crate::decode::IcmpInfo {
                kind: self.first_icmp_type,
                code: k.lo_port as u8,
                id: k.hi_port,
            }
        } else {
            crate::decode::IcmpInfo::default()
        };
        let app = self.app.verdict(guess, k.proto, self.ports());
        FlowRecord {
            id: self.id,
            sa,
            da,
            sp,
            dp,
            ip_version: k.ip_version,
            proto: k.proto,
            vlan: k.vlan,
            time_start: self.first,
            time_end: self.last(),
            dirs: self.dirs.map(exported),
            end_reason,
            icmp,
            action: self.action,
            kernel_packets: 0,
            kernel_bytes: 0,
            app,
            community_id: None,
        }
    }

    /// The key's ports as (source, destination) of the flow.
    pub fn ports(&self) -> (u16, u16) {
        let k = &self.key;
        if self.out_is_lower {
            (k.lo_port, k.hi_port)
        } else {
            (k.hi_port, k.lo_port)
        }
    }
}

/// A direction's counters as exported: all zero when it had no packets (its
/// `last` may survive from an earlier slice in the entry).
fn exported(d: DirCounters) -> DirCounters {
    if d.packets == 0 {
        DirCounters::default()
    } else {
        d
    }
}
