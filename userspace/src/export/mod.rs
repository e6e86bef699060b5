//! Serialisation of exported flow records.

pub mod json;

#[cfg(test)]
mod tests;

pub use json::write_flow_json;
