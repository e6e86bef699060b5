//! Serialisation of exported flow records.

pub mod encoder;
pub mod ipfix;
pub mod json;
pub mod output;
pub mod record_writer;
pub mod rotate;

#[cfg(test)]
pub(crate) mod tests;

pub use json::{write_flow_json, write_flow_json_with};
