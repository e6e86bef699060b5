//! Capture sources: where frames come from.
pub mod afxdp;
