//! An IPFIX exporter (RFC 7011) with the semantics users of ipfixlolib know.
//!
//! - [`Exporter`]: one observation domain; collectors added and removed at run
//!   time over UDP, TCP or to a file (RFC 5655).
//! - [`Template`]: templates and options templates with IANA or enterprise
//!   fields, fixed or variable length; withdrawals.
//! - Data records are written with typed values (byte order is handled here),
//!   including basicLists (RFC 6313), with ipfixlolib's marker/undo and cancel;
//!   or encoded apart in a [`RecordBatch`] (another thread) and put whole.
//! - [`registry`]: the IANA information elements, generated from the IANA
//!   registry text at build time.
//!
//! The crate knows nothing of flows: the engine maps its records onto it.
#![warn(missing_docs)]

pub mod batch;
#[cfg(any(test, feature = "decode"))]
pub mod decode;
pub mod element_types;
pub mod error;
pub mod exporter;
pub mod field;
pub mod fields;
pub mod list;
pub(crate) mod message;
pub mod record;
pub mod registry;
pub mod stream;
pub mod template;
pub mod transport;

pub use batch::{DataSets, RecordBatch, Templates};
pub use element_types::ElementInfo;
pub use error::ExportError;
pub use exporter::{CollectorId, Exporter, ExporterConfig, ExporterStats};
pub use field::{pen, Field, PEN_REVERSE, VARLEN};
pub use fields::{RecordFields, TemplateFields, BASIC_LIST};
pub use list::semantic;
pub use record::DataSet;
pub use template::Template;
pub use transport::tcp::TcpConfig;
pub use transport::{CollectorSpec, CollectorStats};

#[cfg(test)]
mod tests;
