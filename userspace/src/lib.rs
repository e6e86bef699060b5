//! Sluice: a kernel-bypass flow capture engine.
//!
//! The modules follow the path a packet takes: `bpf` (the XDP program) → `capture`
//! (AF_XDP rings) → `decode` (zero-copy header views) → `flow` (per-worker flow table) →
//! `export` (JSON lines) → `engine` (workers, writer, shutdown) → `cli`.
pub mod bpf;
pub mod capfile;
pub mod capture;
pub mod cli;
pub mod decode;
pub mod engine;
pub mod error;
pub mod export;
pub mod flow;
pub mod netdev;
