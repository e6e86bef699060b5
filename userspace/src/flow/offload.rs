//! Handing a flow's final verdict to the kernel (inline shunting).
//!
//! Once a flow's action is final (discarded, shunted past its budget, or
//! forwarded), its remaining packets need not cost userspace anything. A
//! table given an [`Offload`] installs the verdict there (live: the XDP
//! program's verdict map, which drops or passes the flow's frames before
//! they reach AF_XDP and counts them per direction). The table then merges
//! those counters into the flow's records, so every exported total still
//! equals what was on the wire:
//!
//! * at a slice or lifetime export, the counts the kernel added since the
//!   previous export are read and added (the entry stays; no race);
//! * at the final export (idle, end, overflow, flush), the entry is removed
//!   and its remaining counts are added;
//! * idle time is judged from the kernel's last packet too, so a shunted
//!   bulk flow is not expired while it is still active; a TCP end (FIN both
//!   ways, or RST) the kernel saw ends the flow as `EndDetected`.
//!
//! Each packet is counted exactly once: either it reached userspace (it was
//! redirected before the verdict was installed) or the kernel counted it.

use crate::flow::action::Action;
use crate::flow::key::FlowKey;
use crate::flow::record::DirCounters;

/// Counters a kernel verdict entry holds, per direction: index 0 for
/// packets sent by the key's lower endpoint, 1 for the higher. Only
/// `packets`, `bytes`, `wire_bytes`, `ip_bytes`, `min_ip_len`, `max_ip_len`,
/// `tcp_flags` and `last` are meaningful.
pub type KernelCounts = [DirCounters; 2];

/// Where a table installs final verdicts (the XDP verdict map, live).
pub trait Offload: Send {
    /// Makes the kernel apply `action` ([`Action::Discard`] or
    /// [`Action::Forward`]) to the flow `key` from now on, with zeroed
    /// counters. Returns false if it could not (the flow's packets then keep
    /// coming to userspace, which still applies the action).
    fn install(&mut self, key: &FlowKey, action: Action) -> bool;

    /// The counters of `key`'s entry, cumulative since it was installed;
    /// `None` if there is no entry (never installed, or evicted).
    fn read(&mut self, key: &FlowKey) -> Option<KernelCounts>;

    /// Removes `key`'s entry and returns its final counters.
    fn remove(&mut self, key: &FlowKey) -> Option<KernelCounts>;
}

/// Offload counters of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OffloadStats {
    /// Verdicts installed in the kernel.
    pub installed: u64,
    /// Verdicts the kernel refused (map full, error): those flows stay in
    /// userspace.
    pub install_failed: u64,
    /// Entries that were gone when the flow was exported (evicted from the
    /// kernel's LRU map): packets it counted since the previous read are lost.
    pub missing: u64,
    /// Packets counted by the kernel and merged into exported flows.
    pub packets: u64,
    /// Frame bytes counted by the kernel and merged into exported flows.
    pub bytes: u64,
}

/// What a table remembers of an offloaded flow: the kernel's counts as of
/// the last merge, so each export adds only what is new.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OffloadState {
    /// Kernel counts already merged into an exported record `[lower, higher]`.
    pub merged: KernelCounts,
    /// The latest packet the kernel counted, as of the last read.
    pub last: crate::time::Timestamp,
    /// The TCP end (RST, or FIN both ways) was seen, counting the kernel's
    /// flags as of the last read.
    pub ended: bool,
}

/// Adds to `to` what `now` counted beyond `base` (packets and bytes), and
/// merges extremes, flags and the latest time.
pub(crate) fn add_delta(to: &mut DirCounters, now: &DirCounters, base: &DirCounters) -> u64 {
    let packets = now.packets.saturating_sub(base.packets);
    if packets == 0 {
        return 0;
    }
    if to.packets == 0 {
        to.min_ip_len = now.min_ip_len;
    }
    to.packets += packets;
    to.bytes += now.bytes.saturating_sub(base.bytes);
    to.wire_bytes += now.wire_bytes.saturating_sub(base.wire_bytes);
    to.ip_bytes += now.ip_bytes.saturating_sub(base.ip_bytes);
    to.min_ip_len = to.min_ip_len.min(now.min_ip_len);
    to.max_ip_len = to.max_ip_len.max(now.max_ip_len);
    to.tcp_flags |= now.tcp_flags;
    to.last = to.last.max(now.last);
    now.wire_bytes.saturating_sub(base.wire_bytes)
}
