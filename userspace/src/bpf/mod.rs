//! The XDP programs: embedded objects, loading and attaching the capture program, and its
//! verdict map (inline shunting).
pub mod capture;
pub mod objects;
pub mod offload;
pub mod verdicts;
