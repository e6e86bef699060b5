//! Joy's intraflow features, computed per flow by the worker that owns it:
//! packet lengths and times (SPLT), byte distribution and entropy, the initial
//! data packet, TLS, DNS and HTTP metadata with fingerprints, and address and
//! username anonymization at export. Each feature is switched on separately
//! and costs nothing when off.
pub mod app;
pub mod byte_dist;
pub mod compact_bd;
pub mod config;

pub mod hooks;

pub mod idp;
pub mod splt;
pub mod state;
pub mod stream;
pub mod tcp_info;

pub use config::{Feature, FeatureConfig, FeatureSet};
pub use hooks::{attach, ReadyHooks};
pub use state::{FeatureState, FlowFeatures};
