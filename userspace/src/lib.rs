//! Sluice: a kernel-bypass flow capture engine.
//!
//! The modules follow the path a packet takes: [`bpf`] (the XDP program and its
//! verdict map) → [`capture`] (AF_XDP rings) → [`decode`] (zero-copy header views)
//! → [`flow`] (the per-worker flow table: store and expiry) → [`l7`] (the
//! detector chain) and [`proto`] (one folder per application protocol) →
//! [`policy`] (the stage above the table: L7 detection, rules, budgets; PF_RING
//! FT's `FlowTable`) → [`features`] (Joy's per-flow features) → [`export`] (JSON lines, IPFIX; [`anon`]ymization) →
//! [`engine`] (one pipeline per worker, workers, writer, shutdown; the offline reader) → [`cli`].
//! Offline, [`capfile`] (pcap/pcapng) replaces the first two. Below them all,
//! the leaves: [`error`], [`time`], [`json`] (number and string writers),
//! [`bytes`] (the bounds-checked reader), [`hugepages`] (the allocator's advice); beside them [`netdev`] and
//! [`privileges`] (capabilities dropped once setup is done).
//!
//! A module names only its own layer or lower ones (docs/architecture.md;
//! `cargo xtask layers` checks it).
//!
//! Feature `live` (default) builds the XDP/AF_XDP parts; without it (fuzzing, offline
//! use) no eBPF toolchain is needed.
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod anon;
#[cfg(feature = "live")]
pub mod bpf;
pub mod bytes;
pub mod capfile;
#[cfg(feature = "live")]
pub mod capture;
pub mod cli;
pub mod decode;
pub mod engine;
pub mod error;
pub mod export;
pub mod features;
pub mod filter;
pub mod flow;
pub mod hugepages;
pub mod json;
pub mod l7;
pub mod metrics;
#[cfg(feature = "live")]
pub mod netdev;
pub mod policy;
pub mod privileges;
pub mod proto;
pub mod time;
