//! A strict IPFIX decoder, for tests only: the referee of this crate's
//! exporter (property tests, test collectors over UDP, TCP or files).
//!
//! It reports as errors what RFC 7011 (IPFIX) and RFC 6313 (basicList)
//! forbid, never panics on any input, and knows element types only so far as
//! to decode basicLists (IANA element 291).
//!
//! Two layers:
//! - [`parse_message`] and [`parse_stream`] check framing, which needs no
//!   state: header, sets, (options) template and withdrawal records, padding
//!   of template sets. Data sets are kept as bytes ([`Set::Data`]).
//! - A [`Session`] is a collector's state for one transport session, per
//!   observation domain (RFC 7011 §8): it learns and withdraws templates,
//!   checks sequence numbers and decodes data sets into [`Record`]s.
//!
//! ```
//! use sluice_ipfix::decode::{parse_stream, Session};
//!
//! # fn main() -> Result<(), sluice_ipfix::decode::DecodeError> {
//! let file: &[u8] = &[]; // an IPFIX file (RFC 5655) or a TCP byte stream
//! let mut session = Session::new();
//! for message in parse_stream(file)? {
//!     for record in session.feed(&message)? {
//!         let _octets = record.get(0, 1).and_then(|v| v.as_u64());
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Choices where the RFCs leave room, all on the strict side:
//! - A message must hold at least one set, and a set at least one record
//!   (RFC 7011 §3: "one or more"); padding alone is an empty set.
//! - Padding of a (options) template set must be shorter than the smallest
//!   record such a set may hold, the 4-byte withdrawal record; that of a data
//!   set shorter than the template's smallest record (a variable-length field
//!   counting 1 byte). Either must be zero.
//! - A template set may mix template and withdrawal records; [`Message::sets`]
//!   then has one entry per run of each kind.
//! - A withdrawal in an options template set carries no scope field count
//!   (4 bytes, like in a template set); it may only withdraw options
//!   templates, and one in a template set only templates.
//! - The 3-byte variable-length form is accepted for lengths below 255 (RFC
//!   7011 §7 allows it).
//! - An enterprise bit with enterprise number 0, a template whose records
//!   would be 0 bytes long, a basicList element length of 0 or an unassigned
//!   basicList semantic are errors.
//! - Sequence numbers start at 0 for each domain of a session.

// No input may make it panic: no indexing, no overflowing arithmetic.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod data;
mod error;
mod list;
mod message;
mod reader;
mod session;
mod template;
#[cfg(test)]
mod tests;

pub use data::{Record, Value};
pub use error::DecodeError;
pub use list::{
    BasicList, BASIC_LIST_ID, SEMANTIC_ALL_OF, SEMANTIC_EXACTLY_ONE_OF, SEMANTIC_NONE_OF,
    SEMANTIC_ONE_OR_MORE_OF, SEMANTIC_ORDERED, SEMANTIC_UNDEFINED,
};
pub use message::{
    parse_message, parse_stream, Message, Set, HEADER_LEN, MIN_DATA_SET_ID,
    OPTIONS_TEMPLATE_SET_ID, TEMPLATE_SET_ID, VERSION,
};
pub use session::Session;
pub use template::{FieldSpec, TemplateDef};
