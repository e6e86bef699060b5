//! Flow table counters.

use crate::decode::DecodeReason;
use crate::flow::record::EndReason;

/// Counters of one [`crate::flow::Table`], read with `Table::stats`
/// (`pfring_ft_get_stats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowTableStats {
    /// Flows currently in the table.
    pub active: u64,
    /// Flows created (including flows restarted after a timeout or a new SYN).
    pub created: u64,
    /// Flows exported, indexed by [`EndReason::index`].
    pub exported_by_reason: [u64; EndReason::COUNT],
    /// Flows evicted because the table was full (also counted under
    /// [`EndReason::Overflow`] in `exported_by_reason`).
    pub overflows: u64,
    /// Packets processed.
    pub packets: u64,
    /// Wire bytes (frame lengths) processed.
    pub bytes: u64,
    /// Frames that could not be decoded, per [`DecodeReason::index`]
    /// (counted by `process_frame` or reported with `count_decode_error`).
    pub decode_errors: [u64; DecodeReason::COUNT],
    /// Frames a `--filter` rejected (never decoded, never in a flow).
    pub filtered: u64,
    /// Packets whose headers were cut short by the capture length (still counted).
    pub truncated: u64,
    /// Later IP fragments that joined their first fragment's flow.
    pub fragments_joined: u64,
    /// Later IP fragments whose first fragment was not seen (ports-0 flow).
    pub fragment_orphans: u64,
    /// Entries examined by housekeeping: exported ones plus at most one per
    /// list per call. Shows that housekeeping never scans the table.
    pub scanned: u64,
}

impl FlowTableStats {
    /// Flows exported with `reason`.
    pub fn exported(&self, reason: EndReason) -> u64 {
        self.exported_by_reason[reason.index()]
    }

    /// Flows exported for any reason.
    pub fn total_exported(&self) -> u64 {
        self.exported_by_reason.iter().sum()
    }
}

impl FlowTableStats {
    /// Frames that could not be decoded, for any reason.
    pub fn total_decode_errors(&self) -> u64 {
        self.decode_errors.iter().sum()
    }
}

impl std::ops::AddAssign<&FlowTableStats> for FlowTableStats {
    /// Adds another table's counters (the shards of one run).
    fn add_assign(&mut self, o: &FlowTableStats) {
        self.active += o.active;
        self.created += o.created;
        for (a, b) in self.exported_by_reason.iter_mut().zip(o.exported_by_reason) {
            *a += b;
        }
        self.overflows += o.overflows;
        self.packets += o.packets;
        self.bytes += o.bytes;
        for (a, b) in self.decode_errors.iter_mut().zip(o.decode_errors) {
            *a += b;
        }
        self.filtered += o.filtered;
        self.truncated += o.truncated;
        self.fragments_joined += o.fragments_joined;
        self.fragment_orphans += o.fragment_orphans;
        self.scanned += o.scanned;
    }
}
