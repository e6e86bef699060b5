//! Bidirectional flow tracking with PF_RING FT's semantics: keys, records,
//! actions, rules, callbacks and the per-worker flow table.
//!
//! A [`FlowTable`] turns decoded [`crate::decode::Packet`]s into
//! [`FlowRecord`]s, exported when a flow ends (idle, lifetime timeout, TCP
//! end, eviction, flush) or at slice boundaries. Time is always passed in as
//! a [`Timestamp`]; the table never reads a clock, so offline (packet time)
//! and live (clock time) use the same code.

pub mod action;
pub mod callbacks;
pub mod config;
pub mod direction;
mod entry;
mod fragments;
pub mod key;
mod list;
pub mod offload;
pub mod record;
pub mod rules;
pub mod stats;
pub mod table;

#[cfg(test)]
mod tests;

pub use crate::time::Timestamp;
pub use action::Action;
pub use callbacks::{Flow, PacketInfo};
pub use config::FlowTableConfig;
pub use direction::Direction;
pub use key::{symmetric_hash, FlowKey};
pub use offload::{KernelCounts, Offload, OffloadStats};
pub use record::{DirCounters, EndReason, FlowRecord};
pub use rules::{Prefix, Rule, Rules, RulesError};
pub use stats::FlowTableStats;
pub use table::{FlowHandle, FlowTable};

/// Size in bytes of one flow's slab entry (key, counters, state and list
/// links), before any user metadata. The hash index adds about 9 bytes per
/// flow on top (4-byte slot, 1 control byte, load factor).
pub const FLOW_ENTRY_SIZE: usize = std::mem::size_of::<entry::FlowEntry>();
