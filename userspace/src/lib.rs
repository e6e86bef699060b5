//! Sluice: a kernel-bypass flow capture engine.
//!
//! The modules follow the path a packet takes: `bpf` (the XDP program) → `capture`
//! (AF_XDP rings) → `decode` (zero-copy header views) → `flow` (per-worker flow table) →
//! `export` (JSON lines, IPFIX) → `engine` (workers, writer, shutdown) → `cli`; `privileges`
//! drops root's capabilities once setup is done. Offline,
//! `capfile` (pcap/pcapng) replaces the first two.
//!
//! Feature `live` (default) builds the XDP/AF_XDP parts; without it (fuzzing, offline
//! use) no eBPF toolchain is needed.
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
pub mod flow;
pub mod json;
pub mod l7;
#[cfg(feature = "live")]
pub mod netdev;
pub mod privileges;
pub mod proto;
pub mod time;
