//! The exported flow record, its per-direction counters and end reasons.

use crate::decode::{IpProto, TcpFlags};
use crate::flow::community_id::CommunityId;
use crate::flow::stage::AppVerdict;
use crate::time::Timestamp;

/// Why a flow record was exported. Mirrors PF_RING FT's flow statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(usize)]
pub enum EndReason {
    /// Not ended: a snapshot of a live flow. Never produced by the flow table.
    #[default]
    Active,
    /// No packet for `idle_timeout`.
    IdleTimeout,
    /// The flow lasted `active_timeout` since its first packet; later packets
    /// start a new flow.
    ActiveTimeout,
    /// TCP FIN in both directions or RST, then quiet for the linger time.
    EndDetected,
    /// Exported by `FlowTable::flush` (shutdown).
    ForcedEnd,
    /// A periodic partial export (`slice_timeout`): the record counts the
    /// packets since the previous slice, and the flow stays in the table.
    SliceTimeout,
    /// Evicted (least recently active) to make room in a full table.
    Overflow,
}

impl EndReason {
    /// Number of reasons; the length of a per-reason counter array.
    pub const COUNT: usize = 7;

    /// Every reason, in index order.
    pub const ALL: [EndReason; EndReason::COUNT] = [
        EndReason::Active,
        EndReason::IdleTimeout,
        EndReason::ActiveTimeout,
        EndReason::EndDetected,
        EndReason::ForcedEnd,
        EndReason::SliceTimeout,
        EndReason::Overflow,
    ];

    /// Index of this reason in `0..COUNT`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Long name, used in stats.
    pub fn name(self) -> &'static str {
        match self {
            EndReason::Active => "active",
            EndReason::IdleTimeout => "idle_timeout",
            EndReason::ActiveTimeout => "active_timeout",
            EndReason::EndDetected => "end_detected",
            EndReason::ForcedEnd => "forced_end",
            EndReason::SliceTimeout => "slice_timeout",
            EndReason::Overflow => "overflow",
        }
    }

    /// Value of Joy's `expire_type` field. Joy itself only emits `"i"`
    /// (inactive/idle) and `"a"` (active timeout); the others are Sluice's:
    /// `"e"` end detected, `"f"` forced end, `"s"` slice timeout,
    /// `"o"` overflow eviction, and `"-"` for a still-active flow.
    pub fn joy_name(self) -> &'static str {
        match self {
            EndReason::Active => "-",
            EndReason::IdleTimeout => "i",
            EndReason::ActiveTimeout => "a",
            EndReason::EndDetected => "e",
            EndReason::ForcedEnd => "f",
            EndReason::SliceTimeout => "s",
            EndReason::Overflow => "o",
        }
    }
}

/// Counters of one direction of a flow. A direction without packets has all
/// fields zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirCounters {
    /// Time of the latest packet.
    pub last: Timestamp,
    /// Packets seen.
    pub packets: u64,
    /// Transport payload octets (Joy's `bytes_*`), see `Packet::payload_len`.
    pub bytes: u64,
    /// Frame octets as received on the wire.
    pub wire_bytes: u64,
    /// IP octets (sum of `Packet::ip_len`, RFC 7012 octetDeltaCount).
    pub ip_bytes: u64,
    /// Smallest IP length (`Packet::ip_len`, saturated at 65535) seen.
    pub min_ip_len: u16,
    /// Largest IP length seen (saturated at 65535).
    pub max_ip_len: u16,
    /// OR of the TCP flags of every packet (0 for non-TCP).
    pub tcp_flags: TcpFlags,
}

/// One exported flow. `sa`/`sp` is the sender of the flow's first packet;
/// `dirs[Direction::Out]` counts packets from `sa`, `dirs[Direction::In]`
/// packets towards it.
///
/// For ICMP/ICMPv6 flows `sp` and `dp` are 0 and `icmp` holds the
/// message type of the first packet (a reply's, if a reply came first: the
/// flow is keyed by its request's type), code and identifier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlowRecord {
    /// Table-local flow id (`FlowTableConfig::first_id` + creation count).
    pub id: u64,
    /// Source address: sender of the first packet (IPv4 in bytes 0..4).
    pub sa: [u8; 16],
    /// Destination address (IPv4 in bytes 0..4).
    pub da: [u8; 16],
    /// Source port (0 for protocols without ports).
    pub sp: u16,
    /// Destination port (0 for protocols without ports).
    pub dp: u16,
    /// 4 or 6.
    pub ip_version: u8,
    /// Transport protocol.
    pub proto: IpProto,
    /// Outer VLAN id, 0 when untagged.
    pub vlan: u16,
    /// Time of the first packet (of the slice, for slice exports).
    pub time_start: Timestamp,
    /// Time of the latest packet in either direction.
    pub time_end: Timestamp,
    /// Per direction, indexed by [`Direction`](crate::flow::Direction):
    /// `Out` from `sa` to `da`, `In` from `da` to `sa`.
    pub dirs: [DirCounters; 2],
    /// Why the record was exported.
    pub end_reason: EndReason,
    /// ICMP type, code and identifier of ICMP flows, else all 0.
    pub icmp: crate::decode::IcmpInfo,
    /// The flow's action when it was exported.
    pub action: crate::flow::Action,
    /// Of the packets counted in `dirs`, those the kernel counted
    /// after the flow's verdict was installed there (they never reached
    /// userspace). 0 unless the flow was offloaded.
    pub kernel_packets: u64,
    /// Frame bytes of those packets.
    pub kernel_bytes: u64,
    /// The application, as the stage above the table found it: with
    /// Sluice's L7 stage the protocol by nDPI's number (`Unknown` if not
    /// detected, or detection off; `crate::l7` names it), whether it is a
    /// port guess (PF_RING FT's `L7_GUESS` flag), and the server name
    /// (SNI) a QUIC client sent in its Initial packets.
    pub app: AppVerdict,
    /// The flow's Community ID, set when the record is encoded for output
    /// (after anonymization); `None` in the table's records and when the
    /// run leaves it out.
    pub community_id: Option<CommunityId>,
}
