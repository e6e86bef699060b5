//! Bidirectional flow tracking: keys, records, and the per-worker flow table.
//!
//! A [`FlowTable`] turns decoded [`crate::decode::Packet`]s into
//! [`FlowRecord`]s, handed to an export callback when a flow ends (idle,
//! active timeout, TCP end, eviction, or flush). Time is always passed in as
//! a [`Timestamp`]; the table never reads a clock.

mod entry;
pub mod key;
mod list;
pub mod record;
pub mod stats;
pub mod table;
pub mod time;

#[cfg(test)]
mod tests;

pub use key::{symmetric_hash, FlowKey};
pub use record::{DirCounters, EndReason, FlowRecord};
pub use stats::FlowTableStats;
pub use table::{FlowHandle, FlowTable, FlowTableConfig};
pub use time::Timestamp;

/// Size in bytes of one flow's slab entry (key, counters, state, list links).
/// The hash index adds about 5 bytes per bucket on top.
pub const FLOW_ENTRY_SIZE: usize = std::mem::size_of::<entry::FlowEntry>();
