//! [`FlowTable`]: the flow table with Sluice's stage above it, PF_RING FT's
//! table (`pfring_ft_table`) with its built-in L7 detection and rules.

use crate::flow::{entry_size, Action, Flow, FlowTableConfig, Table};
use crate::l7::{L7Config, L7Proto};
use crate::policy::rules::Rules;
use crate::policy::stage::{AppFlowState, AppStage};

/// PF_RING FT's flow table: a [`Table`] storing and expiring flows, with L7
/// detection and the rules above it ([`AppStage`]). `U` is per-flow user
/// metadata, `U::default()` for each new flow.
///
/// Each PF_RING FT call, as docs/flow-table.md maps them (this example is
/// compiled and run by `cargo test`):
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// use sluice::decode::{decode_ethernet, LinkType};
/// use sluice::flow::{Action, Direction, EndReason, FlowTableConfig, Timestamp};
/// use sluice::policy::{FlowTable, Rules};
///
/// // Ethernet / IPv4 / UDP, 10.0.0.1:5000 -> 10.0.0.2:9000, 4 payload bytes.
/// let mut frame = vec![0u8; 12];
/// frame.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0]);
/// frame.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
/// frame.extend_from_slice(&[0x13, 0x88, 0x23, 0x28, 0, 12, 0, 0, 1, 2, 3, 4]);
/// let len = frame.len() as u32;
/// let at = |s: u64| Timestamp::from_secs_nanos(s, 0);
///
/// // pfring_ft_create_table: user metadata `u64` per flow.
/// let mut table: FlowTable<u64> = FlowTable::new(FlowTableConfig {
///     max_flows: 1024,
///     idle_timeout: Duration::from_secs(30),
///     ..FlowTableConfig::default()
/// });
/// // pfring_ft_set_new_flow_callback
/// let created = Arc::new(AtomicU64::new(0));
/// let seen = Arc::clone(&created);
/// table.set_new_flow_callback(move |_flow| {
///     seen.fetch_add(1, Ordering::Relaxed);
/// });
/// // pfring_ft_set_flow_packet_callback: the metadata counts packets.
/// table.set_flow_packet_callback(|_packet, flow| *flow.user_mut() += 1);
/// // pfring_ft_set_l7_detected_callback: once per flow, when detection ends.
/// table.set_l7_detected_callback(|flow| *flow.user_mut() += 100);
/// // pfring_ft_set_default_action, pfring_ft_load_configuration
/// table.set_default_action(Action::Default);
/// table.set_rules(Rules::parse("[shunt]\nudp = 10\n").expect("rules"));
///
/// // pfring_ft_process: decode and account a frame, or a decoded packet.
/// let h = table.process_frame(LinkType::Ethernet, &frame, len, at(1)).expect("decoded");
/// assert!(h.new_flow && h.dir == Direction::Out && h.action == Action::Default);
/// let pkt = decode_ethernet(&frame).expect("decoded");
/// let again = table.process(&pkt, &frame, len, at(2));
/// assert_eq!((again.slot, again.new_flow), (h.slot, false));
///
/// // pfring_ft_housekeeping: nothing is due at 3 s; the flow is idle at 40 s.
/// assert_eq!(table.housekeeping(at(3)), 0);
/// assert_eq!(table.housekeeping(at(40)), 1);
/// // No export callback: records queue with their metadata.
/// let out: Vec<_> = table.drain_exported_with_user().collect();
/// assert_eq!(out[0].0.end_reason, EndReason::IdleTimeout);
/// assert_eq!(out[0].0.dirs[Direction::Out].packets, 2);
/// // Two packets, then detection gave up at export (a UDP flow without a match).
/// assert_eq!(out[0].1, 102);
///
/// // pfring_ft_set_flow_export_callback, then pfring_ft_flush.
/// let exported = Arc::new(AtomicU64::new(0));
/// let count = Arc::clone(&exported);
/// table.set_flow_export_callback(move |rec, _user| {
///     assert_eq!(rec.end_reason, EndReason::ForcedEnd);
///     count.fetch_add(1, Ordering::Relaxed);
/// });
/// table.process_frame(LinkType::Ethernet, &frame, len, at(50));
/// table.flush();
/// assert_eq!(exported.load(Ordering::Relaxed), 1);
///
/// // pfring_ft_get_stats
/// let stats = table.stats();
/// assert_eq!((stats.created, stats.packets), (2, 3));
/// assert_eq!(created.load(Ordering::Relaxed), 2);
/// ```
pub type FlowTable<U = ()> = Table<U, AppStage<U>>;

/// The settings of the stage above the table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyConfig {
    /// L7 protocol detection (on, with port guesses, by default).
    pub l7: L7Config,
    /// Address, port and protocol rules applied to new flows, and the
    /// default action (see [`Rules`]).
    pub rules: Rules,
}

/// Size in bytes of one flow's slab entry in a [`FlowTable`] (key, counters,
/// list links, L7 state and rule), before any user metadata.
pub const FLOW_ENTRY_SIZE: usize = entry_size::<AppFlowState>();

impl<U: Default> Table<U, AppStage<U>> {
    /// Creates a table (`pfring_ft_create_table`) with L7 detection on
    /// (with port guesses) and no rules.
    pub fn new(config: FlowTableConfig) -> Self {
        Table::with_stage(config, AppStage::new(L7Config::default(), Rules::default()))
    }

    /// Creates a table with these detection settings and rules.
    pub fn with_policy(config: FlowTableConfig, policy: PolicyConfig) -> Self {
        Table::with_stage(config, AppStage::new(policy.l7, policy.rules))
    }

    /// Sets the action returned for flows without an action of their own
    /// (`pfring_ft_set_default_action`).
    pub fn set_default_action(&mut self, action: Action) {
        self.stage_mut().rules.default_action = action;
    }

    /// Replaces the rules applied to flows created from now on
    /// (`pfring_ft_load_configuration`).
    pub fn set_rules(&mut self, rules: Rules) {
        self.stage_mut().rules = rules;
    }

    /// Sets the callback run once per flow when its L7 detection finishes
    /// (`pfring_ft_set_l7_detected_callback`): the protocol was recognized,
    /// or detection gave up (with a port guess unless guessing is off),
    /// at the latest when the flow is exported for good. It may set the
    /// flow's action. Never runs with L7 detection off.
    pub fn set_l7_detected_callback(
        &mut self,
        f: impl FnMut(&mut Flow<'_, U, AppFlowState>) + Send + 'static,
    ) {
        self.stage_mut().l7_detected = Some(Box::new(f));
    }
}

impl<U> Flow<'_, U, AppFlowState> {
    /// The flow's application protocol: detected, guessed once detection
    /// gave up (see [`Flow::l7_guessed`]), or `Unknown` (not yet, or never).
    pub fn l7(&self) -> L7Proto {
        self.stage().l7.proto()
    }

    /// True if [`Flow::l7`] is a port-based guess (PF_RING FT's
    /// `PF_RING_FT_FLOW_FLAGS_L7_GUESS`).
    pub fn l7_guessed(&self) -> bool {
        self.stage().l7.guessed()
    }

    /// True once L7 detection finished for this flow.
    pub fn l7_done(&self) -> bool {
        self.stage().l7.is_done()
    }
}
