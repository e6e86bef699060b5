//! The XDP programs: embedded objects, and loading and attaching the capture program.
pub mod capture;
pub mod objects;
