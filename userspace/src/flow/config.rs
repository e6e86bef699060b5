//! Settings of a flow table, as the arguments of `pfring_ft_create_table` and its setters.

use std::time::Duration;

/// Settings of a [`crate::flow::Table`] (the stage above it has its own).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowTableConfig {
    /// Most flows held at once (clamped to `1..=u32::MAX`); all memory for
    /// them is allocated up front. A full table evicts its most idle flow
    /// ([`crate::flow::EndReason::Overflow`]).
    pub max_flows: usize,
    /// A flow expires when `now - last_packet >= idle_timeout` (default 30 s).
    pub idle_timeout: Duration,
    /// Lifetime timeout: a flow expires when `now - first_packet >= active_timeout`
    /// (default 120 s, PF_RING FT's `flow_lifetime_timeout`).
    pub active_timeout: Duration,
    /// Optional slice timeout: every `slice_timeout` from its first packet a
    /// flow is exported with [`crate::flow::EndReason::SliceTimeout`] carrying
    /// the counts since the previous slice, and stays in the table.
    pub slice_timeout: Option<Duration>,
    /// How long an ended TCP flow stays after its last packet, so that the
    /// final ACK still joins it. Expires when `now - last_packet >= linger`.
    pub linger: Duration,
    /// Id of the first flow; ids then count up. Give workers disjoint ranges.
    pub first_id: u64,
    /// Leave the VLAN id out of the flow key (`PFRING_FT_IGNORE_VLAN`).
    pub ignore_vlan: bool,
    /// Decode tunnels and key flows by the inner headers
    /// (`PFRING_FT_DECODE_TUNNELS`); used by `Table::process_frame`.
    pub decode_tunnels: bool,
    /// Most IP fragment trains tracked at once (to give later fragments the
    /// ports of their first fragment). Preallocated.
    pub max_fragments: usize,
}

impl Default for FlowTableConfig {
    /// 65 536 flows, idle 30 s, lifetime 120 s, no slicing, linger 1 s, ids
    /// from 0, VLAN in the key, tunnels not decoded, 4096 fragment trains.
    fn default() -> Self {
        FlowTableConfig {
            max_flows: 1 << 16,
            idle_timeout: Duration::from_secs(30),
            active_timeout: Duration::from_secs(120),
            slice_timeout: None,
            linger: Duration::from_secs(1),
            first_id: 0,
            ignore_vlan: false,
            decode_tunnels: false,
            max_fragments: 4096,
        }
    }
}
