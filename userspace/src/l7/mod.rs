//! Application (L7) protocol detection, run by the flow table on the first
//! packets of each flow, with nDPI's protocol names (PF_RING FT's L7 support).

pub mod proto;
pub mod quic;

pub use proto::L7Proto;
