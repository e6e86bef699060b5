//! Callbacks of a flow table, as PF_RING FT's `pfring_ft_set_*_callback`, and
//! the view of a flow they receive.

use crate::decode::Packet;
use crate::flow::action::Action;
use crate::flow::direction::Direction;
use crate::flow::entry::FlowEntry;
use crate::flow::key::FlowKey;
use crate::flow::record::{DirCounters, FlowRecord};
use crate::flow::stage::StageState;
use crate::time::Timestamp;

/// A live flow as callbacks and the stage see it: read its key and
/// counters, set its action, and keep per-flow user metadata of type `U`;
/// `A` is the state of the stage above the table (see [`crate::flow::stage`]).
pub struct Flow<'a, U, A> {
    pub(crate) entry: &'a mut FlowEntry<A>,
    pub(crate) user: &'a mut U,
}

impl<U, A: StageState> Flow<'_, U, A> {
    /// The flow's id.
    pub fn id(&self) -> u64 {
        self.entry.id
    }

    /// The canonical (bidirectional) key.
    pub fn key(&self) -> &FlowKey {
        &self.entry.key
    }

    /// Counters of direction `dir` since the last slice (`Out`: from the
    /// flow's source `sa`).
    pub fn dir(&self, dir: Direction) -> &DirCounters {
        &self.entry.dirs[dir]
    }

    /// Time of the flow's first packet.
    pub fn start(&self) -> Timestamp {
        self.entry.start
    }

    /// The flow's own action ([`Action::Default`] until a rule or a callback sets one).
    pub fn action(&self) -> Action {
        self.entry.action
    }

    /// Sets the action `process` returns for this flow's packets from now on
    /// (`pfring_ft_flow_set_action`).
    pub fn set_action(&mut self, action: Action) {
        self.entry.action = action;
    }

    /// The flow's user metadata.
    pub fn user(&self) -> &U {
        self.user
    }

    /// The flow's user metadata, mutable.
    pub fn user_mut(&mut self) -> &mut U {
        self.user
    }

    /// The flow's (source, destination) ports; 0 for protocols without ports.
    pub fn ports(&self) -> (u16, u16) {
        self.entry.ports()
    }

    /// Packets of the flow since it started (slices do not reset it).
    pub fn total_packets(&self) -> u64 {
        self.entry.total_packets
    }

    /// Frame bytes of the flow since it started.
    pub fn total_wire_bytes(&self) -> u64 {
        self.entry.total_wire_bytes
    }

    /// True once the flow's verdict is installed in the kernel (see
    /// [`crate::flow::offload`]).
    pub fn in_kernel(&self) -> bool {
        self.entry.offload.is_some()
    }

    /// The stage's state of this flow.
    pub fn stage(&self) -> &A {
        &self.entry.app
    }

    /// The stage's state of this flow, mutable.
    pub fn stage_mut(&mut self) -> &mut A {
        &mut self.entry.app
    }

    /// A snapshot record of the flow as it is now (end reason `Active`; the
    /// application as far as detected, without a new port guess).
    pub fn snapshot(&self) -> FlowRecord {
        self.entry.to_record(crate::flow::EndReason::Active, false)
    }
}

/// One packet as the per-packet callback sees it.
#[derive(Debug, Clone, Copy)]
pub struct PacketInfo<'a> {
    /// The decoded summary.
    pub packet: &'a Packet,
    /// The frame bytes as captured (empty when only the summary travelled,
    /// e.g. a packet handed over from another worker).
    pub data: &'a [u8],
    /// Frame length on the wire.
    pub wire_len: u32,
    /// Packet time.
    pub ts: Timestamp,
    /// The packet's direction within its flow (`Out`: from the flow's source).
    pub dir: Direction,
}

/// Called with each new flow, before its first packet is counted.
pub type NewFlowFn<U, A> = Box<dyn FnMut(&mut Flow<'_, U, A>) + Send>;
/// Called for each packet after its flow is updated.
pub type PacketFn<U, A> = Box<dyn FnMut(&PacketInfo<'_>, &mut Flow<'_, U, A>) + Send>;
/// Called with each exported flow and its user metadata (reset to
/// `U::default()` after a final export; kept after a slice export).
pub type ExportFn<U> = Box<dyn FnMut(FlowRecord, &mut U) + Send>;
/// Called with every flow exported by one table call, in export order
/// (`pfring_ft_set_flow_list_export_callback`); the callee may drain the
/// list, what it leaves is dropped. User metadata is not passed: use the
/// single-flow callback for that.
pub type ExportListFn = Box<dyn FnMut(&mut Vec<FlowRecord>) + Send>;

/// The callbacks a table holds.
pub(crate) struct Callbacks<U, A> {
    pub new_flow: Option<NewFlowFn<U, A>>,
    pub packet: Option<PacketFn<U, A>>,
    pub export: Option<ExportFn<U>>,
    pub export_list: Option<ExportListFn>,
}

impl<U, A> Default for Callbacks<U, A> {
    fn default() -> Self {
        Callbacks {
            new_flow: None,
            packet: None,
            export: None,
            export_list: None,
        }
    }
}
