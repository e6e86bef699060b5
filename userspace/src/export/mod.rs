//! Serialisation of exported flow records.

pub mod ipfix;
pub mod json;
pub mod num;
pub mod output;
pub mod record_writer;
pub mod rotate;

#[cfg(test)]
mod tests;

pub use json::write_flow_json;
