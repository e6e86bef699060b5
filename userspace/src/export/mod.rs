//! Exported flow records: their encodings (JSON lines, IPFIX, nProbe's
//! fields for ntopng) and the outputs that take them (files, IPFIX
//! collectors, Kafka, ZMQ).

pub mod encoder;
pub mod ipfix;
pub mod json;
pub mod kafka;
pub mod output;
pub mod record_writer;
pub mod rotate;
#[cfg(not(feature = "streams"))]
mod unavailable;
pub mod zmq;

#[cfg(test)]
pub(crate) mod tests;

pub use json::{write_flow_json, write_flow_json_with};
