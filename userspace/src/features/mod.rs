//! Joy's intraflow features, computed per flow by the worker that owns it.
//!
//! Each feature implements [`FlowFeature`] (update on a packet, JSON, IPFIX
//! fields, readiness for the external-processing hooks) in its own file:
//! packet lengths and times ([`splt`]), byte distribution and entropy
//! ([`byte_dist`]), the compact byte distribution ([`compact_bd`]), the
//! initial data packets ([`idp`]), TCP details ([`tcp_info`]), and the
//! application parsers ([`app`]: TLS with SALT, DNS, HTTP, whose protocols
//! live in `crate::proto`). [`state`] runs them in order for each packet and
//! keeps each one's state only once the flow needs it, from the worker's
//! [`pool`]s. Each feature is switched on separately and costs nothing when
//! off.
pub mod app;
pub mod byte_dist;
pub mod compact_bd;
pub mod config;
pub mod feature;
pub mod hooks;
pub mod idp;
pub mod pool;
pub mod splt;
pub mod state;
pub mod stream;
pub mod tcp_info;

pub use config::{Feature, FeatureConfig, FeatureSet};
pub use feature::{FeaturePacket, FlowContext, FlowFeature};
pub use hooks::{attach, ReadyHooks};
pub use state::{FeatureState, FlowFeatures};
