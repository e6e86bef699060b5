//! Flow records as IPFIX: the element choice, one template per record
//! shape, the mapping of a flow onto records, and the engine's sink.
//! The protocol itself is the `sluice-ipfix` crate.

pub mod elements;
pub mod encode;
pub mod shapes;
pub mod sink;

pub use sink::{IpfixEncoder, IpfixOptions, IpfixRecords, IpfixReport, IpfixSink};
