//! The seam between the flow table and what runs above it.
//!
//! The table stores flows and expires them; it knows no application
//! protocol and no rule. A [`Stage`] sees every new flow, every counted
//! packet and every final export, and keeps its own per-flow state in the
//! table's entries (`Stage::State`), so it costs no second lookup. Sluice's
//! stage is `crate::policy::AppStage` (L7 detection, then rules and shunt
//! budgets); `()` is the stage that does nothing, leaving a bare store.

use crate::decode::{IpProto, Packet};
use crate::flow::action::Action;
use crate::flow::callbacks::Flow;
use crate::flow::direction::Direction;

/// An application protocol label in the stage's own numbering (for Sluice's
/// L7 stage, nDPI's protocol ids; 0 is unknown). The table carries it into
/// records without reading it; `crate::l7` gives it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct AppLabel(pub u16);

/// What a record says about a flow's application: the label, whether it is
/// a guess, and a server name if the stage read one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppVerdict {
    /// The protocol, or `AppLabel(0)` when unknown.
    pub label: AppLabel,
    /// True if `label` is a port-based guess.
    pub guessed: bool,
    /// The server name the stage found (a QUIC flow's SNI), if any.
    pub server_name: Option<Box<str>>,
}

/// The per-flow state a stage keeps in each table entry.
pub trait StageState: Default {
    /// What the flow's record says about its application. `guess` allows a
    /// port guess where detection has not finished; `ports` are the flow's
    /// (source, destination) and `ip_proto` its IP protocol.
    fn verdict(&self, guess: bool, ip_proto: IpProto, ports: (u16, u16)) -> AppVerdict;
}

impl StageState for () {
    fn verdict(&self, _guess: bool, _ip_proto: IpProto, _ports: (u16, u16)) -> AppVerdict {
        AppVerdict::default()
    }
}

/// One counted packet as a stage sees it.
#[derive(Debug, Clone, Copy)]
pub struct StagePacket<'a> {
    /// The decoded summary.
    pub packet: &'a Packet,
    /// The packet's payload as far as the frame bytes at hand hold it
    /// (empty for a packet handed over without them).
    pub payload: &'a [u8],
    /// True if `payload` is the whole payload (`packet.payload_len` bytes).
    pub whole: bool,
    /// The packet's direction within its flow.
    pub dir: Direction,
}

/// What runs above the table, flow by flow, inside each table call.
pub trait Stage<U> {
    /// The state kept per flow.
    type State: StageState;

    /// A new flow, before its first packet is counted and before the
    /// new-flow callback (which sees what the stage set).
    fn on_new_flow(&mut self, flow: &mut Flow<'_, U, Self::State>);

    /// A packet just counted in `flow`, before the packet callback.
    fn on_packet(&mut self, flow: &mut Flow<'_, U, Self::State>, packet: &StagePacket<'_>);

    /// The flow is about to be exported for good (not a slice).
    fn on_final_export(&mut self, flow: &mut Flow<'_, U, Self::State>);

    /// True if exported records may carry a port guess.
    fn guesses(&self) -> bool;

    /// The action of packets of flows without an action of their own.
    fn default_action(&self) -> Action;
}

/// The stage that does nothing: a bare store, every flow on the default action.
impl<U> Stage<U> for () {
    type State = ();

    fn on_new_flow(&mut self, _flow: &mut Flow<'_, U, ()>) {}

    fn on_packet(&mut self, _flow: &mut Flow<'_, U, ()>, _packet: &StagePacket<'_>) {}

    fn on_final_export(&mut self, _flow: &mut Flow<'_, U, ()>) {}

    fn guesses(&self) -> bool {
        false
    }

    fn default_action(&self) -> Action {
        Action::Default
    }
}
