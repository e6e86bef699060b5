//! Bidirectional flow tracking with PF_RING FT's semantics: keys, records,
//! actions, callbacks and the per-worker flow table, which stores and expires
//! flows and knows no application protocol (what runs above it is a
//! [`Stage`]; Sluice's is in [`crate::policy`]).
//!
//! A [`Table`] turns decoded [`crate::decode::Packet`]s into
//! [`FlowRecord`]s, exported when a flow ends (idle, lifetime timeout, TCP
//! end, eviction, flush) or at slice boundaries. Time is always passed in as
//! a [`Timestamp`]; the table never reads a clock, so offline (packet time)
//! and live (clock time) use the same code.

pub mod action;
pub mod callbacks;
pub mod community_id;
pub mod config;
pub mod direction;
mod entry;
mod fragments;
pub mod key;
mod list;
pub mod offload;
pub mod record;
pub mod stage;
pub mod stats;
pub mod table;

pub use crate::time::Timestamp;
pub use action::Action;
pub use callbacks::{Flow, PacketInfo};
pub use community_id::CommunityId;
pub use config::FlowTableConfig;
pub use direction::Direction;
pub use fragments::FragmentTrains;
pub use key::{FlowKey, KeyHasher, PacketKey};
pub use offload::{KernelCounts, Offload, OffloadStats};
pub use record::{DirCounters, EndReason, FlowRecord};
pub use stage::{AppLabel, AppVerdict, Stage, StagePacket, StageState};
pub use stats::FlowTableStats;
pub use table::{FlowHandle, Table};

/// Size in bytes of one flow's slab entry (key, counters, list links and
/// the stage's state `A`), before any user metadata. The hash index adds
/// about 9 bytes per flow on top (4-byte slot, 1 control byte, load factor).
pub const fn entry_size<A: StageState>() -> usize {
    std::mem::size_of::<entry::FlowEntry<A>>()
}
