//! Flows to ntopng over ZMQ, as nProbe and PF_RING FT's
//! `pfring_ft_zmq_export_*` send them (`--zmq ENDPOINT`).
//!
//! One [`ZmqExporter`] per run, in the writer thread: each flow arrives
//! already encoded by its worker ([`encode_flow`]: one TLV record or one
//! JSON object of nProbe's fields, see [`fields`]); the exporter packs
//! several into one message (at most [`MAX_PAYLOAD`] bytes before
//! compression), and sends it as ntopng's collector reads it: a header part
//! ([`header`]) and the payload part, on topic `flow`. Interface and probe
//! counters go on topic `event` every [`ZmqOptions::stats_every`] and at the
//! end, as `pfring_ft_zmq_export_stats` does.
//!
//! The socket is an XPUB (a PUB that also sees subscriptions): it binds
//! (ntopng `-i tcp://PROBE:PORT`), or connects in probe mode (ntopng
//! `-i tcp://*:PORT c`), and can wait for the first subscriber before the
//! first message, since a PUB socket drops what it sends while nobody
//! listens. `ZMQ_XPUB_NODROP` makes a full send queue an error instead of a
//! silent loss, so every record the socket refuses is counted; the message
//! id still advances, so ntopng's per-source drop count sees the gap.

#[cfg(feature = "streams")]
mod exporter;
pub mod fields;
pub mod header;
pub mod tlv;

#[cfg(not(feature = "streams"))]
pub use crate::export::unavailable::ZmqExporter;
#[cfg(feature = "streams")]
pub use exporter::ZmqExporter;

use std::time::Duration;

use serde_json::{json, Value};

use crate::features::FlowFeatures;
use crate::flow::FlowRecord;

/// Largest payload of one message before compression: well under
/// ntopng's 131,072-byte frame and the 43,690 bytes it inflates old-style
/// compressed JSON into.
pub const MAX_PAYLOAD: usize = 32 * 1024;

/// The payload encoding ntopng reads flows in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ZmqFormat {
    /// nDPI's TLV (what community ntopng reads since 6.0).
    #[default]
    Tlv,
    /// A JSON array of objects keyed by element id (ntopng Pro only).
    Json,
}

/// The interface the probe reports in its `event` messages
/// (`pfring_ft_zmq_export_stats`'s arguments).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// Interface (or capture file) name.
    pub name: String,
    /// Speed in Mbit/s (0 unknown).
    pub speed_mbps: u64,
    /// Its address, if known.
    pub ip: String,
    /// The probe's management address, if known.
    pub management_ip: String,
}

/// How to export (`pfring_ft_zmq_export_configure`'s arguments and more).
#[derive(Clone, Debug)]
pub struct ZmqOptions {
    /// `tcp://ADDR:PORT` (`tcp://*:PORT` binds every address).
    pub endpoint: String,
    /// Connect to a collector that binds, instead of binding.
    pub probe_mode: bool,
    /// Payload encoding.
    pub format: ZmqFormat,
    /// zlib-compress payloads.
    pub compress: bool,
    /// CURVE: the collector's public key (32 bytes); ntopng is the server.
    pub server_key: Option<[u8; 32]>,
    /// The source id in every header (one per exporter: ntopng counts
    /// message ids per source).
    pub source_id: u32,
    /// Wait this long for the first subscriber before sending (0: not at all).
    pub wait_subscriber: Duration,
    /// Interval of `event` messages.
    pub stats_every: Duration,
    /// What the `event` messages say about the interface.
    pub interface: InterfaceInfo,
    /// The flow table's idle and lifetime timeouts, in seconds (ntopng
    /// expires collected flows by them).
    pub timeouts: (u64, u64),
}

/// What the ZMQ output did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZmqReport {
    /// Flow records handed to the exporter.
    pub records: u64,
    /// Records in messages the socket took.
    pub sent_records: u64,
    /// Records in messages the socket refused (its queue was full).
    pub dropped_records: u64,
    /// Messages sent, every topic.
    pub messages: u64,
    /// Messages refused.
    pub dropped_messages: u64,
    /// Payload bytes sent (after compression).
    pub bytes: u64,
}

impl ZmqReport {
    /// What was lost, in words, if anything.
    pub fn losses(&self) -> Option<String> {
        (self.dropped_records > 0).then(|| {
            format!(
                "{} ZMQ records dropped ({} messages refused by a full send queue)",
                self.dropped_records, self.dropped_messages
            )
        })
    }

    /// The report as JSON (for `--stats`).
    pub fn to_json(&self) -> Value {
        json!({
            "records": self.records,
            "sent_records": self.sent_records,
            "dropped_records": self.dropped_records,
            "messages": self.messages,
            "dropped_messages": self.dropped_messages,
            "bytes": self.bytes,
        })
    }
}

impl std::fmt::Display for ZmqReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "  zmq: {} records in {} messages ({} bytes), {} records dropped",
            self.records, self.messages, self.bytes, self.dropped_records
        )
    }
}

/// Encodes one flow for the exporter, in the worker: one TLV record, or one
/// JSON object, appended to `out`.
pub fn encode_flow(
    format: ZmqFormat,
    rec: &FlowRecord,
    features: &FlowFeatures,
    out: &mut Vec<u8>,
) {
    match format {
        ZmqFormat::Tlv => {
            let mut f = fields::TlvFields(out);
            fields::put_flow(&mut f, rec, features);
            f.end();
        }
        ZmqFormat::Json => {
            let mut f = fields::JsonFields::new(out);
            fields::put_flow(&mut f, rec, features);
            f.end();
        }
    }
}
