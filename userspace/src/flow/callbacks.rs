//! Callbacks of a flow table, as PF_RING FT's `pfring_ft_set_*_callback`, and
//! the view of a flow they receive.

use crate::decode::Packet;
use crate::flow::action::Action;
use crate::flow::direction::Direction;
use crate::flow::entry::FlowEntry;
use crate::flow::key::FlowKey;
use crate::flow::record::{DirCounters, FlowRecord};
use crate::l7::L7Proto;
use crate::time::Timestamp;

/// A live flow as callbacks see it: read its key and counters, set its
/// action, and keep per-flow user metadata of type `U`.
pub struct Flow<'a, U> {
    pub(crate) entry: &'a mut FlowEntry,
    pub(crate) user: &'a mut U,
}

impl<U> Flow<'_, U> {
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

    /// The flow's application protocol: detected, guessed once detection
    /// gave up (see [`Flow::l7_guessed`]), or `Unknown` (not yet, or never).
    pub fn l7(&self) -> L7Proto {
        self.entry.l7.proto()
    }

    /// True if [`Flow::l7`] is a port-based guess (PF_RING FT's
    /// `PF_RING_FT_FLOW_FLAGS_L7_GUESS`).
    pub fn l7_guessed(&self) -> bool {
        self.entry.l7.guessed()
    }

    /// True once L7 detection finished for this flow.
    pub fn l7_done(&self) -> bool {
        self.entry.l7.is_done()
    }

    /// A snapshot record of the flow as it is now (end reason `Active`; the
    /// L7 protocol as far as detected, without a new port guess).
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
pub type NewFlowFn<U> = Box<dyn FnMut(&mut Flow<'_, U>) + Send>;
/// Called once per flow when its L7 detection finishes
/// (`pfring_ft_set_l7_detected_callback`).
pub type L7DetectedFn<U> = Box<dyn FnMut(&mut Flow<'_, U>) + Send>;
/// Called for each packet after its flow is updated.
pub type PacketFn<U> = Box<dyn FnMut(&PacketInfo<'_>, &mut Flow<'_, U>) + Send>;
/// Called with each exported flow and its user metadata (reset to
/// `U::default()` after a final export; kept after a slice export).
pub type ExportFn<U> = Box<dyn FnMut(FlowRecord, &mut U) + Send>;
/// Called with every flow exported by one table call, in export order
/// (`pfring_ft_set_flow_list_export_callback`); the callee may drain the
/// list, what it leaves is dropped. User metadata is not passed: use the
/// single-flow callback for that.
pub type ExportListFn = Box<dyn FnMut(&mut Vec<FlowRecord>) + Send>;

/// The callbacks a table holds.
pub(crate) struct Callbacks<U> {
    pub new_flow: Option<NewFlowFn<U>>,
    pub l7_detected: Option<L7DetectedFn<U>>,
    pub packet: Option<PacketFn<U>>,
    pub export: Option<ExportFn<U>>,
    pub export_list: Option<ExportListFn>,
}

impl<U> Default for Callbacks<U> {
    fn default() -> Self {
        Callbacks {
            new_flow: None,
            l7_detected: None,
            packet: None,
            export: None,
            export_list: None,
        }
    }
}
