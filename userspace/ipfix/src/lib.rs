//! An IPFIX exporter (RFC 7011) with the semantics users of ipfixlolib know.
//!
//! - [`Exporter`]: one observation domain; collectors added and removed at run
//!   time over UDP, TCP or to a file (RFC 5655).
//! - [`Template`]: templates and options templates with IANA or enterprise
//!   fields, fixed or variable length; withdrawals.
//! - Data records are written with typed values (byte order is handled here),
//!   including basicLists (RFC 6313), with ipfixlolib's marker/undo and cancel.
//! - [`registry`]: the IANA information elements, generated from the IANA
//!   registry text at build time.
//!
//! The crate knows nothing of flows: the engine maps its records onto it.
#![warn(missing_docs)]

pub mod registry;
